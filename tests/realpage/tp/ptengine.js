/* A stand-in heat-map script: keeps its session and click map in localStorage. */
(function () {
  var port = new URL(document.currentScript.src).port;
  localStorage.setItem('_pt_sid', String(Date.now()));
  localStorage.setItem('_pt_heatmap_v1', JSON.stringify({clicks: [], page: location.pathname}));
  new Image().src = 'https://js.ptengine.jp:' + port + '/pts/px?p=' + encodeURIComponent(location.pathname);
})();
