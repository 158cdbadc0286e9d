/* A stand-in Meta pixel: sets _fbp on the registrable domain and sends the queued events. */
(function () {
  var port = new URL(document.currentScript.src).port, domain = location.hostname.split('.').slice(-2).join('.');
  if (!/(?:^|; )_fbp=/.test(document.cookie)) document.cookie = '_fbp=fb.1.' + Date.now() + '.' + Math.floor(Math.random() * 1e9) + ';path=/;max-age=7776000;domain=.' + domain;
  var q = (window.fbq && window.fbq.queue) || [];
  var send = function (a) { if (a[0] === 'track') new Image().src = 'https://www.facebook.com:' + port + '/tr?id=1234567890123456&ev=' + a[1]; };
  q.forEach(send);
  window.fbq.callMethod = function () { send(arguments); };
})();
