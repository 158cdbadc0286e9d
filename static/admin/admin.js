/* cmp admin console: small progressive enhancements (the console works without them).
 * - forms with data-confirm ask before they send (delete, revoke);
 * - buttons with data-copy copy the text of the element they name (a new API key);
 * - the banner-texts form refreshes the live preview while the operator types. */
(() => {
  'use strict';
  document.addEventListener('submit', (e) => {
    const msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  document.addEventListener('click', (e) => {
    const btn = e.target.closest && e.target.closest('[data-copy]');
    if (!btn) return;
    const el = document.getElementById(btn.getAttribute('data-copy'));
    if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim());
  });
  const form = document.getElementById('texts-form');
  const button = document.getElementById('preview-button');
  if (form && button && form.requestSubmit) {
    let timer = 0;
    form.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => form.requestSubmit(button), 600);
    });
  }
})();
