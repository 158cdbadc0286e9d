"""What the scanner runs inside the page, and how it reads it back within a time bound.

- :data:`INIT_SCRIPT` runs in every frame before the page's own scripts. It notes the
  calling script of every image ``src`` set (Chromium names the document, not the script,
  as the initiator of such an image), of every ``document.cookie`` write and every
  ``localStorage`` / ``sessionStorage`` ``setItem`` (so a cookie or key names the tag that
  wrote it), and counts pending short timers (a tag that writes its cookie 1.5 s after the
  load is waited for instead of missed). Nothing the page sees changes but the wrappers.
- :func:`read` evaluates a function in a frame within a time bound. Playwright's
  ``evaluate`` has no timeout: a page whose script never yields (``for (;;) {}``) would hang
  the scanner for ever. ``wait_for_function`` is bounded by Playwright's own timer, so the
  value comes back through it, as a JSON string (a primitive: no second round trip).
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame

#: Timers up to this long (ms) are waited for before a phase counts as settled.
WAIT_TIMERS_MS = 3000
#: At most this many images, writes, storage keys and links are noted per frame (a page
#: writing 100 000 keys cannot grow the report or the scanner's memory without bound).
MAX_NOTES = 500

INIT_SCRIPT = """(() => {
  if (window.__cmpScan) return;
  const MAX = __MAX__, WAIT = __WAIT__, pending = new Set();
  const notes = { images: [], writes: [], timers: () => pending.size };
  Object.defineProperty(window, '__cmpScan', { value: notes });
  const note = (list, entry) => { if (list.length < MAX) list.push(entry); };
  const caller = () => {
    for (const l of (new Error().stack || '').split('\\n').slice(1)) {
      const m = l.match(/(https?:\\/\\/[^\\s()]+?):\\d+:\\d+\\)?\\s*$/);
      if (m) return m[1];
    }
    return '';
  };
  const wrap = (proto, name, record) => {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || !d.set) return;
    Object.defineProperty(proto, name, {
      configurable: true, enumerable: d.enumerable, get() { return d.get.call(this); },
      set(v) {
        try { record(v); } catch (e) { /* never break the page */ }
        d.set.call(this, v);
      },
    });
  };
  wrap(HTMLImageElement.prototype, 'src',
       (v) => note(notes.images, [new URL(v, location.href).href, caller()]));
  const cookieName = (v) => String(v).split(';')[0].split('=')[0].trim();
  wrap(Document.prototype, 'cookie',
       (v) => note(notes.writes, ['cookie', cookieName(v), caller()]));
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) {
    try {
      const area = this === window.sessionStorage ? 'session' : 'local';
      note(notes.writes, [area, String(k), caller()]);
    } catch (e) { /* storage blocked */ }
    return setItem.apply(this, arguments);
  };
  const set = window.setTimeout, clear = window.clearTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    if (typeof fn !== 'function' || !((Number(ms) || 0) <= WAIT)) return set(fn, ms, ...rest);
    let id;
    id = set(function () { pending.delete(id); return fn.apply(this, arguments); }, ms, ...rest);
    pending.add(id);
    return id;
  };
  window.clearTimeout = function (id) { pending.delete(id); return clear(id); };
})();""".replace("__MAX__", str(MAX_NOTES)).replace("__WAIT__", str(WAIT_TIMERS_MS))

STORAGE = """() => {
  const out = [];
  for (const [area, s] of [['local', () => localStorage], ['session', () => sessionStorage]]) {
    try {
      const st = s();
      for (let i = 0; i < st.length && i < __MAX__; i++) out.push([area, st.key(i)]);
    } catch (e) { /* storage blocked in this frame */ }
  }
  return [location.origin, out];
}""".replace("__MAX__", str(MAX_NOTES))
NOTES = """() => {
  const n = window.__cmpScan;
  return n ? { images: n.images, writes: n.writes } : { images: [], writes: [] };
}"""
TIMERS = "() => (window.__cmpScan ? window.__cmpScan.timers() : 0)"
LINKS = (
    "() => Array.prototype.slice.call(document.querySelectorAll('a[href]'), 0, "
    + str(MAX_NOTES * 4)
    + ").map((a) => String(a.href))"
)


class Unresponsive(Exception):
    """The frame did not answer within the time bound (a script that never yields)."""


def read(frame: Frame, function: str, timeout: float) -> Any:
    """The JSON value of ``function`` evaluated in ``frame``, within ``timeout`` seconds
    (at least one: a busy but live page answers in that).

    Raises :class:`Unresponsive` when the frame does not answer in time, and
    ``playwright``'s ``Error`` when the frame is gone or the function throws."""
    wrapped = f"() => {{ const v = ({function})(); return JSON.stringify([v]); }}"
    try:
        handle = frame.wait_for_function(wrapped, timeout=max(1.0, timeout) * 1000)
    except PlaywrightError as exc:
        if "Timeout" in str(exc).split("\n", 1)[0]:
            raise Unresponsive(str(exc).split("\n", 1)[0]) from exc
        raise
    try:
        raw = handle.json_value()
    finally:
        handle.dispose()
    try:
        return json.loads(raw)[0]
    except (TypeError, ValueError, IndexError) as exc:  # a page that replaced JSON.stringify
        raise PlaywrightError("unreadable answer from the page") from exc
