/**
 * The settings layer of the banner (part of the on-demand chunk, banner/chunk.js), drawn by
 * dialog.js `render` with the chunk's stylesheet (settings.css) after style.css.
 *
 * The view: a switch per category with its recipients, their facts, policy and opt-out links,
 * and, for a recipient that links personal data (APPI Art. 31), its own switch.
 */

import {
  back,
  buttons,
  categories,
  decide,
  decideAll,
  decision,
  element,
  facts,
  gpc,
  link,
  named,
  note,
  recipients,
  text,
  title,
} from 'cmp:core';

/** A switch (a checkbox with the switch role, drawn as one by the stylesheet). */
function toggle(attribute, key, on, label) {
  const box = element('input', { type: 'checkbox', role: 'switch', class: 'switch', [attribute]: key, 'aria-label': label });
  box.checked = on;
  return box;
}

/** One recipient of a category: facts, links and (if it links data) its own switch. */
function recipientItem(r, s, box) {
  const kids = [
    ...named(r),
    facts(r),
    element('p', { class: 'links' }, [link(text('privacy_policy'), r.policy_url), link(text('opt_out_link'), r.opt_out_url)]),
  ];
  if (r.links_personal_data) {
    const label = `${r.name}: ${text('linking_toggle') || text('linking_title')}`;
    const own = toggle('data-r', r.key, !!s && s.r.includes(r.key), r.name);
    own.onchange = () => (box.checked ||= own.checked); // it needs its category
    kids.push(element('label', { class: 'head' }, [element('span', {}, [label]), own]));
  }
  return element('li', {}, kids);
}

/** The settings' parts; the last one is the row of buttons (dialog.js keeps it in view). */
export function view(dialog) {
  const s = decision();
  const parts = [
    element('div', { class: 'top' }, [
      title('settings'),
      element('button', { type: 'button', class: 'close', 'aria-label': text('close'), onclick: back }, ['×']),
    ]),
    gpc && note('gpc_note'),
    element('p', { id: 'cmp-text', class: 'note' }, [text('opt_out')]),
  ];
  for (const c of categories()) {
    const on = c.required || (s ? s.c.includes(c.key) : !!c.default && !(gpc && c.gpc));
    const box = toggle('data-c', c.key, on, c.name || c.key);
    box.disabled = !!c.required;
    const mine = recipients().filter((r) => r.category == c.key);
    parts.push(
      element('section', {}, [
        element('label', { class: 'head' }, [element('span', {}, [c.name || c.key]), box]),
        element('p', {}, [c.description, c.required && ' ' + text('essential_note')]),
        mine.length && element('h3', {}, [text('recipients_label')]),
        mine.length && element('ul', {}, mine.map((r) => recipientItem(r, s, box))),
      ]),
    );
  }
  const checked = (a) => [...dialog.querySelectorAll(`input[${a}]:checked`)].map((x) => x.getAttribute(a));
  parts.push(
    buttons([
      ['reject_all', () => decideAll(false)],
      ['accept_all', () => decideAll(true)],
      ['save', () => decide(checked('data-c'), checked('data-r'), 'preferences')],
    ]),
  );
  return parts;
}

