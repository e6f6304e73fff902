// The entry form: add, remove and reorder senses and examples; keep unsaved input as a local
// draft; semantic domain and related-entry pickers. Without this script the form still works.
(function () {
  "use strict";

  const { t } = window.WordkeepEditor;
  const form = document.getElementById("entry-form");
  if (!form) return;
  document.documentElement.classList.add("js");
  const sensesBox = form.querySelector("[data-senses]");

  // ---- numbering: names are sense.<i>.ex.<j>...; ids are "f-" + name with dashes -------------
  function rename(block, pattern, replacement) {
    const labels = Array.from(block.querySelectorAll("label[for]")).map((label) => [
      label, block.querySelector("#" + CSS.escape(label.htmlFor)),
    ]);
    block.querySelectorAll("[name]").forEach((el) => {
      const name = el.name.replace(pattern, replacement);
      if (name === el.name) return;
      el.name = name;
      if (el.id && el.id.startsWith("f-")) el.id = "f-" + name.replace(/\./g, "-");
    });
    labels.forEach(([label, target]) => { if (target) label.htmlFor = target.id; });
  }

  function renumber() {
    sensesBox.querySelectorAll(":scope > [data-sense]").forEach((sense, i) => {
      rename(sense, /^sense\.[^.]+\./, "sense." + i + ".");
      sense.querySelector(":scope > legend .num").textContent = i + 1;
      const add = sense.querySelector("[data-add-example]");
      if (add) add.value = "add_example:" + i;
      sense.querySelectorAll("[data-examples] > [data-example]").forEach((ex, j) => {
        rename(ex, /^(sense\.\d+\.ex\.)[^.]+\./, "$1" + j + ".");
        ex.querySelector(":scope > legend .num").textContent = j + 1;
      });
      sense.querySelectorAll("[data-pictures] > [data-picture]").forEach((pic, k) => {
        rename(pic, /^(sense\.\d+\.pic\.)[^.]+\./, "$1" + k + ".");
      });
    });
    form.querySelectorAll("[data-prons] > [data-pron]").forEach((row, i) => {
      rename(row, /^pron\.[^.]+\./, "pron." + i + ".");
    });
  }

  function fromTemplate(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function addSense() {
    const sense = fromTemplate("tpl-sense");
    sensesBox.appendChild(sense);
    enhance(sense);
    renumber();
    return sense;
  }

  function addExample(sense) {
    const ex = fromTemplate("tpl-example");
    sense.querySelector("[data-examples]").appendChild(ex);
    enhance(ex);
    renumber();
    return ex;
  }

  function addPron() {
    const row = fromTemplate("tpl-pron");
    form.querySelector("[data-prons]").appendChild(row);
    renumber();
    return row;
  }
  window.wordkeepAddPronunciation = addPron;  // used by recorder.js

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !form.contains(button)) return;
    if (button.matches("[data-add-sense]")) {
      event.preventDefault();
      const sense = addSense();
      sense.querySelector("input[type=text], textarea").focus();
      announce(t("Sense added"));
    } else if (button.matches("[data-add-example]")) {
      event.preventDefault();
      const ex = addExample(button.closest("[data-sense]"));
      ex.querySelector("textarea, input[type=text]").focus();
      announce(t("Example added"));
    } else if (button.matches("[data-move]")) {
      const item = button.closest("[data-picture]") || button.closest("[data-example]") ||
        button.closest("[data-sense]");
      const up = button.dataset.move === "-1";
      const other = up ? item.previousElementSibling : item.nextElementSibling;
      if (!other || other.matches("template") ||
          !other.matches("[data-sense], [data-example], [data-picture]")) return;
      item.parentNode.insertBefore(item, up ? other : other.nextElementSibling);
      renumber();
      button.focus();
      announce(t(up ? "Moved up" : "Moved down"));
      saveDraftSoon();
    }
  });

  // Removing is a checkbox (works without scripts); show at once what will go.
  form.addEventListener("change", (event) => {
    if (event.target.matches(".remove input")) {
      const block = event.target.closest(
        "[data-picture], [data-example], [data-sense], [data-pron], [data-item]");
      if (block) block.classList.toggle("removing", event.target.checked);
    }
  });

  const live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  form.appendChild(live);
  function announce(text) { live.textContent = text; }

  // ---- drafts in localStorage ------------------------------------------------------------
  const key = form.dataset.draftKey;
  const skip = (name) => !name || name === "csrf_token" || name.startsWith("_");

  function snapshot() {
    const values = [];
    form.querySelectorAll("input[name], textarea[name], select[name]").forEach((el) => {
      if (skip(el.name) || el.type === "file" || el.form !== form) return;  // not a sense's upload
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) values.push([el.name, el.value]); }
      else values.push([el.name, el.value]);
    });
    const structure = Array.from(sensesBox.querySelectorAll(":scope > [data-sense]")).map(
      (s) => s.querySelectorAll("[data-examples] > [data-example]").length
    );
    const prons = form.querySelectorAll("[data-prons] > [data-pron]").length;
    return { values, structure, prons };
  }

  const initial = JSON.stringify(snapshot());
  let timer = null;
  function saveDraft() {
    const now = snapshot();
    if (JSON.stringify(now) === initial) { localStorage.removeItem(key); return; }
    localStorage.setItem(key, JSON.stringify({ ...now, savedAt: new Date().toISOString() }));
  }
  function saveDraftSoon() { clearTimeout(timer); timer = setTimeout(saveDraft, 300); }
  form.addEventListener("input", saveDraftSoon);
  form.addEventListener("change", saveDraftSoon);
  window.addEventListener("pagehide", () => { if (timer) { clearTimeout(timer); saveDraft(); } });

  function restoreDraft(draft) {
    const senses = () => sensesBox.querySelectorAll(":scope > [data-sense]");
    while (senses().length < draft.structure.length) addSense();
    while (senses().length > draft.structure.length) senses()[senses().length - 1].remove();
    senses().forEach((sense, i) => {
      const exs = () => sense.querySelectorAll("[data-examples] > [data-example]");
      while (exs().length < draft.structure[i]) addExample(sense);
      while (exs().length > draft.structure[i]) exs()[exs().length - 1].remove();
    });
    while (form.querySelectorAll("[data-prons] > [data-pron]").length < draft.prons) addPron();
    renumber();
    form.querySelectorAll("input[type=checkbox][name]").forEach((el) => { el.checked = false; });
    for (const [name, value] of draft.values) {
      form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((el) => {
        if (el.type === "checkbox" || el.type === "radio") el.checked = el.value === value;
        else el.value = value;
      });
    }
  }

  // A picture's or an example's upload leaves the page (and a saved page drops the draft):
  // not while the form holds changes not saved yet.
  document.addEventListener("submit", (event) => {
    const upload = event.target;
    if (!upload.hasAttribute("data-leaves-page")) return;
    if (JSON.stringify(snapshot()) === initial) return;
    event.preventDefault();
    const box = form.querySelector(`[data-upload-box][data-for="${CSS.escape(upload.id)}"]`);
    const hint = box && box.querySelector("[data-upload-hint]");
    if (hint) {
      hint.hidden = false;
      hint.classList.add("error");
      hint.setAttribute("role", "alert");
    }
    announce(t("Save your other changes first, then upload."));
  });

  const offer = document.querySelector(".draft-offer");
  if (document.querySelector("[data-saved]")) {
    localStorage.removeItem(key);
    localStorage.removeItem(key.replace(/:[^:]+$/, ":new"));
  } else if (localStorage.getItem(key) && offer) {
    const draft = JSON.parse(localStorage.getItem(key));
    if (JSON.stringify({ values: draft.values, structure: draft.structure, prons: draft.prons }) !== initial) {
      // In the page's language (not the browser's), in the reader's own time zone.
      const lang = document.documentElement.lang || undefined;
      offer.querySelector("time").textContent = new Date(draft.savedAt).toLocaleString(
        lang, { dateStyle: "medium", timeStyle: "short" });
      offer.querySelector("time").dateTime = draft.savedAt;
      offer.hidden = false;
      offer.querySelector("[data-draft-restore]").addEventListener("click", () => {
        restoreDraft(draft);
        offer.hidden = true;
        announce(t("Your unsaved changes are back"));
        form.querySelector("input[type=text]").focus();
      });
      offer.querySelector("[data-draft-discard]").addEventListener("click", () => {
        localStorage.removeItem(key);
        offer.hidden = true;
      });
    }
  }

  // ---- pickers: semantic domains and related entries -------------------------------------
  let domains = null;
  async function loadDomains() {
    if (!domains) domains = fetch(form.dataset.domainsUrl).then((r) => r.json());
    return domains;
  }

  function listbox(input, list, choose) {
    let active = -1;
    function show(items) {
      list.innerHTML = "";
      items.forEach((item, i) => {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = item.label;
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(item); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", String(!list.hidden));
      active = -1;
      list._items = items;
    }
    function pick(item) { choose(item); show([]); }
    function move(delta) {
      const items = list.querySelectorAll("li");
      if (!items.length) return;
      active = (active + delta + items.length) % items.length;
      items.forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Enter" && !list.hidden) {
        e.preventDefault();
        if (list._items && list._items.length) pick(list._items[Math.max(active, 0)]);
      } else if (e.key === "Escape") show([]);
    });
    input.addEventListener("blur", () => setTimeout(() => show([]), 150));
    return show;
  }

  let uid = 0;
  function domainPicker(box) {
    const area = box.querySelector("textarea");
    const search = document.createElement("input");
    search.type = "text";
    search.id = "dom-search-" + (++uid);
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    search.autocomplete = "off";
    const label = document.createElement("label");
    label.htmlFor = search.id;
    label.textContent = t("Find a semantic domain (number or word)");
    const list = document.createElement("ul");
    list.className = "options";
    list.id = search.id + "-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", t("Semantic domains"));
    list.hidden = true;
    search.setAttribute("aria-controls", list.id);
    const wrap = document.createElement("div");
    wrap.className = "field domain-picker";
    wrap.append(label, search, list);
    box.prepend(wrap);
    const show = listbox(search, list, (item) => {
      const lines = area.value.split("\n").map((l) => l.trim()).filter(Boolean);
      if (!lines.includes(item.label)) lines.push(item.label);
      area.value = lines.join("\n");
      search.value = "";
      area.dispatchEvent(new Event("input", { bubbles: true }));
      announce(t("Added %(name)s", { name: item.label }));
    });
    search.addEventListener("input", async () => {
      const q = search.value.trim().toLowerCase();
      if (!q) return show([]);
      const all = await loadDomains();
      const hits = all.filter((d) => d.code.startsWith(q) || d.name.toLowerCase().includes(q));
      show(hits.slice(0, 30).map((d) => ({ label: d.code + " " + d.name })));
    });
  }

  function relationPicker(row) {
    const input = row.querySelector("[data-relation-search]");
    const hidden = row.querySelector("input[type=hidden][name$='.target_id']");
    const list = row.querySelector(".options");
    const show = listbox(input, list, (item) => {
      input.value = item.headword;
      hidden.value = item.id;
      saveDraftSoon();
    });
    let pending = null;
    input.addEventListener("input", () => {
      hidden.value = "";
      clearTimeout(pending);
      const q = input.value.trim();
      if (!q) return show([]);
      pending = setTimeout(async () => {
        const r = await fetch(form.dataset.lookupUrl + "?q=" + encodeURIComponent(q));
        const data = await r.json();
        const self = form.dataset.entryId;
        show(data.items.filter((i) => i.id !== self).map((i) => ({
          ...i, label: i.headword + (i.gloss ? " — " + i.gloss : ""),
        })));
      }, 200);
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-domains]").forEach(domainPicker);
    if (root.matches && root.matches("[data-domains]")) domainPicker(root);
  }
  enhance(form);
  form.querySelectorAll("[data-relation]").forEach(relationPicker);
  form.addEventListener("submit", () => { clearTimeout(timer); saveDraft(); });
})();
