// Learners offline (issue 21): the small part every learner page loads. It registers the
// service worker (sw.js) and loads the rest (offline-search.js, then offline.js) only where it
// is needed: the dictionary's page with its "save on this phone" control, the saved shell the
// service worker answers with offline, and a page seen by another account than the one whose
// copy is saved (offline.js then deletes that copy). Its data attributes are offline.js's.
(function () {
  "use strict";
  var boot = document.getElementById("wordkeep-offline");
  if (!boot) return;
  var cfg = boot.dataset;
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register(cfg.worker, { scope: "/" }).catch(function () {});
  }
  if (!window.indexedDB || !window.caches) return;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }
  function rest() {
    return load(cfg.searchScript).then(function () { return load(cfg.fullScript); });
  }

  if (document.querySelector("[data-offline-save], #offline-app[data-offline-shell]")) {
    rest().catch(function () {});
    return;
  }
  caches.open("wordkeep-meta")
    .then(function (c) { return c.match("/__wordkeep/account"); })
    .then(function (r) { return r ? r.text() : null; })
    .then(function (before) { if (before !== null && before !== cfg.account) return rest(); })
    .catch(function () {});
})();
