/**
 * The dialog: a first layer (a non-blocking box or bar by default, a modal with
 * data-layout="modal") and the settings (always modal), in an open shadow root styled by one
 * constructed stylesheet (no inline style, no <style> element: strict-CSP safe).
 *
 * Keyboard: Tab / Shift+Tab wrap inside a modal; Esc in the settings goes back to the first
 * layer (or closes them when opened from a settings link); Esc on the first layer does
 * nothing, since the first layer asks for a decision and a dismissal is none.
 * Operator texts are only ever set as text; links accept only http(s) URLs.
 *
 * The settings layer is not part of cmp.js: it is banner/settings.js, in the on-demand chunk
 * (later.js) that cmp.js loads, with the full config, when the visitor aims at or opens the
 * settings; the first layer's other buttons fetch the chunk too (a decision sends through it).
 */

import { gpc, lang, setting, theme } from './env.js';
import { doc } from './util.js';
import { categories, config, recipients } from './state.js';
import { decideAll, text } from './decide.js';
import { fetchFullConfig } from './server.js';
import { later } from './later.js';

/* CSS_TEXT is banner/style.css, minified and inlined by banner/build.mjs. */
/* global CSS_TEXT */

let sharedSheet, host, root, dialog, heading, view, returnFocus;
/** The settings layer once the chunk is there: { view, sheet }. */
let settingsLayer;
/** Bumped whenever the dialog closes or changes view: a late chunk opens nothing stale. */
let ticket = 0;
/** True while the visitor owes a decision (first visit, new policy): the first layer stays. */
let needed = false;
/** A view asked for before the config arrived (shown once it does). */
let wanted = null;

export const styleSheet = (css) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  return sheet;
};
export const baseSheet = () => sharedSheet || (sharedSheet = styleSheet(CSS_TEXT));

/** A DOM element; children are elements or text (never HTML); `on…` keys are listeners. */
export function element(tag, attributes, children = []) {
  const e = doc.createElement(tag);
  for (const k in attributes)
    if (k.startsWith('on')) e[k] = attributes[k];
    else e.setAttribute(k, attributes[k]);
  for (const c of children) if (c) e.append(c.nodeType ? c : String(c));
  return e;
}

/** A link with an operator text, only for http(s) URLs (else nothing). */
export function link(label, url) {
  try {
    url = new URL(url, location.href);
  } catch (e) {
    return '';
  }
  return /^https?:$/.test(url.protocol)
    ? element('a', { href: url.href, target: '_blank', rel: 'noopener' }, [label])
    : '';
}

const separator = lang == 'ja' ? '、' : ', ';

/** What a recipient receives and why, and (abroad) the foreign-country information. */
export function facts(r) {
  const rows = [
    ['items_label', (r.items || []).join(separator)],
    ['purpose_label', r.purpose],
    ['recipient_purpose_label', r.recipient_purpose],
    ['country_label', r.country],
    ['system_label', r.foreign?.system],
    ['measures_label', r.foreign?.measures],
  ];
  return element(
    'dl',
    {},
    rows.flatMap(([label, value]) => (value ? [element('dt', {}, [text(label)]), element('dd', {}, [value])] : [])),
  );
}

export const named = (r) => [element('strong', {}, [r.name]), r.service && r.service != r.name ? ` (${r.service})` : ''];
export const note = (key) => text(key) && element('p', { class: 'note' }, [text(key)]);
export const title = (key) => (heading = element('h2', { id: 'cmp-title', tabindex: '-1' }, [text(key)]));
export const buttons = (list) =>
  element('div', { class: 'row' }, list.map(([key, onclick, more]) => element('button', { type: 'button', onclick, ...more }, [text(key)])));

