/**
 * Talking to the cmp API: the config, the decision queue and the opt-out sync.
 *
 * Recovery per problem code (CONTRACT D, docs/banner.md "Decisions and the retry queue"):
 *   409 policy_outdated            re-fetch the config and ask again; the decision is not sent
 *   400 invalid_visitor_id,
 *   404 unknown_visitor            drop the stored id, send as a fresh visitor
 *   (aliases: values the server would refuse are left out here; it ignores bad ones, E)
 *   403 origin_not_allowed         one console.error naming the fix; nothing non-essential
 *                                  runs; the decision stays queued, not retried on a loop
 *   429, 5xx, 408, network         stay queued, retry with back-off (and on `online`)
 *   any other 4xx                  console.error with the code; the cookie keeps the choice
 */

import { CONFIG_TIMEOUT_MS, VISITOR_ID, api, cookieJar, gpc, lang, load, nav, save, site, win } from './env.js';
import {
  SYNC_KEY,
  config,
  current,
  fromServer,
  readCookie,
  rememberSync,
  setConfig,
  usable,
  writeCookie,
} from './state.js';
import { configArrived } from './main.js';

const QUEUE_KEY = 'cmp_queue';
const CACHE_KEY = `cmp_config:${site}:${lang}`;
const ALIAS_VALUE = /^[\x21-\x7e]{1,256}$/; // what the server accepts as an alias value

/** Set once this origin is refused: nothing non-essential runs, nothing is retried. */
export let refused = false;

/** POST (or GET) JSON; resolves to [response, parsed body or {}]. */
async function call(path, body, extra) {
  const response = await fetch(api + path, {
    ...(body && { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    ...extra,
  });
  return [response, await response.json().catch(() => ({}))];
}

/** The one console error of a refused origin (the server's answer names the fix too). */
function refuse() {
  if (!refused)
    console.error(
      `cmp: this page's origin ${location.origin} is not allowed for site "${site}"; ` +
        `add ${location.origin} to the site's origins in the cmp admin. Nothing non-essential runs.`,
    );
  refused = true;
}

const isRefusal = (j) => j.code == 'origin_not_allowed';

// ---- the config -------------------------------------------------------------------

let configDelay = 0;

/** The last config this browser saw for the site, if usable. */
export const cachedConfig = () => usable(load(CACHE_KEY));

/**
 * Fetch the config's first-layer view (revalidated by ETag; the settings fetch the full one). It gives up after CONFIG_TIMEOUT_MS; then the
 * cached config is used if there is one, else nothing non-essential runs and it is retried
 * (2 s doubling to 5 min, and on `online`).
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
 * show what the first-layer view has. Resolves either way.
 */
export const fetchFullConfig = () =>
  call(`/config?lang=${lang}`, 0, { cache: 'no-cache', signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) }).then(
    ([response, j]) => response.ok && usable(j) && setConfig({ ...j, full: 1 }),
    () => {},
  );

// ---- decisions ----------------------------------------------------------------------

let busy = false;
let retryTimer;
let retryDelay = 0;

/** The queued decision bodies of this site (or, with a list, replace them). */
function queue(list) {
  const all = load(QUEUE_KEY) || {};
  if (!list) return all[site] || [];
  if (list.length) all[site] = list;
  else delete all[site];
  save(QUEUE_KEY, all);
}

/** Give the visitor id of the stored decision (and of the one in force) a new value. */
function setVisitorId(vid) {
  for (const s of [current, readCookie()])
    if (s) {
      s.vid = vid;
      writeCookie(s);
    }
}

const map = (all, on) => Object.fromEntries(all.map((k) => [k, on.includes(k)]));

/** Queue a decision for the server and send the queue. */
export function enqueue(s) {
  const body = {
    policy_version: s.pv,
    categories: map(config.categories.map((c) => c.key), s.c),
    recipients: map(config.recipients.map((r) => r.key), s.r),
    method: s.m,
    lang,
    gpc,
    q: Math.random(), // this entry's identity in the queue, not sent
  };
  queue([...queue(), body]);
  flush();
}

/** Send the queue (one tab at a time, Web Locks) and schedule a retry on failure. */
export async function flush() {
  if (busy || refused || !queue().length) return;
  busy = true;
  clearTimeout(retryTimer);
  try {
    await (nav.locks ? nav.locks.request('cmp_queue:' + site, drain) : drain());
    retryDelay = 0;
  } catch (e) {
    retryTimer = setTimeout(flush, (retryDelay = Math.min(retryDelay * 2 || 1000, 300000)));
  }
  busy = false;
}

async function drain() {
  for (let entry; !refused && (entry = queue()[0]); ) {
    const { q, ...body } = entry;
    const vid = (current || readCookie())?.vid;
    const jar = cookieJar();
    if (vid) body.visitor_id = vid;
    body.aliases = (config?.alias_cookies || [])
      .filter((n) => ALIAS_VALUE.test(jar[n] || ''))
      .map((n) => ({ type: 'cookie:' + n, value: jar[n] }));
    const [response, j] = await call('/consents', body);
    const drop = () => queue(queue().filter((x) => x.q != q));
    if (VISITOR_ID.test(j.visitor_id)) setVisitorId(j.visitor_id); // 201, or a 503: retry as it
    if (response.ok) {
      rememberSync(j.sync);
      drop();
    } else if (j.code == 'invalid_visitor_id' || j.code == 'unknown_visitor') {
      if (!vid) throw response; // nothing to drop: treat as a server fault
      setVisitorId('');
    } else if (isRefusal(j)) {
      refuse(); // kept in the queue; sent again on a later page once the origin is added
    } else if (response.status >= 500 || response.status == 429 || response.status == 408) {
      throw response; // retry later
    } else if (j.code == 'policy_outdated') {
      drop(); // not sent under the old version: the visitor is asked again
      setConfig(null);
      fetchConfig();
    } else {
      console.error(`cmp: the server refused a decision (${j.code || response.status}); the choice stays in the cookie`);
      drop();
    }
  }
}

// ---- opt-outs recorded by the server (CONTRACT C) ------------------------------------

/**
 * When the config's change counter is ahead of the one remembered with the stored decision,
 * ask the server for this visitor's state once (bounded by the config timeout), before the
 * decision is applied: an operator's opt-out then turns categories off here too, the cookie
 * is rewritten and the settings show it. Returns the server's decision, or null.
 */
export async function syncWithServer(s) {
  if (refused || !s?.vid || queue().length || !(config.sync > (load(SYNC_KEY) ?? -1))) return null;
  try {
    const [response, j] = await call(
      '/consent-state',
      { visitor_id: s.vid },
      { signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) },
    );
    if (response.ok && j.consent) {
      rememberSync(j.sync);
      const fresh = fromServer(j.consent, s.vid);
      writeCookie(fresh);
      return fresh;
    }
    if (j.code == 'unknown_visitor' || j.code == 'invalid_visitor_id') setVisitorId('');
    if (isRefusal(j)) refuse();
  } catch (e) {
    /* offline or slow: asked again on the next page */
  }
  return null;
}

win.addEventListener('online', () => {
  retryDelay = 0;
  flush();
  if (!config) fetchConfig();
});
