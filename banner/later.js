/**
 * The on-demand chunk: static/cmp-settings.js, built from banner/chunk.js beside cmp.js,
 * holds what a first visit does not need before the banner shows: the settings layer, the
 * sending of the decision queue, the opt-out sync, the withdrawal cleanup and the iframe
 * placeholder. cmp.js loads it (a plain <script> from its own directory, with the page's
 * nonce: the same CSP rule, no eval) when the visitor aims at a button of the first layer,
 * after a decision, when a queue is left to send, when the server's state must be fetched,
 * or when a blocked iframe needs its placeholder.
 *
 * The chunk gets what it uses of the core through its own <script> element (`bridge` below),
 * no global; what changes over time comes as functions.
 */

import { CONFIG_TIMEOUT_MS, chunkUrl, gpc, lang, nonce, save, site, theme } from './env.js';
import { doc } from './util.js';
import {
  SYNC_KEY,
  allowed,
  categories,
  config,
  current,
  readCookie,
  recipient,
  recipients,
  setConfig,
  upToDate,
  writeCookie,
} from './state.js';
import { decide, decideAll, text } from './decide.js';
import { back, baseSheet, buttons, element, facts, link, named, note, styleSheet, title } from './dialog.js';
import { call, fetchConfig, isRefusal, queue, refuse, refused } from './server.js';
import { scan } from './tags.js';

/** Values that change after the chunk ran, handed over as functions. */
const liveConfig = () => config;
const liveCurrent = () => current;
const decision = () => (current && upToDate(current) ? current : null);
const isRefused = () => refused;

/**
 * What the chunk gets of the core, by position (cheaper in cmp.js than names): the chunk's
 * modules import these names from `cmp:core`, a module banner/build.mjs derives from this very
 * list (one name per line; the chunk's `done` follows the last), so the two cannot disagree.
 */
const bridge = () => [
  CONFIG_TIMEOUT_MS,
  SYNC_KEY,
  gpc,
  lang,
  site,
  liveConfig,
  liveCurrent,
  decision,
  isRefused,
  allowed,
  back,
  baseSheet,
  buttons,
  call,
  categories,
  decide,
  decideAll,
  element,
  facts,
  fetchConfig,
  isRefusal,
  link,
  named,
  note,
  queue,
  readCookie,
  recipient,
  recipients,
  refuse,
  save,
  scan,
  setConfig,
  styleSheet,
  text,
  theme,
  title,
  writeCookie,
];

/** The chunk's exports once its script ran (null again after a failed load: retried). */
let loading;
const load = () =>
  (loading ||= new Promise((resolve, reject) => {
    const tag = doc.createElement('script');
    tag.src = chunkUrl;
    tag.nonce = nonce || '';
    tag.cmp = [...bridge(), resolve];
    tag.onerror = () => {
      loading = null; // tried again on the next need
      reject();
    };
    doc.head.append(tag);
  }));

/**
 * Run fn with the chunk's exports once it is there; resolves to fn's result, or to
 * undefined when the chunk cannot be had within CONFIG_TIMEOUT_MS (offline, a hung host):
 * what it was for is tried again later (next click, next page, `online`).
 */
export const later = (fn) =>
  Promise.race([load(), new Promise((_, reject) => setTimeout(reject, CONFIG_TIMEOUT_MS))]).then(fn, () => {});