/** The first layer: notice, links, the recipients that link data (APPI Art. 31), three equal buttons. */
function firstLayer() {
  const linking = recipients().filter((r) => r.links_personal_data);
  const links = config.links || {};
  return [
    title('title'),
    element('p', { id: 'cmp-text' }, [text('body')]),
    gpc && note('gpc_note'),
    element('p', { class: 'links' }, [
      link(text('external_transmission'), links.external_transmission),
      link(text('privacy_policy'), links.privacy_policy),
    ]),
    linking.length &&
      element('section', {}, [
        element('h3', {}, [text('linking_title')]),
        element('p', {}, [text('linking_body')]),
        element('ul', {}, linking.map((r) => element('li', {}, [...named(r), facts(r)]))),
      ]),
    buttons([
      // the chunk is fetched as soon as the visitor aims at a button (pointer or focus): a
      // decision is sent through it, the settings are drawn by it
      ['accept_all', () => decideAll(true), aim],
      ['reject_all', () => decideAll(false), aim],
      ['settings', () => showDialog(1), { onpointerenter: loadSettings, onfocus: loadSettings }],
    ]),
  ];
}

const modalLayout = () => setting('layout') == 'modal';

/** Show view 0 (first layer) or 1 (settings): a modal for the settings and the modal layout. */
function render(v) {
  const modal = !!(v || modalLayout());
  view = v;
  if (dialog.open && dialog.matches(':modal') != modal) dialog.close();
  if (!dialog.open) {
    if (modal) dialog.showModal();
    else dialog.show();
  }
  dialog.setAttribute('aria-modal', modal);
  host.className = `${setting('layout') || 'box'} ${theme()}`;
  root.adoptedStyleSheets = v ? [baseSheet(), settingsLayer.sheet] : [baseSheet()];
  const parts = (v ? settingsLayer.view(dialog) : firstLayer()).filter(Boolean);
  const actions = parts.pop();
  dialog.replaceChildren(element('div', { class: 'scroll' }, parts), actions);
  // Focus in the next frame, where its style and layout are done anyway: a focus() here
  // forces them into this task, which makes it a long one on a phone's CPU (TBT).
  const target = heading;
  requestAnimationFrame(() => target.isConnected && target.focus({ preventScroll: true }));
}

function mount() {
  if (host?.isConnected) return;
  host = doc.createElement('cmp-banner');
  root = host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [baseSheet()];
  dialog = element('dialog', { 'aria-labelledby': 'cmp-title', 'aria-describedby': 'cmp-text', lang: config.lang || lang });
  dialog.onkeydown = (e) => {
    if (e.key == 'Escape') {
      e.preventDefault(); // our own rule, not the browser's close request
      back();
    }
    if (e.key != 'Tab' || !dialog.matches(':modal')) return; // focus trap of the modal
    const focusable = dialog.querySelectorAll('a[href],button,input:not([disabled])');
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = root.activeElement;
    if (e.shiftKey ? active == first || active == heading : active == last) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  };
  dialog.oncancel = (e) => {
    e.preventDefault();
    back();
  };
  root.append(dialog);
  (doc.body || doc.documentElement).append(host);
}

/** Esc or ×: from the settings back to a first layer still owed, else close. */
export function back() {
  if (view && needed) render(0);
  else if (view) closeDialog();
}

const prefetch = () => later(() => {});
const aim = { onpointerenter: prefetch, onfocus: prefetch };

/** The chunk's settings layer and the full config (once; both again after a failure). */
let full;
function loadSettings() {
  if (!config.full) full ||= fetchFullConfig().finally(() => (full = null));
  const layer = later((chunk) => (settingsLayer ||= { view: chunk.view, sheet: styleSheet(chunk.css) }));
  return Promise.all([layer, full]);
}

/**
 * Open the dialog on view v (0 first layer, 1 settings), once the config is there; the
 * settings once their chunk and the full config are (`loaded`: tried, use what there is).
 */
export function showDialog(v, loaded) {
  if (!config) return (wanted = v);
  wanted = null;
  const mine = ++ticket;
  if (v && !loaded && !(settingsLayer && config.full))
    return loadSettings().then(
      () => mine == ticket && (settingsLayer ? showDialog(v, 1) : console.error('cmp: the settings could not be loaded')),
    );
  if (!dialog?.open) returnFocus = doc.activeElement;
  mount();
  render(v);
}

/** The first layer owed by a visitor without a current decision. */
export function askForDecision() {
  needed = true;
  if (!dialog?.open) showDialog(0);
}

/** Show a view asked for before the config arrived. */
export const showWanted = () => wanted != null && showDialog(wanted);

export function closeDialog() {
  needed = false;
  ticket++;
  if (dialog?.open) {
    dialog.close();
    returnFocus?.focus?.({ preventScroll: true });
  }
}
