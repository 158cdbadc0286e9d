/* A stand-in GTM container: records the Consent Mode state it found when it loaded
 * (only gtag() Arguments entries count) and fires one container tag. */
(function () {
  var port = new URL(document.currentScript.src).port, dl = window.dataLayer || [], state = null;
  for (var i = 0; i < dl.length; i++) {
    var e = dl[i];
    if (Object.prototype.toString.call(e) === '[object Arguments]' && e[0] === 'consent') state = Object.assign({}, state || {}, e[2]);
  }
  window.__gtm = {consentAtLoad: state};
  new Image().src = 'https://www.googletagmanager.com:' + port + '/gtm/px?as=' + (state ? state.analytics_storage : 'unknown');
})();
