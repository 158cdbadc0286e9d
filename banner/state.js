/**
 * The site config, the visitor's decision and what that decision lets run.
 *
 * A decision is kept as { pv, vid, c, r, gpc, t, m }: the policy version it answered, the
 * signed visitor id ("" until the server stored it), the granted category and recipient
 * keys, whether GPC was on, its Unix time and its method. It lives in the first-party cookie
 * `cmp_consent` (format in docs/banner.md, parsed in Python by cmp.cookie); the method and
 * the server's change counter are kept in localStorage (`cmp_method:<site>`,
 * `cmp_sync:<site>`), since the cookie format stays as it is.
 */

import { load, save, site } from './env.js';
import { KEY, VISITOR_ID, cookieJar, doc, now } from './util.js';

export const COOKIE = 'cmp_consent';
export const SYNC_KEY = 'cmp_sync:' + site;
const METHOD_KEY = 'cmp_method:' + site;

/** The current config (null until one arrived or was read from the cache). */
export let config = null;
/** The decision in force on this page (null before one is known). */
export let current = null;

/** A config is usable when it names a policy version and its categories. */
export const usable = (c) => (c?.policy_version > 0 && c.categories ? c : null);
export const setConfig = (c) => (config = c);
export const setCurrent = (s) => (current = s);

export const categories = () => (config?.categories || []).filter((c) => KEY.test(c.key));
export const recipients = () => (config?.recipients || []).filter((r) => KEY.test(r.key));
export const keys = (list) => list.map((x) => x.key);
export const recipient = (key) => recipients().find((r) => r.key == key);
export const lifetime = () => (config?.consent_lifetime_days || 395) * 86400;

/** Parse the cookie value `1~pv~vid~categories~recipients~gpc~t` (null if malformed). */
export function parseCookie(value) {
  const p = value?.split('~');
  if (p?.length != 7 || p[0] != '1' || !(+p[1] > 0)) return null;
  const list = (s) => (s ? s.split('+').filter((k) => KEY.test(k)) : []);
  return {
    pv: +p[1],
    vid: VISITOR_ID.test(p[2]) ? p[2] : '',
    c: list(p[3]),
    r: list(p[4]),
    gpc: p[5] == '1',
    t: +p[6] || 0,
    m: load(METHOD_KEY) || 'banner',
  };
}
export const readCookie = () => parseCookie(cookieJar()[COOKIE]);

/** Write the decision to the cookie, on the site's cookie_domain when the config names one. */
export function writeCookie(s) {
  const domain = /^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(config?.cookie_domain)
    ? ';domain=' + config.cookie_domain
    : '';
  const tail = ';path=/;SameSite=Lax' + (location.protocol == 'https:' ? ';Secure' : '');
  // A host-only copy from before the domain was set would shadow the shared one.
  if (domain) doc.cookie = COOKIE + '=;max-age=0' + tail;
  const value = [1, s.pv, s.vid, s.c.join('+'), s.r.join('+'), +s.gpc, s.t].join('~');
  doc.cookie = `${COOKIE}=${value};max-age=${Math.max(0, s.t + lifetime() - now())}${domain}${tail}`;
  if (s.m) save(METHOD_KEY, s.m);
}

/** True when the decision answers the current policy version and has not expired. */
export const upToDate = (s) => s && s.pv >= config.policy_version && s.t + lifetime() > now();
export const expired = (s) => s.t + lifetime() <= now();

const NOTHING = { c: [], r: [] };
/** What a decision under an older policy version lets run: the chunk's rule (older.js), set
 * by main.js once the chunk is there; until then such a decision lets nothing run. */
let older = () => NOTHING;
export const setOlder = (rule) => (older = rule);

/**
 * What a decision lets run under the current config (DESIGN.md, "Embed contract"): under
 * the current version, what it granted; under an older version, what older.js allows.
 */
export const grants = (s) =>
  !s || !config || expired(s) ? NOTHING : s.pv >= config.policy_version ? s : older(s);

/** Whether a blocked element may run: its category granted, and its recipient if it names one. */
export function allowed(el) {
  if (el.cmpOnce) return true; // "show once" on a placeholder
  const g = grants(current);
  const category = el.dataset.cmpCategory;
  const name = el.dataset.cmpRecipient;
  return name
    ? !!current?.c.includes(category) && g.r.includes(name)
    : g.c.includes(category) || categories().some((c) => c.key == category && c.required);
}

/** Every category or recipient of `all` by key: true if `on` lists it. */
export const choices = (all, on) => Object.fromEntries(keys(all).map((k) => [k, on.includes(k)]));

/** The decision as the JS API shows it. */
export const publicView = (s) => ({
  policy_version: s.pv,
  visitor_id: s.vid || null,
  categories: choices(categories(), s.c),
  recipients: choices(recipients(), s.r),
  gpc: s.gpc,
  method: s.m || 'banner',
  decided_at: s.t,
});
