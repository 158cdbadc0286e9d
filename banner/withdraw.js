/**
 * Withdrawal cleanup (part of the on-demand chunk, run after each new decision): delete what
 * the categories not granted leave behind, their cookies (`cookies`, on this host and each
 * parent domain) and their localStorage / sessionStorage keys (`storage`); cmp's own
 * `cmp_*` keys are kept. Scripts that already ran cannot be unrun; the Consent Mode `update`
 * tells Google's tags.
 */

import { cookieJar, doc, globs } from './util.js';
import { categories } from 'cmp:core';

/** Delete the cookies and storage keys of the categories `s` (a grants() result) leaves off. */
export function wipe(s) {
  const off = categories().filter((c) => !s.c.includes(c.key));
  const cookies = globs(off.flatMap((c) => c.cookies || []));
  const stored = globs(off.flatMap((c) => c.storage || []));
  const parts = location.hostname.split('.');
  for (const name in cookieJar())
    if (name && name != 'cmp_consent' && cookies.test(name))
      parts.forEach((_, i) => {
        doc.cookie = `${name}=;max-age=0;path=/${i ? ';domain=.' + parts.slice(i - 1).join('.') : ''}`;
      });
  for (const area of [localStorage, sessionStorage])
    try {
      for (const name of Object.keys(area))
        if (!name.startsWith('cmp_') && stored.test(name)) area.removeItem(name);
    } catch (e) {
      /* storage blocked: nothing of it to delete */
    }
}
