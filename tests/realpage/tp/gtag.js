/* A stand-in for Google's gtag.js that follows Consent Mode v2 as Google documents it:
 * it reads only dataLayer entries pushed by gtag() (Arguments objects), in order; a
 * `config` before any `consent default` is measured with no consent state (cookie + hit);
 * with `default` denied it waits up to `wait_for_update` for an `update`, then sends a
 * cookieless ping (gcs=G100); once analytics_storage is granted it sets `_ga` on the
 * registrable domain and sends a hit with gcs=G1x1. Every step is logged in __gtagLog. */
(function () {
  var me = document.currentScript, url = new URL(me.src), port = url.port, id = url.searchParams.get('id');
  var dl = window.dataLayer = window.dataLayer || [];
  var log = window.__gtagLog = [], consent = null, pending = [], waitUntil = 0, done = 0;
  var domain = location.hostname.split('.').slice(-2).join('.');
  function isArgs(e) { return Object.prototype.toString.call(e) === '[object Arguments]'; }
  function gcs() { return consent ? 'G1' + (consent.ad_storage === 'granted' ? 1 : 0) + (consent.analytics_storage === 'granted' ? 1 : 0) : ''; }
  function hit(en) {
    var cid = '';
    if (!consent || consent.analytics_storage === 'granted') {
      var m = document.cookie.match(/(?:^|; )_ga=([^;]*)/);
      cid = m ? m[1] : 'GA1.1.' + Math.floor(Math.random() * 1e9) + '.' + Math.floor(Date.now() / 1000);
      if (!m) document.cookie = '_ga=' + cid + ';path=/;max-age=63072000;domain=.' + domain;
    }
    log.push({hit: en, gcs: gcs(), cid: cid});
    new Image().src = 'https://www.google-analytics.com:' + port + '/g/collect?v=2&tid=' + id + '&en=' + en + '&gcs=' + gcs() + '&cid=' + encodeURIComponent(cid);
  }
  function flushPending() { while (pending.length) hit(pending.shift()); }
  function command(e) {
    var c = e[0];
    log.push({command: c, sub: c === 'consent' ? e[1] : undefined});
    if (c === 'consent') {
      var before = consent && consent.analytics_storage;
      consent = Object.assign({}, consent || {}, e[2]);
      if (e[1] === 'default' && e[2].wait_for_update) waitUntil = Date.now() + e[2].wait_for_update;
      if (e[1] === 'update') { waitUntil = 0; flushPending(); if (done && before !== 'granted' && consent.analytics_storage === 'granted') hit('consent_update'); }
    } else if (c === 'config') {
      done = 1;
      if (consent && Date.now() < waitUntil) { pending.push('page_view'); setTimeout(flushPending, waitUntil - Date.now()); }
      else hit('page_view');
    }
  }
  for (var i = 0; i < dl.length; i++) if (isArgs(dl[i])) command(dl[i]);
  var push = dl.push;
  dl.push = function () {
    var r = push.apply(dl, arguments);
    for (var j = 0; j < arguments.length; j++) if (isArgs(arguments[j])) command(arguments[j]);
    return r;
  };
})();
