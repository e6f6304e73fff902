// Learners offline (issue 21), loaded by offline-boot.js where it is needed: offers to save
// the dictionary on the phone ([data-offline-save]: what it takes, a progress bar, "ready",
// "Remove from this phone"), keeps the saved copy up to date (the changes since
// its generation), and, offline, draws the learner pages from the saved copy at their own URLs
// (templates/offline.html is the shell the service worker answers with).
//
// Where things are kept (names that an update of the app never changes):
// - IndexedDB "wordkeep-offline": "saved" (one record per account and dictionary: the index,
//   the list rows, the vocabulary), "entries" (each entry as its page shows it), "meta";
// - Cache Storage "wordkeep-data:<account>:<slug>": the shell page, recordings and pictures;
// - Cache Storage "wordkeep-meta": the account the pages last saw (the service worker serves
//   saved data of that account only). Data of a signed-in account is deleted at logout (sw.js)
//   and whenever a page is seen by anyone else.
(function () {
  "use strict";
  var boot = document.getElementById("wordkeep-offline");
  if (!boot || !window.indexedDB || !window.caches) return;
  var cfg = boot.dataset, T = JSON.parse(cfg.strings || "{}");
  var account = cfg.account, slug = cfg.slug, KEY = account + "|" + slug;
  var DATA_CACHE = "wordkeep-data:" + account + ":" + slug;

  var LANG = cfg.uiLang || document.documentElement.lang || "en";
  var PLURALS = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG) : null;
  // A counted message comes as the catalog's form for each plural category of the page's
  // language (templates/_offline.html): the one for `values.count` is picked here.
  function t(name, values) {
    var text = T[name] || name;
    if (typeof text === "object") {
      var n = Number(values && values.count);
      var category = PLURALS ? PLURALS.select(n) : (n === 1 ? "one" : "other");
      text = text[category] || text.other;
    }
    return text.replace(/%\((\w+)\)s/g, function (whole, k) {
      return values && values[k] !== undefined ? values[k] : whole;
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.append(c); });
    return node;
  }
  function size(bytes) {
    if (!bytes) return "0 kB";
    var mb = bytes / 1048576;
    return mb >= 1 ? mb.toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " kB";
  }

  // -- IndexedDB ---------------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    dbPromise = dbPromise || new Promise(function (resolve, reject) {
      var open = indexedDB.open("wordkeep-offline", 1);
      open.onupgradeneeded = function () {
        var d = open.result;
        d.createObjectStore("saved", { keyPath: "key" });
        d.createObjectStore("entries", { keyPath: "key" });
        d.createObjectStore("meta", { keyPath: "name" });
      };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
    return dbPromise;
  }
  function tx(stores, mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var x = d.transaction(stores, mode), out = work(x);
        x.oncomplete = function () { resolve(out instanceof IDBRequest ? out.result : out); };
        x.onerror = x.onabort = function () { reject(x.error); };
      });
    });
  }
  function getSaved() {
    return tx(["saved"], "readonly", function (x) { return x.objectStore("saved").get(KEY); });
  }
  function getEntry(id) {
    return tx(["entries"], "readonly", function (x) {
      return x.objectStore("entries").get(KEY + "|" + id);
    }).then(function (row) { return row ? row.entry : null; });
  }
  function prefixRange(prefix) { return IDBKeyRange.bound(prefix, prefix + "\uffff"); }

  // Everything saved under `prefix` ("account|" or "account|slug"), data and caches.
  function forget(who, which) {
    var prefix = which ? who + "|" + which : who + "|";
    var names = which ? ["wordkeep-data:" + who + ":" + which] : null;
    return tx(["saved", "entries"], "readwrite", function (x) {
      x.objectStore("saved").delete(prefixRange(prefix));
      x.objectStore("entries").delete(prefixRange(prefix));
    }).then(function () { return caches.keys(); }).then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return names ? names.indexOf(k) >= 0 : k.indexOf("wordkeep-data:" + who + ":") === 0;
      }).map(function (k) { return caches.delete(k); }));
    });
  }

  // The account the pages see: another account's saved data (never "public") is deleted.
  function noteAccount() {
    return caches.open("wordkeep-meta").then(function (c) {
      return c.match("/__wordkeep/account").then(function (r) { return r ? r.text() : null; })
        .then(function (before) {
          var done = c.put("/__wordkeep/account", new Response(account));
          if (before && before !== account && before !== "public") {
            return done.then(function () { return forget(before); });
          }
          return done;
        });
    });
  }

  // -- saving --------------------------------------------------------------------------------------
  function fetchJson(url, progress) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        if (!progress || !r.body) return r.json();
        var reader = r.body.getReader(), parts = [], got = 0;
        function pump() {
          return reader.read().then(function (step) {
            if (step.done) return new Blob(parts).text().then(JSON.parse);
            parts.push(step.value); got += step.value.length; progress(got);
            return pump();
          });
        }
        return pump();
      });
  }

  function record(data, options) {
    return { key: KEY, account: account, slug: slug, title: data.title, format: data.format,
      generation: data.generation, as_of: data.as_of, access: data.access, fold: data.fold,
      letters: data.letters, vernacular: data.vernacular, entries: data.entries,
      vocab: data.vocab, media: data.media, options: options, saved_at: Date.now() };
  }

  function storeAll(data, options) {
    return tx(["saved", "entries"], "readwrite", function (x) {
      x.objectStore("entries").delete(prefixRange(KEY + "|"));
      var entries = x.objectStore("entries");
      data.full.forEach(function (e) { entries.put({ key: KEY + "|" + e.id, entry: e }); });
      x.objectStore("saved").put(record(data, options));
    });
  }

  // The recordings and pictures chosen: all audio, or that of some letters or semantic
  // domains (a saved media item: [url, kind, bytes, letters, domains]).
  function wanted(media, options) {
    var letters = new Set(options.letters || []), domains = new Set(options.domains || []);
    function some(list, set) { return (list || []).some(function (x) { return set.has(x); }); }
    return media.filter(function (m) {
      if (m[1] === "image") return !!options.pictures;
      return !!options.audio || some(m[3], letters) || some(m[4], domains);
    });
  }
  function bytesOf(items) {
    return items.reduce(function (n, m) { return n + m[2]; }, 0);
  }

  // Recordings and pictures into the dictionary's cache, four at a time.
  function cacheMedia(items, step) {
    return caches.open(DATA_CACHE).then(function (cache) {
      var next = 0;
      function worker() {
        if (next >= items.length) return Promise.resolve();
        var item = items[next++];
        return cache.match(item[0]).then(function (hit) {
          if (hit) return null;
          return fetch(item[0], { credentials: "same-origin" }).then(function (r) {
            if (r.ok && r.status === 200) return cache.put(item[0], r);
          });
        }).catch(function () { return null; }).then(function () { step(item[2]); return worker(); });
      }
      return Promise.all([worker(), worker(), worker(), worker()]);
    });
  }

  function cacheShell() {
    return caches.open(DATA_CACHE).then(function (cache) {
      return fetch(cfg.shell, { credentials: "same-origin" }).then(function (r) {
        if (r.ok) return cache.put(cfg.shell, r);
      });
    });
  }

  function save(plan, options, progress) {
    var total = plan.text.raw_bytes + (options.audio ? plan.audio.bytes : 0) +
      (options.pictures ? plan.pictures.bytes : 0);
    var done = 0, media;
    function step(n) { done += n; progress(Math.min(100, Math.round(100 * done / total))); }
    var data;
    return fetchJson(cfg.data, function (got) { progress(Math.round(100 * got / total)); })
      .then(function (d) {
        data = d; done = plan.text.raw_bytes;
        media = wanted(data.media, options); // the chosen letters' and domains' audio
        total = plan.text.raw_bytes + bytesOf(media);
        return storeAll(d, options);
      })
      .then(cacheShell)
      .then(function () { return cacheMedia(media, step); })
      .then(function () {
        if (navigator.storage && navigator.storage.persist) return navigator.storage.persist();
      })
      .then(function () { progress(100); return data.entries.length; });
  }

  // More audio for a saved dictionary: the options kept, the recordings they add cached.
  function saveAudio(saved, options, progress) {
    var media = wanted(saved.media, options), total = bytesOf(media) || 1, done = 0;
    return tx(["saved"], "readwrite", function (x) {
      x.objectStore("saved").put(Object.assign({}, saved, { options: options }));
    }).then(function () {
      return cacheMedia(media, function (n) {
        done += n; progress(Math.min(100, Math.round(100 * done / total)));
      });
    });
  }

  // -- updates: what changed since the saved generation ---------------------------------------------
  function update(saved) {
    var url = cfg.changes + "?" + new URLSearchParams({
      since: saved.generation, as_of: saved.as_of, access: saved.access });
    return fetchJson(url).then(function (delta) {
      if (delta.unchanged && delta.format === saved.format) return 0;
      if (delta.full || delta.format !== saved.format) { // another shape of data: save again
        return fetchJson(cfg.data).then(function (data) {
          return storeAll(data, saved.options).then(cacheShell).then(function () {
            return settle(data.media, saved.options || {});
          }).then(function () { return data.entries.length; });
        });
      }
      return merge(saved, delta);
    });
  }

  function merge(saved, delta) {
    var byId = new Map(), changed = new Set(), keep = new Set(delta.order);
    saved.entries.forEach(function (r) { byId.set(r[0], r); });
    delta.entries.forEach(function (r, i) { // sent again (looked back a little): unchanged
      var before = byId.get(r[0]);
      if (!before || JSON.stringify(before) !== JSON.stringify(r)) changed.add(r[0]);
      byId.set(r[0], r);
    });
    var removed = saved.entries.filter(function (r) { return !keep.has(r[0]); });
    var missing = delta.order.filter(function (id) { return !byId.has(id); });
    if (missing.length) { // came into view without a write (a circle joined): save again
      return update(Object.assign({}, saved, { access: "" }));
    }
    var byUrl = new Map();
    saved.media.concat(delta.media).forEach(function (m) { byUrl.set(m[0], m); });
    var next = Object.assign({}, saved, { generation: delta.generation, as_of: delta.as_of,
      vocab: delta.vocab, entries: delta.order.map(function (id) { return byId.get(id); }) });
    return tx(["entries"], "readwrite", function (x) {
      var entries = x.objectStore("entries");
      removed.forEach(function (r) { entries.delete(KEY + "|" + r[0]); });
      delta.full_entries.forEach(function (e) { entries.put({ key: KEY + "|" + e.id, entry: e }); });
    }).then(shownMedia).then(function (urls) { // what no saved entry shows any more goes
      next.media = Array.from(byUrl.values()).filter(function (m) { return urls.has(m[0]); });
      return tx(["saved"], "readwrite", function (x) { x.objectStore("saved").put(next); });
    }).then(function () {
      return settle(next.media, saved.options || {});
    }).then(function () { return changed.size + removed.length; });
  }

  // The URLs of every recording and picture the saved entries show.
  function shownMedia() {
    return tx(["entries"], "readonly", function (x) {
      return x.objectStore("entries").getAll(prefixRange(KEY + "|"));
    }).then(function (rows) {
      var urls = new Set();
      function walk(node) {
        if (Array.isArray(node)) return node.forEach(walk);
        if (!node || typeof node !== "object") return;
        Object.keys(node).forEach(function (k) {
          if (k === "media" && node[k] && node[k].url) urls.add(node[k].url);
          else walk(node[k]);
        });
      }
      rows.forEach(function (row) { walk(row.entry); });
      return urls;
    });
  }

  // The phone keeps exactly the chosen recordings and pictures of what is saved now: a
  // recording or picture no longer shown (deleted, or hidden by a protocol change) is deleted.
  function settle(media, options) {
    var keep = wanted(media, options), urls = new Set(keep.map(function (m) { return m[0]; }));
    return caches.open(DATA_CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (r) {
          var path = new URL(r.url).pathname;
          return path.indexOf("/media/") === 0 && !urls.has(path);
        }).map(function (r) { return cache.delete(r); }));
      });
    }).then(function () { return cacheMedia(keep, function () {}); });
  }

  // -- the save control on the dictionary page ---------------------------------------------------
  function control(box) {
    box.hidden = false;
    var status = el("p", { class: "offline-status", role: "status", "aria-live": "polite" });
    var bar = el("progress", { max: "100", value: "0" });
    bar.hidden = true;
    var choices = el("div", { class: "offline-choices" });
    var go = el("button", { type: "button", class: "offline-go", text: t("save") });
    var remove = el("button", { type: "button", class: "offline-remove", text: t("remove") });
    box.append(el("h2", { id: "offline-title", text: t("save_title") }),
      el("p", { text: t("save_intro") }), choices, bar, status, go, remove);

    function ready(count, note) {
      box.dataset.offlineState = "ready";
      bar.hidden = true; go.hidden = true; remove.hidden = false; choices.hidden = true;
      status.textContent = t("ready", { count: count }) + (note ? " " + note : "");
    }
    // Saved already: the audio of more letters or topics can be added (online).
    function more(plan, saved) {
      var options = saved.options || {};
      if (options.audio || !plan.audio.count) return;
      choices.textContent = ""; choices.hidden = false;
      choices.append(picker(plan, options));
      var add = el("button", { type: "button", class: "offline-more", text: t("save_audio") });
      choices.append(add);
      add.onclick = function () {
        var next = Object.assign({}, options, { letters: union(options.letters, picked("letter")),
          domains: union(options.domains, picked("domain")) });
        box.dataset.offlineState = "saving"; add.disabled = true; bar.hidden = false;
        status.textContent = t("saving");
        saveAudio(saved, next, function (p) { bar.value = p; }).then(function () {
          ready(saved.entries.length); return getSaved();
        }).then(function (now) { more(plan, now); }).catch(function () {
          add.disabled = false; box.dataset.offlineState = "failed"; status.textContent = t("failed");
        });
      };
    }
    // Letters and topics with the size of their audio, to save only some of it.
    function picker(plan, options) {
      function part(kind, name, item, done) {
        var input = el("input", { type: "checkbox", name: "offline-" + kind, value: name });
        input.checked = input.disabled = done;
        var attrs = { class: "offline-option" };
        attrs["data-offline-" + kind] = name;
        return el("label", attrs, [input, " " +
          t("part", { name: name, count: item.count, size: size(item.bytes) })]);
      }
      var letters = new Set(options.letters || []), domains = new Set(options.domains || []);
      return el("details", { class: "offline-parts", "data-offline-part": "audio-parts" }, [
        el("summary", { text: t("audio_parts") }),
        el("fieldset", { "data-offline-part": "audio-letters" }, [el("legend", { text: t("alphabet") })]
          .concat(plan.audio_by_letter.map(function (x) {
            return part("letter", x.letter, x, letters.has(x.letter)); }))),
        plan.audio_by_domain.length ? el("fieldset", { "data-offline-part": "audio-domains" },
          [el("legend", { text: t("topics") })].concat(plan.audio_by_domain.map(function (x) {
            return part("domain", x.domain, x, domains.has(x.domain)); }))) : null]);
    }
    function picked(kind) {
      return Array.from(choices.querySelectorAll("input[name=offline-" + kind + "]:checked"))
        .map(function (input) { return input.value; });
    }
    function union(a, b) { return Array.from(new Set((a || []).concat(b || []))); }
    function idle(plan) {
      box.dataset.offlineState = "idle";
      remove.hidden = true; go.hidden = false; choices.hidden = false;
      choices.textContent = "";
      [
        el("p", { class: "offline-text", "data-offline-part": "text",
          text: t("text", { size: size(plan.text.bytes) }) }),
        option("audio", t("audio", { count: plan.audio.count, size: size(plan.audio.bytes) }),
          plan.audio.count),
        plan.audio.count ? picker(plan, {}) : null,
        option("pictures", t("pictures", { count: plan.pictures.count,
          size: size(plan.pictures.bytes) }), plan.pictures.count),
      ].forEach(function (node) { if (node) choices.append(node); });  // append(null) writes "null"
      go.onclick = function () {
        var options = { audio: checked("audio"), pictures: checked("pictures"),
          letters: picked("letter"), domains: picked("domain") };
        box.dataset.offlineState = "saving";
        go.disabled = true; bar.hidden = false; status.textContent = t("saving");
        save(plan, options, function (p) { bar.value = p; }).then(function (count) {
          go.disabled = false; ready(count);
          return getSaved().then(function (now) { more(plan, now); });
        }).catch(function () {
          go.disabled = false; box.dataset.offlineState = "failed"; status.textContent = t("failed");
        });
      };
    }
    function option(name, label, count) {
      var input = el("input", { type: "checkbox", name: "offline-" + name, value: "1" });
      input.checked = count > 0; input.disabled = count === 0;
      return el("label", { class: "offline-option", "data-offline-part": name }, [input, " " + label]);
    }
    function checked(name) {
      var input = choices.querySelector("input[name=offline-" + name + "]");
      return !!(input && input.checked);
    }
    remove.onclick = function () {
      forget(account, slug).then(function () {
        status.textContent = t("removed");
        return fetchJson(cfg.plan).then(idle);
      });
    };
    getSaved().then(function (saved) {
      if (!saved) return fetchJson(cfg.plan).then(idle);
      ready(saved.entries.length);
      if (!navigator.onLine) return;
      return update(saved).then(function (n) {
        return getSaved().then(function (now) {
          ready(now.entries.length, n ? t("updated", { count: n }) : "");
          box.dataset.offlineUpdated = String(n);
          return fetchJson(cfg.plan).then(function (plan) { more(plan, now); });
        });
      });
    }).catch(function () {});
  }

  // -- offline: the learner pages drawn from the saved copy ----------------------------------------
  var searchIndex = null;
  function indexOf(saved) {
    searchIndex = searchIndex || window.WordkeepSearch.prepare(saved);
    return searchIndex;
  }

  function shell(app) {
    getSaved().then(function (saved) {
      if (!saved) return;
      var path = location.pathname, params = new URLSearchParams(location.search);
      var entryMatch = path.indexOf(cfg.entry) === 0 ? path.slice(cfg.entry.length) : null;
      var main = el("div", { id: "offline-page", "data-offline-page": "" });
      var note = el("p", { class: "offline-note", text: navigator.onLine ? "" : t("offline") });
      app.replaceChildren(note, main);
      if (entryMatch) return entryPage(main, saved, decodeURIComponent(entryMatch));
      if (path === cfg.search) return searchPage(main, saved, params.get("q") || "");
      if (path === cfg.browse || path === cfg.home || path === cfg.shell) {
        return listPage(main, saved, params, path === cfg.browse);
      }
      notSaved(main);
    });
  }

  function notSaved(main) {
    main.append(el("p", { class: "offline-message", role: "status", text: t("not_saved") }));
  }

  function searchForm(q) {
    var input = el("input", { id: "q", name: "q", type: "search", autocomplete: "off",
      autocapitalize: "none", spellcheck: "false", maxlength: "200" });
    input.value = q;
    return el("form", { class: "search", role: "search", method: "get", action: cfg.search }, [
      el("label", { for: "q", text: t("find") }), input,
      el("button", { type: "submit", text: t("search") })]);
  }

  function listItem(record, match) {
    var glosses = Object.keys(record[5] || {}).map(function (lang) {
      return el("span", { class: "gloss", lang: lang, text: record[5][lang] });
    });
    var link = el("a", { href: cfg.entry + encodeURIComponent(record[0]) }, [
      el("span", { class: "hw", text: record[1] }), record[2] ? el("sub", { text: record[2] }) : null]);
    return el("li", {}, [link, record[3] ? " " : null,
      record[3] ? el("span", { class: "pos", text: record[3] }) : null, " "]
      .concat(glosses).concat(match ? [" ", el("small", { class: "why", text: t(match) })] : []));
  }

  function searchPage(main, saved, q) {
    main.append(el("h1", { text: t("search") }), searchForm(q));
    if (!q.trim()) return;
    var found = window.WordkeepSearch.search(indexOf(saved), q, 20);
    var list = el("ol", { class: "entries results", id: "result-list" },
      found.map(function (hit) { return listItem(hit.entry, hit.match); }));
    main.append(el("div", { id: "results" }, [
      found.length ? list : el("p", { class: "meta", text: t("no_results") })]));
  }

  // Records: [id, headword, homograph, pos, letter, glosses, audio, hw, gl, tx, ex, domains
  // [[label, code]], parts of speech, published] (lexicon/search/offline.py).
  var DOM = 11, POS = 12, PUBLISHED = 13;
  var norm = function (s) { return window.WordkeepSearch.normalise(s || ""); };

  // As lexicon.search.browse: a domain code takes in the codes under it, a label matches itself.
  function inDomain(record, label) {
    label = String(label).split(/\s+/).filter(Boolean).join(" ");
    var numbered = /^\d+(\.\d+)*$/.test(label), wanted = norm(label);
    return (record[DOM] || []).some(function (d) {
      return numbered ? d[1] === label || d[1].indexOf(label + ".") === 0 : norm(d[0]) === wanted;
    });
  }
  function domainOrder(a, b) {
    function key(d) {
      var code = d.split(" ")[0];
      return /^\d+(\.\d+)*$/.test(code) ? [0, code.split(".").map(Number), d] : [1, [], d.toLowerCase()];
    }
    var x = key(a), y = key(b);
    if (x[0] !== y[0]) return x[0] - y[0];
    for (var i = 0; i < Math.max(x[1].length, y[1].length); i++) {
      if (x[1][i] === undefined) return -1;
      if (y[1][i] === undefined) return 1;
      if (x[1][i] !== y[1][i]) return x[1][i] - y[1][i];
    }
    return x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0;
  }
  function counts(entries, labelsOf) {
    var found = new Map();
    entries.forEach(function (r) {
      new Set(labelsOf(r)).forEach(function (l) { found.set(l, (found.get(l) || 0) + 1); });
    });
    return found;
  }
  function topicList(map, param, order) {
    return el("ul", { class: "topics", "data-offline-topics": param },
      Array.from(map.keys()).sort(order).map(function (label) {
        return el("li", {}, [el("a", { href: "?" + param + "=" + encodeURIComponent(label), text: label }),
          " ", el("span", { class: "count", text: String(map.get(label)) })]);
      }));
  }

  function listPage(main, saved, params, browsing) {
    var letter = params.get("letter"), domain = params.get("domain"), pos = params.get("pos");
    main.append(el("h1", { text: browsing ? t("browse") : saved.title }), searchForm(""));
    var nav = el("nav", { class: "alphabet", "aria-label": t("alphabet") });
    saved.letters.forEach(function (l) {
      var name = String(l).split(" ").pop();
      var a = el("a", { href: "?letter=" + encodeURIComponent(name), text: name });
      if (letter && name === letter.toLowerCase()) a.setAttribute("aria-current", "page");
      nav.append(a);
    });
    main.append(nav);
    var shown = saved.entries.filter(function (r) {
      return (!letter || r[4] === letter.toLowerCase() || (letter === "#" && !r[4])) &&
        (!domain || inDomain(r, domain)) &&
        (!pos || (r[POS] || []).some(function (p) { return norm(p) === norm(pos); }));
    });
    var chosen = letter || domain || pos;
    if (chosen) main.append(el("h2", { text: domain || pos || letter }));
    if (chosen || !browsing) {
      main.append(el("ol", { class: "entries" }, shown.slice(0, chosen ? 1000 : 100)
        .map(function (r) { return listItem(r, null); })));
    }
    if (!browsing || chosen) return;
    var box = el("div", { "data-offline-wotd": "" });
    main.append(box);
    wordOfTheDay(saved, new Date()).then(function (record) {
      if (record) return wotdSection(box, record);
    });
    var domains = counts(saved.entries, function (r) { return (r[DOM] || []).map(function (d) { return d[0]; }); });
    var parts = counts(saved.entries, function (r) { return r[POS] || []; });
    if (domains.size) main.append(el("h2", { text: t("topics") }), topicList(domains, "domain", domainOrder));
    if (parts.size) {
      main.append(el("h2", { text: t("parts_of_speech") }), topicList(parts, "pos", function (a, b) {
        a = a.toLowerCase(); b = b.toLowerCase(); return a < b ? -1 : a > b ? 1 : 0;
      }));
    }
  }

  // The word of the day as lexicon.search.browse chooses it: among the published entries in the
  // dictionary's order, the one at sha256("slug:YYYY-MM-DD") modulo their number.
  function wordOfTheDay(saved, day) {
    var published = saved.entries.filter(function (r) { return r[PUBLISHED] !== 0; });
    if (!published.length || !(window.crypto && crypto.subtle)) return Promise.resolve(null);
    var iso = day.getFullYear() + "-" + String(day.getMonth() + 1).padStart(2, "0") + "-" +
      String(day.getDate()).padStart(2, "0");
    var text = new TextEncoder().encode(slug + ":" + iso);
    return crypto.subtle.digest("SHA-256", text).then(function (digest) {
      var hex = Array.from(new Uint8Array(digest)).map(function (b) {
        return b.toString(16).padStart(2, "0"); }).join("");
      return published[Number(BigInt("0x" + hex) % BigInt(published.length))];
    });
  }
  function wotdSection(box, record) {
    var p = el("p");
    box.append(el("section", { class: "wotd", "aria-labelledby": "wotd-title" }, [
      el("h2", { id: "wotd-title", text: t("word_of_the_day") }), p]));
    p.append(el("a", { href: cfg.entry + encodeURIComponent(record[0]) }, [
      el("span", { class: "hw", text: record[1] }), record[2] ? el("sub", { text: record[2] }) : null]));
    if (record[3]) p.append(" ", el("span", { class: "pos", text: record[3] }));
    Object.keys(record[5] || {}).forEach(function (lang) {
      p.append(" ", el("span", { class: "gloss", lang: lang, text: record[5][lang] }));
    });
    return getEntry(record[0]).then(function (entry) {
      var voiced = ((entry && entry.pronunciations) || []).filter(function (x) { return x.media; });
      if (voiced.length) p.append(" ", audio(voiced[0].media));
    });
  }

  function values(map, cls) {
    return Object.keys(map || {}).map(function (lang, i) {
      return [i ? " · " : null, el("span", { class: cls || "", lang: lang, text: map[lang] })];
    }).flat().filter(Boolean);
  }
  function audio(media) {
    return el("audio", { controls: "", preload: "none", src: media.url, "aria-label": t("listen") });
  }

  // The definitions that say more than the glosses (lexicon.shape.entry.own_definitions).
  function ownDefinitions(s) {
    var plain = function (text) { return String(text || "").normalize("NFC").trim(); };
    var said = Object.values(s.glosses || {}).map(plain);
    var own = {};
    Object.keys(s.definitions || {}).forEach(function (lang) {
      var text = plain(s.definitions[lang]);
      if (text && said.indexOf(text) < 0) own[lang] = s.definitions[lang];
    });
    return own;
  }
  function senseBlock(s) {
    var li = el("li", { class: "sense" });
    if (s.glosses) li.append(el("span", { class: "gloss" }, values(s.glosses)));
    var definitions = ownDefinitions(s);
    if (Object.keys(definitions).length) {
      li.append(el("p", { class: "definition" }, values(definitions)));
    }
    (s.pictures || []).forEach(function (p) {
      if (!p.media) return;
      li.append(el("figure", { class: "picture" }, [el("img", { src: p.media.url, alt: "" }),
        p.caption ? el("figcaption", {}, values(p.caption)) : null]));
    });
    if ((s.examples || []).length) {
      li.append(el("ul", { class: "examples" }, s.examples.map(function (ex) {
        return el("li", { class: "example" }, values(ex.text, "vern").concat(
          ex.translations ? [el("br"), el("span", { class: "translation" }, values(ex.translations))] : [],
          ex.media ? [audio(ex.media)] : []));
      })));
    }
    if ((s.subsenses || []).length) li.append(el("ol", { class: "subsenses" }, s.subsenses.map(senseBlock)));
    return li;
  }

  function entryPage(main, saved, id) {
    return getEntry(id).then(function (entry) {
      if (!entry) return notSaved(main);
      document.title = entry.headword_text + " · " + saved.title;
      var head = el("p", { class: "head" });
      (entry.pronunciations || []).forEach(function (p) {
        if (p.ipa) head.append(el("span", { class: "ipa", text: "[" + p.ipa + "]" }), " ");
        if (p.media) head.append(el("span", { class: "rec" }, [audio(p.media)]), " ");
      });
      if (entry.part_of_speech) head.append(el("span", { class: "pos", text: entry.part_of_speech }));
      var article = el("article", { class: "entry" }, [
        el("h1", {}, [el("span", { class: "hw", text: entry.headword_text }),
          entry.homograph ? el("sub", { text: entry.homograph }) : null]),
        head, el("ol", { class: "senses" }, (entry.senses || []).map(senseBlock))]);
      if ((entry.variants || []).length) {
        var forms = entry.variants.map(function (v) {
          return Object.values(v.form || {}).join(" · ");
        }).join(", ");
        article.append(el("p", { class: "variants", text: t("variants", { forms: forms }) }));
      }
      if ((entry.relations || []).length) {
        var parts = t("see_also").split("%(links)s"), links = [];
        entry.relations.forEach(function (r, i) {
          if (i) links.push(", ");
          links.push(el("a", { href: cfg.entry + encodeURIComponent(r.target_id),
            text: r.target_headword || r.type || "" }));
        });
        article.append(el("p", { class: "relations" }, [parts[0]].concat(links, [parts[1] || ""])));
      }
      main.append(article);
    });
  }

  // -- start ---------------------------------------------------------------------------------------
  window.WordkeepOffline = { saved: getSaved, forget: forget, update: update,
    index: function () { return getSaved().then(function (s) { return s && indexOf(s); }); } };
  noteAccount().catch(function () {}).then(function () {
    var box = document.querySelector("[data-offline-save]");
    if (box) control(box);
    var app = document.querySelector("#offline-app[data-offline-shell]");
    if (app) shell(app);
  });
})();
