// boot.js: starts the engine's worker as early as possible, before the
// page's modules load, so the first samples appear sooner. Messages that
// arrive before main.js takes the worker over are queued for it.
'use strict';
(function () {
  // Opened from disk: browsers refuse module scripts and workers on file://
  // pages, so say at once how to serve the folder instead of hanging.
  if (location.protocol === 'file:') {
    window.ganplayBoot = { queue: [], init: null, worker: null, error: new Error('file://'), fromDisk: true };
    var tell = function () {
      var box = document.getElementById('error'), list = document.getElementById('error-list');
      if (!box || !list) return;
      var p = document.createElement('p');
      p.textContent = 'ganplay has to be served over http: browsers do not run its scripts and engine from a page opened ' +
        'from disk. In the folder that holds this page, run  python3 -m http.server 8000 --bind 127.0.0.1  and open ' +
        'http://127.0.0.1:8000/ (from the source repository: make serve).';
      list.appendChild(p);
      box.hidden = false;
      var st = document.getElementById('status'), grid = document.getElementById('grid-loading');
      if (st) st.textContent = 'Not started: open the page from a web server (see the message above).';
      if (grid) grid.textContent = 'Open the page from a web server to see samples.';
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', tell);
    else tell();
    return;
  }
  if (window.ganplayBoot) return; // main.js started without us
  var hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  var query = new URLSearchParams(location.search);
  var noise = Number(hash.get('noise'));
  var init = {
    rid: -1,
    type: 'init',
    preload: true, // boot.js fetches models.json and the first model
    build: ['portable', 'simd', 'relaxed', 'threads', 'threads-relaxed'].indexOf(query.get('build')) >= 0 ? query.get('build') : 'auto',
    noiseSeed: hash.has('noise') && Number.isSafeInteger(noise) && noise >= 0 ? noise : 1,
    dataset: ['fashion', 'emoji'].indexOf(hash.get('dataset')) >= 0 ? hash.get('dataset') : 'mnist',
  };
  var boot = { queue: [], init: init, worker: null, error: null, startedAt: performance.now() };
  window.ganplayBoot = boot;
  try {
    boot.worker = new Worker('worker.js');
  } catch (e) {
    boot.error = e;
    return;
  }
  boot.worker.onmessage = function (e) {
    boot.queue.push(e.data);
  };
  boot.worker.onerror = function (e) {
    e.preventDefault();
    boot.queue.push({ type: 'error', message: 'The engine\'s worker failed: ' + (e.message || 'it could not be loaded') + '. Reload the page.' });
  };
  boot.worker.postMessage(init);
  // the list of models and the first one's bytes start loading here, well
  // before the worker is up; they go to it as soon as they are in
  var worker = boot.worker;
  function give(list, bytes) {
    worker.postMessage({ type: 'preload', list: list, bytes: bytes }, bytes ? [bytes] : []);
  }
  fetch('models.json')
    .then(function (res) { return res.ok ? res.json() : { models: [] }; })
    .then(function (list) {
      var models = Array.isArray(list.models) ? list.models : [];
      function next(i) {
        if (i >= models.length) return give(list, null);
        return fetch(models[i].file)
          .then(function (res) { return res.ok ? res.arrayBuffer() : null; })
          .catch(function () { return null; })
          .then(function (buf) {
            if (!buf) return next(i + 1);
            list.first = i;
            give(list, buf);
          });
      }
      return next(0);
    })
    .catch(function () { give(null, null); });
})();
