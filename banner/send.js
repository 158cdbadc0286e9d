/**
 * Sending the decision queue (part of the on-demand chunk): one tab at a time (Web Locks),
 * oldest entry first, with the recovery per problem code listed in server.js (docs/banner.md,
 * "Decisions, the retry queue and problem codes"). The queue itself is kept by the core
 * (server.js `queue`), which loads this chunk whenever there is something to send.
 */

import { VISITOR_ID, cookieJar, nav } from './util.js';
import {
  call,
  fetchConfig,
  isRefusal,
  queue,
  readCookie,
  refuse,
  isRefused,
  liveConfig,
  liveCurrent,
  setConfig,
  site,
  writeCookie,
} from 'cmp:core';
import { rememberSync } from './sync.js';

const ALIAS_VALUE = /^[\x21-\x7e]{1,256}$/; // what the server accepts as an alias value

let busy = false;
let retryTimer;
let retryDelay = 0;

/** Give the visitor id of the stored decision (and of the one in force) a new value. */
export function setVisitorId(vid) {
  for (const s of [liveCurrent(), readCookie()])
    if (s) {
      s.vid = vid;
      writeCookie(s);
    }
}

/** Send the queue and schedule a retry on failure (`fresh`: the back-off starts over). */
export async function flush(fresh) {
  if (fresh) retryDelay = 0;
  if (busy || isRefused() || !queue().length) return;
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
  for (let entry; !isRefused() && (entry = queue()[0]); ) {
    const { q, ...body } = entry;
    const vid = (liveCurrent() || readCookie())?.vid;
    const jar = cookieJar();
    if (vid) body.visitor_id = vid;
    // values the server would refuse are left out (it ignores bad ones too): an alias
    // never sinks a decision
    body.aliases = (liveConfig()?.alias_cookies || [])
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
