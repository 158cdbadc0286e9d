/**
 * The placeholder of a blocked iframe (part of the on-demand chunk, loaded by tags.js `scan`
 * once a blocked iframe has been drawn): a box of exactly the iframe's drawn size (same width,
 * height, display and margins; at most as wide as its container, as the iframe is by
 * tags.js `fitFrames`), so nothing moves. It names the service and offers consent to that
 * recipient only (or to the category for an iframe without a recipient), or to show it this
 * once without storing anything.
 */

import { doc } from './util.js';
import {
  allowed,
  baseSheet,
  categories,
  decide,
  element,
  lang,
  liveConfig,
  liveCurrent,
  recipient,
  scan,
  styleSheet,
  text,
  theme,
} from 'cmp:core';

/* FRAME_CSS is banner/placeholder.css, minified and inlined by banner/build.mjs. */
/* global FRAME_CSS */

/** Texts the config does not carry (it carries every other one, in the page's language). */
const BUILT_IN = {
  ja: {
    iframe_service: 'このコンテンツを表示するには、次のサービスへの同意が必要です。',
    load_once: '今回だけ表示',
  },
  en: {
    iframe_service: 'To show this content, consent to the following service.',
    load_once: 'Show once',
  },
}[lang];
const say = (key) => text(key) || BUILT_IN[key] || '';

let sheet;

/** The placeholder's consent: its category plus its recipient only (or the category). */
function decideOne(category, recipientKey) {
  const s = liveCurrent()?.pv >= liveConfig().policy_version ? liveCurrent() : { c: [], r: [] };
  decide([...s.c, category], recipientKey ? [...s.r, recipientKey] : [...s.r], 'preferences', !!recipientKey);
}

/** Put a placeholder over `frame`, unless it was released or covered meanwhile. */
export function cover(frame) {
  if (!frame.isConnected || allowed(frame)) return;
  const host = doc.createElement('cmp-frame');
  const root = host.attachShadow({ mode: 'open' });
  const box = getComputedStyle(frame);
  const block = box.display == 'block' ? 'block' : 'inline-block';
  const categoryKey = frame.dataset.cmpCategory;
  const who = recipient(frame.dataset.cmpRecipient);
  const category = categories().find((c) => c.key == categoryKey);
  host.frame = frame;
  host.className = theme();
  root.adoptedStyleSheets = [
    baseSheet(),
    (sheet ||= styleSheet(FRAME_CSS)),
    styleSheet(
      `:host{display:${block};width:${frame.offsetWidth}px;max-width:100%;height:${frame.offsetHeight}px;margin:${box.margin}}`,
    ),
  ];
  const showOnce = () => {
    frame.cmpOnce = 1;
    host.replaceWith(frame);
    scan();
  };
  root.append(
    element('div', { class: 'frame' }, [
      element('p', {}, [say(who ? 'iframe_service' : 'iframe_placeholder')]),
      element('strong', {}, [
        who ? who.name + (who.service && who.service != who.name ? `（${who.service}）` : '') : category?.name || categoryKey,
      ]),
      element('div', { class: 'row' }, [
        element('button', { type: 'button', onclick: () => decideOne(categoryKey, who?.key) }, [
          say('iframe_button'),
        ]),
        element('button', { type: 'button', class: 'quiet', onclick: showOnce }, [say('load_once')]),
      ]),
    ]),
  );
  frame.replaceWith(host);
}
