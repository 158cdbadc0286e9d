/**
 * Pure helpers shared by both built files (cmp.js and the on-demand cmp-settings.js): no
 * state and no reading of the page's settings, so the chunk may bundle its own copy.
 */

export const win = window;
export const doc = document;
export const nav = navigator;

/** Keys of categories and recipients, and the shape of a signed visitor id. */
export const KEY = /^[a-z0-9_-]+$/;
export const VISITOR_ID = /^[\w-]+\.[\w-]+$/;

/** Unix time in seconds. */
export const now = () => Math.floor(Date.now() / 1000);

/** Run fn on every element matching selector under root. */
export const each = (selector, fn, root = doc) => root.querySelectorAll(selector).forEach(fn);

/** The page's cookies by name. */
export const cookieJar = () =>
  Object.fromEntries(
    doc.cookie.split(/; */).map((c) => [c.split('=')[0], c.slice(c.indexOf('=') + 1)]),
  );

/** A glob of the config ("_ga_*") as an anchored regular expression over several globs. */
export const globs = (list) =>
  new RegExp(
    `^(${list.map((p) => String(p).replace(/[^\w*]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`,
  );
