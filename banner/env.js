/**
 * The page the banner runs in and the settings of its own <script> tag.
 *
 * Attributes read from the tag that loaded cmp.js (docs/banner.md, "Embedding"):
 *   data-site     the site key (required)
 *   data-api      where the cmp API lives when the file is served from elsewhere (the
 *                 operator's own origin or CDN): e.g. "https://cmp.example.jp"
 *   data-layout   "box" (default), "bar" or "modal": how the first layer shows
 *   data-theme    "auto" (default, follows prefers-color-scheme), "light" or "dark"
 *   data-timeout  milliseconds after which the config request gives up (default 5000)
 */

import { doc, nav } from './util.js';

/** The <script> element of cmp.js (currentScript is set for sync and async scripts alike). */
const ownTag = doc.currentScript || doc.querySelector('script[data-site][src*="cmp"]');

/** One data- attribute of the script tag, or "". */
export const setting = (name) => ownTag?.getAttribute('data-' + name) || '';

export const site = setting('site');

/** The directory cmp.js came from: the settings chunk is beside it (same version). */
const dir = ownTag ? ownTag.src.replace(/[^/]*([?#].*)?$/, '') : '/';
/** The on-demand chunk (banner/chunk.js), built beside cmp.js; CHUNK_HASH (set by
 * banner/build.mjs) busts caches. */
/* global CHUNK_HASH */
export const chunkUrl = dir + 'cmp-settings.js?v=' + CHUNK_HASH;
/** The nonce of our own tag, given to the chunk's tag (a nonce-based CSP). */
export const nonce = ownTag?.nonce;

/** The API root of this site: data-api if given, else the directory cmp.js came from. */
const apiHost = setting('api');
export const api = (apiHost ? apiHost.replace(/\/*$/, '/') : dir) + 'api/v1/sites/' + encodeURIComponent(site);

/** ja or en: <html lang>, else the browser's language, else ja. */
const pickLanguage = (tag) =>
  ['ja', 'en'].find((l) => String(tag || '').toLowerCase().startsWith(l));
export const lang = pickLanguage(doc.documentElement.lang) || pickLanguage(nav.language) || 'ja';

/** Global Privacy Control as the browser reports it. */
export const gpc = nav.globalPrivacyControl === true;

export const CONFIG_TIMEOUT_MS = +setting('timeout') || 5000;

/** localStorage as JSON, falling back to memory when storage is blocked (the chunk uses
 * these through the core, so both share the memory). */
const memory = {};
export const load = (key) => {
  try {
    return JSON.parse(localStorage.getItem(key));
  } catch (e) {
    return memory[key] ?? null;
  }
};
export const save = (key, value) => {
  memory[key] = value;
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch (e) {
    /* memory only */
  }
};

/** "dark" when the site asks for it (data-theme) or, by default, the system does. */
export const theme = () =>
  setting('theme') == 'dark' ||
  (setting('theme') != 'light' && matchMedia('(prefers-color-scheme: dark)').matches)
    ? 'dark'
    : '';
