/**
 * Making, applying and announcing decisions.
 *
 * Applying a decision: Google Consent Mode `update`, release of what it allows (tags.js),
 * and the announcements: `cmp.on('change')` subscribers, the dataLayer event `cmp_consent`
 * and the DOM event `cmp:change` (dispatched no earlier than DOMContentLoaded, so listeners
 * added by any script of the page's HTML hear a stored decision too). A new decision is
 * written to the cookie and queued at once (it holds even offline); the withdrawal cleanup
 * and the sending follow from the on-demand chunk.
 */

import { gpc } from './env.js';
import { doc, now, win } from './util.js';
import {
  categories,
  config,
  current,
  grants,
  keys,
  publicView,
  readCookie,
  recipients,
  setCurrent,
  writeCookie,
} from './state.js';
import { scan } from './tags.js';
import { closeDialog } from './dialog.js';
import { enqueue } from './server.js';
import { later } from './later.js';

/** The four Consent Mode v2 signals, all denied: the `default`, and the base of every update. */
export const DENIED = {
  ad_storage: 'denied',
  analytics_storage: 'denied',
  ad_user_data: 'denied',
  ad_personalization: 'denied',
};

/** An operator text from the config ("" if none; the config carries every text the core
 * shows, in the page's language). */
export const text = (key) => {
  const t = config?.texts?.[key];
  return typeof t == 'string' ? t : '';
};

/** Functions registered with cmp.on('change', fn). */
export const subscribers = [];

/** Call one subscriber with the current decision (errors go to the console, not the page). */
export const notify = (fn) => {
  try {
    fn(publicView(current));
  } catch (e) {
    console.error(e);
  }
};

/** Consent Mode update and release of tags for the decision in force. */
export function enforce() {
  const granted = grants(current).c;
  const update = { ...DENIED };
  for (const c of categories())
    for (const signal of c.gcm || []) if (granted.includes(c.key)) update[signal] = 'granted';
  win.gtag('consent', 'update', update);
  scan();
}

/** Delete what the categories a decision leaves off left behind (withdraw.js, in the chunk). */
export const cleanUp = (s) => {
  const granted = grants(s);
  later((chunk) => chunk.wipe(granted));
};

/** Put a decision in force; a new one (`isNew`) is also written to the cookie first. */
export function apply(s, isNew) {
  setCurrent(s);
  if (isNew) {
    writeCookie(s);
    cleanUp(s);
  }
  enforce();
  const detail = { ...publicView(s), new: !!isNew };
  win.dataLayer.push({ event: 'cmp_consent', cmp: detail });
  subscribers.forEach(notify);
  const dispatch = () => doc.dispatchEvent(new CustomEvent('cmp:change', { detail }));
  if (doc.readyState == 'loading') doc.addEventListener('DOMContentLoaded', dispatch, { once: true });
  else dispatch();
}

/**
 * Record a decision: granted categories (required ones always), recipients that link data
 * only when named in `named`; the others of a granted category follow it unless `exact`
 * (the iframe placeholder grants one recipient and no other).
 */
export function decide(on, named, method, exact) {
  const c = keys(categories().filter((x) => x.required || on.includes(x.key)));
  const r = keys(
    recipients().filter(
      (x) => c.includes(x.category) && (named.includes(x.key) || (!exact && !x.links_personal_data)),
    ),
  );
  const s = { pv: config.policy_version, vid: (current || readCookie())?.vid || '', c, r, gpc, t: now(), m: method };
  closeDialog();
  apply(s, 1);
  enqueue(s);
}

/** 同意する (true) or 拒否する (false) for everything. */
export const decideAll = (yes) => decide(yes ? keys(categories()) : [], yes ? keys(recipients()) : [], 'banner');
