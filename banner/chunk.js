/**
 * The on-demand chunk, built by banner/build.mjs into static/cmp-settings.js beside cmp.js
 * and loaded by it (later.js) only when needed: the settings layer, the sending of the
 * decision queue, the opt-out sync, the withdrawal cleanup, the iframe placeholder and the
 * rule for decisions under an older policy version. It
 * hands its exports and its stylesheets back to the core through `done`; what it uses of the
 * core comes from `cmp:core` (banner/later.js `bridge`, made a module by banner/build.mjs).
 */

/* SETTINGS_CSS is banner/settings.css, minified and inlined by banner/build.mjs. */
/* global SETTINGS_CSS */

import { done } from 'cmp:core';
import { view } from './settings.js';
import { flush } from './send.js';
import { syncWithServer } from './sync.js';
import { wipe } from './withdraw.js';
import { cover } from './placeholder.js';
import { older } from './older.js';

done({ view, css: SETTINGS_CSS, flush, syncWithServer, wipe, cover, older });
