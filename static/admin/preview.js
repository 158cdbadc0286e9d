/* Harness of the banner preview (admin console). Runs before /cmp.js and answers the
 * banner's two requests inside the page: the config request gets the draft config embedded
 * in #cmp-preview-config, a decision gets 201 without reaching the server. After a decision
 * the visitor's own consent cookie on this host is put back as it was. */
(() => {
  'use strict';
  const data = document.getElementById('cmp-preview-config');
  const config = data ? data.textContent : '{}';
  const realFetch = window.fetch.bind(window);
  const json = (body, status) =>
    Promise.resolve(new Response(body, { status, headers: { 'Content-Type': 'application/json' } }));
  window.fetch = (input, init) => {
    const url = String(input && input.url ? input.url : input);
    if (/\/api\/v1\/sites\/[^/]+\/config(\?|$)/.test(url)) return json(config, 200);
    if (/\/api\/v1\/sites\/[^/]+\/consents$/.test(url)) return json('{"preview":true}', 201);
    return realFetch(input, init);
  };
  const CK = 'cmp_consent';
  const saved = document.cookie.split(/; */).find((c) => c.indexOf(CK + '=') === 0);
  const secure = location.protocol === 'https:' ? ';Secure' : '';
  document.addEventListener('cmp:change', (e) => {
    if (!e.detail || !e.detail.new) return;
    document.cookie = saved
      ? saved + ';path=/;max-age=34128000;SameSite=Lax' + secure
      : CK + '=;path=/;max-age=0';
    const done = document.getElementById('preview-done');
    if (done) done.hidden = false;
  });
  document.addEventListener('click', (e) => {
    if (!e.target.closest || !e.target.closest('#preview-again')) return;
    e.preventDefault();
    const parentButton = window.parent !== window && window.parent.document.getElementById('preview-button');
    if (parentButton) parentButton.click();
    else window.location.reload();
  });
})();
