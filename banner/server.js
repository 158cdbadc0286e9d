/**
 * Talking to the cmp API, the part a first visit needs: the config (first-layer view, and the
 * full one for the settings), the decision queue in localStorage, and the refusal of an
 * origin. Sending the queue (with its recovery per problem code) and the opt-out sync live in
 * the on-demand chunk (send.js, sync.js), loaded when there is something to send or to sync.
 *
 * Recovery per problem code (docs/banner.md "Decisions, the retry queue and problem codes"):
 *   409 policy_outdated            re-fetch the config and ask again; the decision is not sent
 *   400 invalid_visitor_id,
 *   404 unknown_visitor            drop the stored id, send as a fresh visitor
 *   403 origin_not_allowed         one console.error naming the fix; nothing non-essential
 *                                  runs; the decision stays queued, not retried on a loop
 *   429, 5xx, 408, network         stay queued, retry with back-off (and on `online`)
 *   any other 4xx                  console.error with the code; the cookie keeps the choice
 */

import { CONFIG_TIMEOUT_MS, api, gpc, lang, load, save, site } from './env.js';
import { win } from './util.js';
import { categories, choices, config, recipients, setConfig, usable } from './state.js';
import { configArrived } from './main.js';
import { later } from './later.js';

const QUEUE_KEY = 'cmp_queue';
const CACHE_KEY = `cmp_config:${site}:${lang}`;

/** Set once this origin is refused: nothing non-essential runs, nothing is retried. */
export let refused = false;

/** POST (or GET) JSON; resolves to [response, parsed body or {}]. */
export async function call(path, body, extra) {
  const response = await fetch(api + path, {
    ...(body && { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    ...extra,
  });
  return [response, await response.json().catch(() => ({}))];
}

/** The one console error of a refused origin (the server's answer names the fix too). */
export function refuse() {
  if (!refused)
    console.error(
      `cmp: this page's origin ${location.origin} is not allowed for site "${site}": add it to ` +
        `the site's origins in the cmp admin. Nothing non-essential runs.`,
    );
  refused = true;
}

export const isRefusal = (j) => j.code == 'origin_not_allowed';

// ---- the config -------------------------------------------------------------------

let configDelay = 0;

/** The last config this browser saw for the site, if usable. */
export const cachedConfig = () => usable(load(CACHE_KEY));

/**
 * Fetch the config's first-layer view (revalidated by ETag; the settings fetch the full
 * one). It gives up after CONFIG_TIMEOUT_MS; then the cached config is used if there is one,
 * else nothing non-essential runs and it is retried (2 s doubling to 5 min, and on `online`).
 */
export function fetchConfig() {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), CONFIG_TIMEOUT_MS);
  call(`/config?lang=${lang}&view=banner`, 0, { cache: 'no-cache', signal: abort.signal })
    .then(([response, j]) => {
      if (isRefusal(j)) return refuse();
      if (!response.ok || !usable(j)) throw j;
      save(CACHE_KEY, j);
      setConfig(j);
      configDelay = 0;
      configArrived();
    })
    .catch(() => {
      if (!config && setConfig(cachedConfig())) return configArrived(); // server down: last config
      if (!config) configArrived(); // settles cmp.ready; nothing runs
      setTimeout(fetchConfig, (configDelay = Math.min(configDelay * 2 || 2000, 300000)));
    })
    .finally(() => clearTimeout(timer));
}

/**
 * The full config, for the settings (marked `full`); without it (offline, slow) the settings
 * show what the first-layer view has. Resolves either way. Asked for together with the
 * chunk, so the two requests run in parallel.
 */
export const fetchFullConfig = () =>
  call(`/config?lang=${lang}`, 0, { cache: 'no-cache', signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) }).then(
    ([response, j]) => response.ok && usable(j) && setConfig({ ...j, full: 1 }),
    () => {},
  );

// ---- the decision queue ---------------------------------------------------------------

/** The queued decision bodies of this site (or, with a list, replace them). */
export function queue(list) {
  const all = load(QUEUE_KEY) || {};
  if (!list) return all[site] || [];
  if (list.length) all[site] = list;
  else delete all[site];
  save(QUEUE_KEY, all);
}

/**
 * Queue a decision for the server (in localStorage at once, so no decision is lost even if
 * the chunk that sends it cannot be had now) and send the queue.
 */
export function enqueue(s) {
  const body = {
    policy_version: s.pv,
    categories: choices(categories(), s.c),
    recipients: choices(recipients(), s.r),
    method: s.m,
    lang,
    gpc,
    q: Math.random(), // this entry's identity in the queue, not sent
  };
  queue([...queue(), body]);
  send();
}

/** Have the chunk send the queue, if there is one and the origin is not refused
 * (`fresh`: retry at once, the back-off starts over). */
export const send = (fresh) => !refused && queue().length && later((chunk) => chunk.flush(fresh));

win.addEventListener('online', () => {
  send(1);
  if (!config) fetchConfig();
});
