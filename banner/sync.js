/**
 * Opt-outs recorded by the server (part of the on-demand chunk; docs/banner.md, "Opt-outs
 * recorded by the server"). The core loads it only when the config's change counter `sync`
 * is ahead of the one remembered with the stored decision (state.js `needsSync`), so a
 * visitor whose counter is current makes no extra request.
 */

import { KEY, now } from './util.js';
import { CONFIG_TIMEOUT_MS, SYNC_KEY, call, isRefusal, refuse, save, writeCookie } from 'cmp:core';
import { setVisitorId } from './send.js';

/** Remember the server's change counter for the stored decision (from a 201 or a sync). */
export const rememberSync = (n) => typeof n == 'number' && save(SYNC_KEY, n);

/** A consent state of the server (consent-state, or a 201's "consent") as a decision. */
function fromServer(state, vid) {
  const on = (m) => Object.keys(m || {}).filter((k) => m[k] === true && KEY.test(k));
  return {
    pv: state.policy_version,
    vid,
    c: on(state.categories),
    r: on(state.recipients),
    gpc: !!state.gpc,
    t: Math.floor(Date.parse(state.updated_at) / 1000) || now(),
    m: state.method,
  };
}

/**
 * Ask the server for this visitor's state once (bounded by the config timeout), before the
 * stored decision `s` is applied: an operator's opt-out then turns categories off here too,
 * the cookie is rewritten and the settings show it. Returns the server's decision, or null.
 */
export async function syncWithServer(s) {
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
