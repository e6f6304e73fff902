// Wordkeep's service worker (issue 21), served at /sw.js with scope "/" (api/routes/offline.py).
// Online, every request goes to the network as before. Offline:
// - a learner page (/d/SLUG/, /search, /browse, /entries/ID) saved on this phone is answered
//   with the saved shell (templates/offline.html), which api/static/offline.js draws from the
//   saved data at the same URL; any other page gets the plain "not saved" page (/offline);
// - recordings and pictures come from the saved copy (with byte ranges for audio).
// Saved data is kept per account (Cache Storage "wordkeep-data:<account>:<slug>", IndexedDB
// keys "<account>|<slug>"); only the account the pages last saw is ever served, and logging out
// or in deletes a signed-in account's saved data before the request reaches the server.
"use strict";
var SHELL = "wordkeep-shell-v5"; // the app's own files: replaced when the app changes
var SHELL_FILES = ["/offline", "/static/style.css", "/static/offline-boot.js",
  "/static/offline.js", "/static/offline-search.js"];
var LEARNER = /^\/d\/([^/]+)\/(?:|search|offline|browse(?:\/.*)?|entries\/[^/]+)$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(SHELL_FILES);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("wordkeep-shell-") === 0 && k !== SHELL;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function currentAccount() {
  return caches.open("wordkeep-meta").then(function (c) {
    return c.match("/__wordkeep/account");
  }).then(function (r) { return r ? r.text() : "public"; });
}

function dataCache(account, slug) {
  return caches.open("wordkeep-data:" + account + ":" + decodeURIComponent(slug));
}

// Logging out: a signed-in account's saved data goes (IndexedDB and caches), then "public".
function forgetAccount() {
  return currentAccount().then(function (account) {
    if (account === "public") return null;
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("wordkeep-data:" + account + ":") === 0;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () {
      return new Promise(function (resolve) {
        var open = indexedDB.open("wordkeep-offline", 1);
        open.onupgradeneeded = function () {
          var d = open.result;
          d.createObjectStore("saved", { keyPath: "key" });
          d.createObjectStore("entries", { keyPath: "key" });
          d.createObjectStore("meta", { keyPath: "name" });
        };
        open.onerror = function () { resolve(); };
        open.onsuccess = function () {
          var x = open.result.transaction(["saved", "entries"], "readwrite");
          var range = IDBKeyRange.bound(account + "|", account + "|\uffff");
          x.objectStore("saved").delete(range);
          x.objectStore("entries").delete(range);
          x.oncomplete = x.onerror = x.onabort = function () { open.result.close(); resolve(); };
        };
      });
    }).then(function () {
      return caches.open("wordkeep-meta").then(function (c) {
        return c.put("/__wordkeep/account", new Response("public"));
      });
    });
  });
}

function fallback() {
  return caches.match("/offline", { cacheName: SHELL }).then(function (page) {
    return page || new Response("Offline: this page is not saved on this phone.",
      { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  });
}

// Network first; when it fails, the saved shell (or the "not saved" page). A learner page
// that has a saved shell does not wait for a network that hangs (data that comes and goes):
// after NETWORK_WAIT the saved copy answers.
var NETWORK_WAIT = 10000;
function navigate(request, url) {
  var network = fetch(request);
  var learner = url.pathname.match(LEARNER);
  if (!learner) return network.catch(fallback);
  var saved = currentAccount().then(function (account) {
    return dataCache(account, learner[1]);
  }).then(function (cache) {
    return cache.match("/d/" + learner[1] + "/offline");
  }).catch(function () { return null; });
  return new Promise(function (resolve) {
    var done = false;
    function answer(response) {
      if (!done && response) { done = true; resolve(response); }
    }
    network.then(answer, function () {
      saved.then(function (shell) { return shell || fallback(); }).then(answer);
    });
    setTimeout(function () { saved.then(answer); }, NETWORK_WAIT);
  });
}

// A saved recording or picture; a byte range of it when the audio element asks for one.
function media(request, url) {
  var slug = url.pathname.split("/")[2];
  return currentAccount().then(function (account) {
    return dataCache(account, slug);
  }).then(function (cache) {
    return cache.match(url.pathname);
  }).then(function (hit) {
    if (!hit) return fetch(request);
    var range = request.headers.get("Range");
    if (!range) return hit;
    return hit.blob().then(function (blob) { return ranged(blob, range, hit.headers); });
  });
}

function ranged(blob, range, headers) {
  var m = /bytes=(\d*)-(\d*)/.exec(range), total = blob.size;
  var start = m && m[1] ? Number(m[1]) : 0;
  var end = m && m[2] ? Math.min(Number(m[2]), total - 1) : total - 1;
  if (m && !m[1] && m[2]) { start = Math.max(0, total - Number(m[2])); end = total - 1; }
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: { "Content-Type": headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": "bytes " + start + "-" + end + "/" + total,
      "Content-Length": String(end - start + 1), "Accept-Ranges": "bytes" },
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Logging out, or logging in (perhaps as someone else, without having logged out): the
  // saved data of the account signed in until now is deleted first.
  if (request.method === "POST" && (url.pathname === "/logout" || url.pathname === "/login")) {
    event.respondWith(forgetAccount().catch(function () {}).then(function () {
      return fetch(request);
    }));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (url.pathname.indexOf("/media/") === 0) {
    event.respondWith(media(request, url));
  } else if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(url.pathname, { cacheName: SHELL }).then(function (hit) {
        return hit || Response.error();
      });
    }));
  }
});
