/**
 * Blocked markup and what consent releases (DESIGN.md, "Embed contract"):
 *
 *   <script type="text/plain" data-cmp-category="analytics" [data-cmp-recipient="key"]>
 *   <iframe data-cmp-category="…" [data-cmp-recipient] data-src="…">   (a placeholder meanwhile)
 *   <img data-cmp-category="…" [data-cmp-recipient] data-src="…" [data-srcset]>
 *   <link data-cmp-category="…" [data-cmp-recipient] data-href="…">
 *
 * An element runs only while `allowed` says so (category, recipient, policy version).
 * Withdrawal deletes the cookies and storage keys the config lists for the category.
 */

import { cookieJar, doc, each, globs, theme } from './env.js';
import { allowed, categories, config, current, recipient } from './state.js';
import { decideOne, text } from './decide.js';
import { element, styleSheet, baseSheet } from './dialog.js';

const BLOCKED = '[data-cmp-category]';

/**
 * A blocked iframe never makes the page wider than its container (a 480 px video on a
 * 390 px phone): one constructed stylesheet adopted by the document when cmp.js runs (CSS
 * only: no inline style, strict-CSP safe). Capping the width moves nothing (the frame's
 * corner and height stay), so it is safe whenever it lands. Its height follows the aspect
 * ratio of its width and height attributes only where nothing can have been painted yet
 * (cmp.js running before <body>: the synchronous embed); later, that would move the page
 * below it. The placeholder takes the frame's drawn box (`placeholder`), so nothing moves.
 */
export function fitFrames() {
  const ratio = doc.body
    ? ''
    : `@supports (aspect-ratio:attr(width type(<number>))/1){iframe${BLOCKED}[width][height]{height:auto;aspect-ratio:attr(width type(<number>))/attr(height type(<number>))}}`;
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, styleSheet(`iframe${BLOCKED}{max-width:100%}` + ratio)];
}

/** Release every element that is allowed now; put placeholders over blocked iframes. */
export function scan() {
  each(`script[type="text/plain"]${BLOCKED}`, (el) => {
    if (!allowed(el)) return;
    const run = doc.createElement('script');
    for (const a of el.attributes) if (a.name != 'type') run.setAttribute(a.name, a.value);
    if (el.dataset.cmpType) run.type = el.dataset.cmpType;
    if (el.nonce) run.nonce = el.nonce; // the nonce attribute reads back empty
    if (!el.hasAttribute('async')) run.async = false; // keep the page's order
    run.text = el.text;
    el.replaceWith(run);
  });
  each(`img${BLOCKED}[data-src]`, (img) => {
    if (!allowed(img)) return;
    if (img.dataset.srcset) img.srcset = img.dataset.srcset;
    img.src = img.dataset.src;
    img.removeAttribute('data-src');
  });
  each(`link${BLOCKED}[data-href]`, (link) => {
    if (!allowed(link)) return;
    link.href = link.dataset.href;
    link.removeAttribute('data-href');
  });
  each('cmp-frame', (p) => allowed(p.frame) && p.replaceWith(p.frame));
  each(`iframe${BLOCKED}[data-src]`, (frame) => {
    if (allowed(frame)) {
      if (frame.getAttribute('src') != frame.dataset.src) frame.src = frame.dataset.src;
      return;
    }
    if (frame.hasAttribute('src')) frame.src = 'about:blank';
    // After a frame has been drawn, reading the iframe's box forces no extra layout.
    if (config)
      requestAnimationFrame(() =>
        setTimeout(() => frame.isConnected && !allowed(frame) && frame.replaceWith(placeholder(frame))),
      );
  });
}

/**
 * A placeholder of exactly the iframe's drawn box (same width, height, display and margins;
 * at most as wide as its container, as the iframe is by `fitFrames`). It names the service and offers consent to that recipient only (or to the
 * category for an iframe without a recipient), or to show it this once without storing
 * anything.
 */
function placeholder(frame) {
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
      element('p', {}, [text(who ? 'iframe_service' : 'iframe_placeholder')]),
      element('strong', {}, [
        who ? who.name + (who.service && who.service != who.name ? `（${who.service}）` : '') : category?.name || categoryKey,
      ]),
      element('div', { class: 'row' }, [
        element('button', { type: 'button', onclick: () => decideOne(categoryKey, who?.key) }, [
          text('iframe_button'),
        ]),
        element('button', { type: 'button', class: 'quiet', onclick: showOnce }, [text('load_once')]),
      ]),
    ]),
  );
  return host;
}

/**
 * Delete what the categories not granted leave behind: their cookies (`cookies`, on this
 * host and each parent domain) and their localStorage / sessionStorage keys (`storage`).
 */
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

