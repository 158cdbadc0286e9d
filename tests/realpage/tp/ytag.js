/* A stand-in Yahoo! ads site tag. */
(function () {
  var port = new URL(document.currentScript.src).port;
  new Image().src = 'https://b90.yahoo.co.jp:' + port + '/rt/px?yahoo_retargeting_id=DEALER';
})();
