// Results as you type: progressive enhancement of the plain GET search form.
// Without JavaScript the form still works; with it, results follow each keystroke. The rows
// are the server's own: the script asks for the search page (its URL is the form's
// `data-results`) and puts that page's #results in place, so there is one row template.
(function () {
  "use strict";
  var form = document.querySelector("form.search[data-results]");
  if (!form || !window.fetch || !window.DOMParser) return;
  var input = form.querySelector("input[name=q]");
  var exact = form.querySelector("input[name=exact]");
  var box = document.getElementById("results");
  var timer = null, controller = null, last = null;

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
    fetch(form.dataset.results + "?" + params.toString(),
      { headers: { Accept: "text/html" }, signal: controller && controller.signal })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || key !== last) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("results");
        if (fresh) box.replaceChildren.apply(box, Array.prototype.slice.call(fresh.childNodes));
      })
      .catch(function () { /* a newer keystroke aborted this request */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  if (exact) exact.addEventListener("change", run);
  last = input.value.trim() + (exact && exact.checked ? "\u0000exact" : "");
})();
