// Learner search offline (issue 21): the server's ranking (lexicon/search/ranking.py) over
// the compact index the server prepares (lexicon/search/offline.py). Every row's keys were
// folded on the server by the dictionary's own alphabet; here only the query is folded, with
// the confusables and ignored characters the server sent, and prepared strings compared.
// tests/browser/test_offline.py runs queries through this and through the server and compares
// the top results; bench/offline.py times it with the CPU throttled.
(function (root) {
  "use strict";
  var TIERS = ["exact", "prefix", "folded", "folded_prefix", "infix", "gloss", "gloss_word",
    "gloss_prefix", "definition", "example", "fuzzy"];
  var ANALYSIS_ORDER = ["exact", "folded", "gloss", "gloss_word", "definition", "gloss_prefix",
    "example", "prefix", "folded_prefix", "infix", "fuzzy"];
  var WHOLE = { exact: 1, folded: 1, gloss: 1, gloss_word: 1, definition: 1, example: 1 };
  var PARTIAL = { prefix: 1, folded_prefix: 1, infix: 1 };
  var FEW_MATCHES = 1;
  var BIT = {};
  TIERS.forEach(function (t, i) { BIT[t] = 1 << i; });
  var KINDS = ["hw", "gl", "tx", "ex"]; // a saved record: 7 listed fields, then these rows

  // -- text preparation (lexicon/search/words.py, lexicon/alphabet.py) -------------------------
  var DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  var MARK = /\p{M}/u;
  function casefold(s) { return s.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ"); }
  function collapse(s) { return s.split(/\s+/).filter(Boolean).join(" "); }
  function basicFold(s) {
    return casefold(s.normalize("NFD")).normalize("NFD")
      .replace(DIACRITICS, function (c) { return MARK.test(c) ? "" : c; });
  }
  function fold(s) { return collapse(basicFold(s)).normalize("NFC"); }
  function normalise(s) { return casefold(collapse(s).normalize("NFD")).normalize("NFC"); }
  function escape(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function Folder(rules) {
    var table = {};
    (rules.confusables || []).forEach(function (pair) { table[pair[0]] = pair[1]; });
    this.table = table;
    this.ignore = rules.ignore || [];
    var alts = (rules.confusables || []).map(function (p) { return escape(p[0]); });
    this.rx = alts.length ? new RegExp(alts.join("|"), "g") : null;
  }
  Folder.prototype.step = function (text) {
    var table = this.table;
    text = basicFold(text);
    if (this.rx) {
      text = text.replace(this.rx, function (m, offset, whole) {
        var canon = table[m], following = whole.charAt(offset + m.length);
        if (canon.length > 1 && following && canon.endsWith(following)) return canon.slice(0, -1);
        return canon;
      });
    }
    for (var i = 0; i < this.ignore.length; i++) text = text.split(this.ignore[i]).join("");
    return collapse(text);
  };
  Folder.prototype.fold = function (text) {
    var out = this.step(text);
    for (var i = 0; i < 4; i++) {
      var again = this.step(out);
      if (again === out) break;
      out = again;
    }
    return out.normalize("NFC");
  };

  function words(s) {
    if (/^[\x00-\x7f]*$/.test(s)) return s.match(/[A-Za-z0-9]+/g) || [];
    return s.match(/[\p{L}\p{N}\p{M}]+/gu) || [];
  }
  function stem(w) {
    if (w.length <= 3 || !w.endsWith("s") || /(ss|us|is)$/.test(w)) return w;
    if (w.endsWith("ies") && w.length > 4) return w.slice(0, -3) + "y";
    if (/(ches|shes|xes|zes)$/.test(w)) return w.slice(0, -2);
    return w.slice(0, -1);
  }
  // lexicon/search/words.py LEADING_WORDS: "to speak", "the fox" gloss `speak`, `fox`
  var LEADING_WORDS = { to: 1, a: 1, an: 1, the: 1 };
  function glossWords(found) {
    return found.length > 1 && LEADING_WORDS.hasOwnProperty(found[0]) ? found.slice(1) : found;
  }
  function deletions(w) {
    var out = [w];
    for (var i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
    return out;
  }
  function oneEditApart(a, b) {
    if (a === b || Math.abs(a.length - b.length) > 1) return false;
    if (a.length > b.length) { var t = a; a = b; b = t; }
    var i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    if (a.length < b.length) return a.slice(i) === b.slice(i + 1);
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] &&
      a.slice(i + 2) === b.slice(i + 2);
  }
  function editDistance(a, b) {
    var prev2 = null, prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var cur = [i];
      for (j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] !== b[j - 1] ? 1 : 0));
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          cur[j] = Math.min(cur[j], prev2[j - 2] + 1);
        }
      }
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  // -- the index -------------------------------------------------------------------------------
  function addPosting(map, token, row) {
    var list = map.get(token);
    if (!list) map.set(token, [row]);
    else if (list[list.length - 1] !== row) list.push(row);
  }

  // A saved dictionary's data -> what a search reads (built once per page).
  function prepare(data) {
    var ix = { entries: data.entries, vocab: data.vocab, folder: new Folder(data.fold || {}),
      hwE: [], hwNorm: [], hwFolded: [], gloss: new Map(), text: {} };
    KINDS.slice(1).forEach(function (k) { ix.text[k] = { rowE: [], tokens: new Map() }; });
    data.entries.forEach(function (record, e) {
      record[7].forEach(function (pair) {
        ix.hwE.push(e); ix.hwNorm.push(pair[0]); ix.hwFolded.push(pair[1]);
      });
      for (var k = 1; k < KINDS.length; k++) {
        var part = ix.text[KINDS[k]];
        record[7 + k].forEach(function (stems) {
          var row = part.rowE.length;
          part.rowE.push(e);
          if (k === 1) addPosting(ix.gloss, stems, e);
          stems.split(" ").forEach(function (t) { if (t) addPosting(part.tokens, t, row); });
        });
      }
    });
    return ix;
  }

  function parse(ix, q) {
    q = (q || "").replace(/\0/g, "").normalize("NFC").trim();
    var gloss = fold(q), found = words(gloss);
    var query = { text: q, norm: normalise(q), folded: ix.folder.fold(q), gloss: gloss,
      words: found, gwords: glossWords(found) };
    var own = words(query.folded);
    query.fuzzyTarget = own.length === 1 && own[0].length >= 4 ? own[0] : null;
    return query;
  }

  function wordTerms(queryWords, prefixLast) {
    var terms = queryWords.map(function (w) { return w === stem(w) ? [w] : [w, stem(w)]; });
    if (prefixLast && terms.length) terms[terms.length - 1] = [queryWords[queryWords.length - 1]];
    return terms;
  }

  // Rows of one kind holding every group of terms (a group: any of its words; the last group
  // a prefix when `prefixLast`), as FTS5 MATCH "a" AND ("b" OR "c") finds them.
  function matchRows(part, terms, prefixLast) {
    var rows = null;
    terms.forEach(function (group, g) {
      var found = new Set();
      var add = function (list) { if (list) list.forEach(function (r) { found.add(r); }); };
      if (prefixLast && g === terms.length - 1) {
        part.tokens.forEach(function (list, token) { if (token.startsWith(group[0])) add(list); });
      } else {
        group.forEach(function (w) { add(part.tokens.get(w)); });
      }
      rows = rows === null ? found : new Set([...rows].filter(function (r) { return found.has(r); }));
    });
    return rows || new Set();
  }

  // Every vocabulary word under its one-deletion keys (search_vocab on the server), built on
  // the first typo a page meets.
  function deletionKeys(ix) {
    if (!ix.keys) {
      ix.keys = new Map();
      ix.vocab.forEach(function (w, i) {
        new Set(deletions(w)).forEach(function (k) { addPosting(ix.keys, k, i); });
      });
    }
    return ix.keys;
  }

  function corrections(ix, target) {
    if (target === null) return [];
    var keys = deletionKeys(ix), seen = new Set(), found = [];
    new Set(deletions(target)).forEach(function (k) {
      (keys.get(k) || []).forEach(function (i) {
        if (!seen.has(i)) { seen.add(i); found.push(ix.vocab[i]); }
      });
    });
    if (target.length < 7) {
      return found.filter(function (w) { return oneEditApart(target, w); }).sort().slice(0, 20);
    }
    var close = [];
    found.forEach(function (w) {
      if (w === target || Math.abs(w.length - target.length) > 2) return;
      var d = editDistance(target, w);
      if (d <= 2) close.push([d, w]);
    });
    close.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    return close.slice(0, 20).map(function (p) { return p[1]; });
  }

  function Found() { this.tiers = new Map(); this.whole = new Set();
    this.vernacular = false; this.gloss = false; this.inGloss = false; }
  Found.prototype.add = function (tier, e) {
    this.tiers.set(e, (this.tiers.get(e) || 0) | BIT[tier]);
    if (WHOLE[tier]) {
      this.whole.add(e);
      this.vernacular = this.vernacular || tier === "exact" || tier === "folded";
      this.gloss = this.gloss || tier === "gloss";
      this.inGloss = this.inGloss || tier === "gloss" || tier === "gloss_word";
    }
  };
  Found.prototype.leaveOut = function (tiers) {
    var mask = 0, self = this;
    tiers.forEach(function (t) { mask |= BIT[t]; });
    this.tiers.forEach(function (bits, e) {
      if (bits & ~mask) self.tiers.set(e, bits & ~mask); else self.tiers.delete(e);
    });
  };
  Found.prototype.addRows = function (tier, part, rows) {
    var self = this;
    rows.forEach(function (r) { self.add(tier, part.rowE[r]); });
  };

  function headwordTiers(ix, query, found, partial) {
    var norm = query.norm, folded = query.folded, infix = partial && folded.length >= 3;
    for (var i = 0; i < ix.hwE.length; i++) {
      var n = ix.hwNorm[i], f = ix.hwFolded[i], e = ix.hwE[i];
      if (norm) {
        if (n === norm) found.add("exact", e);
        else if (partial === null && n.startsWith(norm)) found.add("prefix", e);
      }
      if (folded) {
        if (f === folded) found.add("folded", e);
        else if (partial === null && f.startsWith(folded)) found.add("folded_prefix", e);
        if (infix && f.indexOf(folded) >= 0) found.add("infix", e);
      }
    }
  }

  // The search: [{entry: record, match: tier}], best first, at most `limit`.
  function search(ix, q, limit) {
    var query = parse(ix, q), found = new Found(), order = TIERS, partialTiers = true;
    headwordTiers(ix, query, found, null); // round 1: headwords, and whole glosses
    if (query.gwords.length) {
      var stems = query.gwords.map(stem).join(" ");
      (ix.gloss.get(stems) || []).forEach(function (e) { found.add("gloss", e); });
    }
    if (found.gloss && !found.vernacular && query.folded.length >= 3) {
      order = ANALYSIS_ORDER; partialTiers = false;
      found.leaveOut(["prefix", "folded_prefix", "infix"]);
    }
    if (partialTiers && query.folded.length >= 3) headwordTiers(ix, query, found, true);
    var gl = ix.text.gl;
    if (query.gwords.length) {
      found.addRows("gloss_word", gl, matchRows(gl, wordTerms(query.gwords, false), false));
      if (query.gwords[query.gwords.length - 1].length >= 2) {
        found.addRows("gloss_prefix", gl, matchRows(gl, wordTerms(query.gwords, true), true));
      }
    }
    if (query.words.length) {
      var terms = wordTerms(query.words, false);
      found.addRows("definition", ix.text.tx, matchRows(ix.text.tx, terms, false));
      if (!found.inGloss) found.addRows("example", ix.text.ex, matchRows(ix.text.ex, terms, false));
    }
    if (found.whole.size < FEW_MATCHES) fuzzy(ix, query, found);
    return ranked(ix, found, order, limit);
  }

  function fuzzy(ix, query, found) {
    var fz = corrections(ix, query.fuzzyTarget);
    if (!fz.length) return;
    var set = new Set(fz);
    for (var i = 0; i < ix.hwE.length; i++) if (set.has(ix.hwFolded[i])) found.add("fuzzy", ix.hwE[i]);
    var covered = new Set();
    wordTerms(query.gwords, false).forEach(function (g) { g.forEach(function (w) { covered.add(w); }); });
    var inGlosses = fz.filter(function (w) { return !covered.has(w); });
    if (inGlosses.length) found.addRows("fuzzy", ix.text.gl, matchRows(ix.text.gl, [inGlosses], false));
  }

  function ranked(ix, found, order, limit) {
    var position = {};
    order.forEach(function (t, i) { position[t] = i; });
    var best = [];
    found.tiers.forEach(function (bits, e) {
      var top = null;
      TIERS.forEach(function (t) {
        if ((bits & BIT[t]) && (top === null || position[t] < position[top])) top = t;
      });
      best.push([position[top], e, top]);
    });
    best.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return best.slice(0, limit || 20).map(function (b) {
      return { entry: ix.entries[b[1]], match: b[2] };
    });
  }

  root.WordkeepSearch = { prepare: prepare, search: search, parse: parse, fold: fold,
    normalise: normalise, words: words, stem: stem };
})(typeof self !== "undefined" ? self : this);
