// The new-dictionary page: a slug proposed from the title, the language looked up as one types
// (GET /api/languages?q=), and on picking one its code, writing system and CLDR alphabet filled
// in (GET /api/languages/{code}). Without scripts the page works as plain form posts.
(function () {
  "use strict";
  var form = document.querySelector("[data-new-dictionary]");
  if (!form) return;
  var url = form.getAttribute("data-languages-url");
  var title = form.querySelector("#f-title");
  var slug = form.querySelector("[data-slug]");
  var name = form.querySelector("[data-language]");
  var list = form.querySelector("[data-language-list]");
  var code = form.querySelector("#f-language_code");
  var vernacular = form.querySelector("#f-vernacular_ws");
  var letters = form.querySelector("#f-letters");
  var status = form.querySelector("[data-language-status]");
  var slugTouched = slug.value !== "";
  var auto = { code: code.value, vernacular: vernacular.value, letters: "" };
  var found = {};
  var timer = null;

  function proposeSlug(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");
  }
  title.addEventListener("input", function () {
    if (!slugTouched) slug.value = proposeSlug(title.value);
  });
  slug.addEventListener("input", function () { slugTouched = slug.value !== ""; });

  function search() {
    var q = name.value.trim();
    if (q.length < 2) return;
    fetch(url + "?limit=20&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        list.textContent = "";
        found = {};
        data.items.forEach(function (lang) {
          var option = document.createElement("option");
          option.value = lang.name;
          option.label = lang.name + " (" + lang.code + ")";
          option.textContent = lang.name + " (" + lang.code + ")";
          list.appendChild(option);
          if (!(lang.name in found)) found[lang.name] = lang;
        });
        pick();
      })
      .catch(function () {});
  }

  function pick() {
    var lang = found[name.value];
    if (!lang) return;
    if (code.value === "" || code.value === auto.code) {
      code.value = auto.code = lang.tag;
    }
    if (vernacular.value === "" || vernacular.value === auto.vernacular) {
      vernacular.value = auto.vernacular = lang.tag;
    }
    status.textContent = lang.name + " (" + lang.code + ")";
    if (letters.value !== "" && letters.value !== auto.letters) return;
    fetch(url + "/" + encodeURIComponent(lang.code), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.alphabet && (letters.value === "" || letters.value === auto.letters)) {
          letters.value = auto.letters = data.alphabet.join(" ");
        }
      })
      .catch(function () {});
  }

  name.addEventListener("input", function () {
    if (found[name.value]) { pick(); return; }
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  name.addEventListener("change", pick);
})();
