/**
 * cmp.js, the consent banner of cmp (Apache-2.0). Built into static/cmp.js by
 * banner/build.mjs (esbuild); never edit the built file. Full guide: docs/banner.md.
 *
 * Embed contract (DESIGN.md):
 *
 *   <!-- first script of <head>, synchronous, when Google tags are not blocked (they rely on
 *        Consent Mode): `consent default` then precedes every tag -->
 *   <script src="https://CMP_HOST/cmp.js" data-site="SITE"></script>
 *   <!-- or async, when every tag is blocked by the markup below -->
 *   <script src="https://CMP_HOST/cmp.js" data-site="SITE" async></script>
 *   <!-- or served from the site's own origin / CDN, the API on cmp (a hung cmp cannot
 *        hold the page's load event) -->
 *   <script src="/assets/cmp.js" data-site="SITE" data-api="https://CMP_HOST"></script>
 *
 *   <script type="text/plain" data-cmp-category="analytics" src="…"></script>
 *   <script type="text/plain" data-cmp-category="targeting" data-cmp-recipient="KEY">…</script>
 *   <iframe data-cmp-category="…" data-cmp-recipient="KEY" data-src="…"></iframe>
 *   <img data-cmp-category="…" data-src="…" alt="">   <link data-cmp-category="…" data-href="…">
 *   <a href="#" data-cmp-open>Cookie設定</a>
 *   <script>(window.cmpq = window.cmpq || []).push(['on', 'change', (choice) => {}]);</script>
 *
 * JS API, complete as soon as this file has run: cmp.open(), cmp.consent(), cmp.on('change',
 * fn) (also called at once with the decision in force), cmp.ready (a promise of the decision,
 * or null while none is in force), cmp.scan(); the window.cmpq command queue; the DOM event
 * `cmp:change`; the dataLayer event `cmp_consent`.
 */

import { gpc, load, site } from './env.js';
import { doc, win } from './util.js';
import { COOKIE, SYNC_KEY, categories, config, current, parseCookie, readCookie, publicView, setOlder, upToDate } from './state.js';
import { DENIED, apply, cleanUp, decide, enforce, notify, subscribers } from './decide.js';
import { fetchConfig, queue, refused, send } from './server.js';
import { askForDecision, showDialog, showWanted } from './dialog.js';
import { fitFrames, scan } from './tags.js';
import { later } from './later.js';

/** What a command-queue entry does: a function gets the API, an array names a method. */
const run = (command) => {
  try {
    if (typeof command == 'function') command(win.cmp);
    else win.cmp[command[0]](...command.slice(1));
  } catch (e) {
    console.error(e);
  }
};

/** The decision in force for the current policy, as the JS API shows it, or null. */
const inForce = () => (current && upToDate(current) ? publicView(current) : null);

let settle;
/** The first read of the stored decision (asynchronous where the Cookie Store API exists:
 * a first document.cookie read blocks on IPC in Chromium); started with the config request. */
let firstRead;
/** A queue left by an earlier page: its decision's withdrawal cleanup may not have run. */
let leftOver;

/**
 * Whether the server may hold a newer state for the stored decision `s`: the config's change
 * counter is ahead of the one remembered with it (and nothing of ours is still unsent).
 */
const needsSync = (s) => !refused && s?.vid && !queue().length && config.sync > (load(SYNC_KEY) ?? -1);

/**
 * Called whenever a config arrived (or could not be had): decide what is in force. A stored
 * decision is applied only now, against the config just fetched (or, with the server
 * unreachable, the cached one), so a policy published since the last page never runs under
 * the old one; an opt-out the server recorded meanwhile is fetched first.
 */
export async function configArrived() {
  if (config) {
    let s = current || (firstRead ? await firstRead : readCookie());
    firstRead = null;
    if (!current && needsSync(s)) s = (await later((chunk) => chunk.syncWithServer(s))) || s;
    if (upToDate(s)) {
      if (!current) apply(s, 0);
      if (leftOver) {
        leftOver = 0;
        cleanUp(s); // the earlier page may have had no chunk to clean up with
      }
    } else if (gpc && categories().every((c) => c.required || c.gpc)) {
      decide([], [], 'gpc'); // nothing left to ask
    } else {
      // An older decision runs only what it covered (older.js, in the chunk: until it is
      // there, nothing) until the visitor answers.
      if (s && s == current) enforce();
      else if (s) apply(s, 0);
      if (s) later((chunk) => current && (setOlder(chunk.older), enforce()));
      askForDecision();
    }
    scan();
    showWanted();
  }
  settle(inForce());
}

if (win.cmp?.scan) {
  win.cmp.scan(); // loaded twice (an SPA): one banner; the second copy rescans and stops
} else {
  // 1. Consent Mode default, before anything else of the page can run a tag.
  win.dataLayer = win.dataLayer || [];
  win.gtag =
    win.gtag ||
    function gtag() {
      win.dataLayer.push(arguments); // Google's tags read only Arguments objects
    };
  win.gtag('consent', 'default', { ...DENIED, wait_for_update: 500 });
  fitFrames(); // blocked iframes within their container, from the first paint where possible

  // 2. The complete API, then the commands queued before this file ran.
  const ready = new Promise((resolve) => (settle = resolve));
  win.cmp = {
    open: () => showDialog(1),
    consent: inForce,
    on(event, fn) {
      if (event != 'change' || typeof fn != 'function') return;
      subscribers.push(fn);
      if (current) notify(fn); // late subscribers hear the decision in force
    },
    ready,
    scan,
  };
  const queued = Array.isArray(win.cmpq) ? win.cmpq : [];
  win.cmpq = { push: (...commands) => commands.forEach(run) };
  queued.forEach(run);

  // 3. Settings links: a click, or Enter / Space on an element that is not a link or button
  //    (those open on Enter by themselves, with a click).
  const opener = (e) => {
    const el = e.target.closest?.('[data-cmp-open]');
    if (!el || (e.key && (el.closest('a[href],button') || (e.key != 'Enter' && e.key != ' ')))) return;
    e.preventDefault();
    showDialog(1);
  };
  doc.addEventListener('click', opener);
  doc.addEventListener('keydown', opener);

  // 4. As the next task (so the script's own start stays short): the config request and
  //    the cookie read in parallel, blocked markup, the queue of a previous page.
  setTimeout(() => {
    if (!site) return console.error('cmp: the script tag has no data-site');
    fetchConfig();
    firstRead = win.cookieStore
      ? cookieStore.get(COOKIE).then((c) => parseCookie(c?.value), readCookie)
      : Promise.resolve(readCookie());
    if (doc.readyState == 'loading') doc.addEventListener('DOMContentLoaded', scan);
    else scan();
    leftOver = send();
  });
}
