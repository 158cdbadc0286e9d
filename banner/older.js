/**
 * A decision made under an older policy version (part of the on-demand chunk; DESIGN.md,
 * "Embed contract"): until the visitor decides again it lets run only recipients whose
 * `since` (the first published version from which they are materially unchanged) is not
 * newer than the decision, and a category's untagged elements only if none of its
 * recipients is new or changed. A config without `since` counts every recipient as new.
 * Only returning visitors after a publish need it: cmp.js loads the chunk for them, and an
 * older decision lets nothing run until the rule is there (state.js `grants`).
 */

import { recipient, recipients } from 'cmp:core';

/** What the older decision `s` still lets run: { c: category keys, r: recipient keys }. */
export function older(s) {
  const covered = (r) => (r.since ?? Infinity) <= s.pv;
  return {
    c: s.c.filter((k) => recipients().every((r) => r.category != k || covered(r))),
    r: s.r.filter((k) => recipient(k) && covered(recipient(k))),
  };
}
