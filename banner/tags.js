/**
 * Blocked markup and what consent releases (DESIGN.md, "Embed contract"):
 *
 *   <script type="text/plain" data-cmp-category="analytics" [data-cmp-recipient="key"]>
 *   <iframe data-cmp-category="…" [data-cmp-recipient] data-src="…">   (a placeholder meanwhile)
 *   <img data-cmp-category="…" [data-cmp-recipient] data-src="…" [data-srcset]>
 *   <link data-cmp-category="…" [data-cmp-recipient] data-href="…">
 *
 * An element runs only while `allowed` says so (category, recipient, policy version).
 * The iframe placeholder (placeholder.js) and the withdrawal cleanup (withdraw.js) are in the
 * on-demand chunk: neither is needed before the banner shows.
 */

import { doc, each } from './util.js';
import { allowed, config } from './state.js';
import { styleSheet } from './dialog.js';
import { later } from './later.js';

const BLOCKED = '[data-cmp-category]';

/**
 * A blocked iframe never makes the page wider than its container (a 480 px video on a
 * 390 px phone): one constructed stylesheet adopted by the document when cmp.js runs (CSS
 * only: no inline style, strict-CSP safe). Capping the width moves nothing (the frame's
 * corner and height stay), so it is safe whenever it lands. Its height follows the aspect
 * ratio of its width and height attributes only where nothing can have been painted yet
 * (cmp.js running before <body>: the synchronous embed); later, that would move the page
 * below it. The placeholder takes the frame's drawn box (placeholder.js), so nothing moves.
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
        setTimeout(() => frame.isConnected && !allowed(frame) && later((chunk) => chunk.cover(frame))),
      );
  });
}
