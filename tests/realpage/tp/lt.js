/* A stand-in LINE Tag. */
(function () {
  var port = new URL(document.currentScript.src).port;
  new Image().src = 'https://tr.line.me:' + port + '/tag/px?id=dealer';
})();
