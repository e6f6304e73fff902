// Results as you type: progressive enhancement of the plain GET search form.
// Without JavaScript the form still works; with it, results follow each keystroke.
(function () {
  "use strict";
  var form = document.querySelector("form.search[data-api]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var exact = form.querySelector("input[name=exact]");
  var box = document.getElementById("results");
  var why = JSON.parse(form.dataset.why || "{}");
  var timer = null, controller = null, last = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function render(data, q) {
    box.textContent = "";
    var count = data.total >= Number(form.dataset.cap) ? form.dataset.capped
      : data.total === 1 ? form.dataset.one
      : form.dataset.many.replace("{n}", String(data.total));
    box.appendChild(el("p", { "class": "meta", id: "count" },
      data.items.length ? count : form.dataset.none));
    var list = el("ol", { "class": "entries results", id: "result-list" });
    data.items.forEach(function (item) {
      var li = el("li");
      var link = el("a", { href: "/d/" + form.dataset.slug + "/entries/" + item.id });
      var lang = Object.keys(item.headword)[0] || "";
      link.appendChild(el("span", { "class": "hw", lang: lang }, item.headword_text));
      if (item.homograph) link.appendChild(el("sub", {}, String(item.homograph)));
      li.appendChild(link);
      if (item.part_of_speech) li.append(" ", el("span", { "class": "pos" }, item.part_of_speech));
      Object.keys(item.glosses).forEach(function (l) {
        li.append(" ", el("span", { "class": "gloss", lang: l }, item.glosses[l]));
      });
      if (item.match) li.append(" ", el("small", { "class": "why", title: item.match.text }, why[item.match.type] || ""));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (data.next) {
      var more = el("a", { rel: "next", id: "more",
        href: "?q=" + encodeURIComponent(q) + "&cursor=" + data.next }, form.dataset.more);
      box.appendChild(el("p")).appendChild(more);
    }
  }

  function run() {
    var q = input.value.trim();
    var key = q + (exact && exact.checked ? "\u0000exact" : "");
    if (key === last) return;
    last = key;
    var params = new URLSearchParams({ q: q });
    if (exact && exact.checked) params.set("exact", "true");
    history.replaceState(null, "", q ? "?" + params.toString() : location.pathname);
    if (!q) { box.textContent = ""; return; }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    params.set("limit", "20");
    fetch(form.dataset.api + "?" + params.toString(),
      { headers: { Accept: "application/json" }, signal: controller && controller.signal })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data, q); })
      .catch(function () { /* a newer keystroke aborted this request */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  if (exact) exact.addEventListener("change", run);
  last = input.value.trim() + (exact && exact.checked ? "\u0000exact" : "");
})();
