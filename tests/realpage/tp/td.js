/* A stand-in DMP SDK (Treasure Data style): a first-party id cookie and a postback. */
(function () {
  var port = new URL(document.currentScript.src).port, domain = location.hostname.split('.').slice(-2).join('.');
  document.cookie = '_td=' + Math.floor(Math.random() * 1e12) + ';path=/;max-age=63072000;domain=.' + domain;
  new Image().src = 'https://in.treasuredata.com:' + port + '/postback/px?td_client_id=1';
})();
