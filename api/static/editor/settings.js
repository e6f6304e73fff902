// Live preview of the alphabetical order while an owner edits the alphabet.
(function () {
  "use strict";
  const form = document.querySelector("[data-settings]");
  if (!form) return;
  const letters = form.querySelector("[name=letters]");
  const ignore = form.querySelector("[name=ignore]");
  const confusables = form.querySelector("[name=confusables]");
  const sample = form.querySelector("[data-sample]");
  const list = form.querySelector("[data-preview]");
  const error = form.querySelector("[data-preview-error]");
  if (!sample.value) {
    sample.value = letters.value.split(/\s+/).filter(Boolean).slice(0, 12).reverse()
      .map((l) => l + "a").join("\n");
  }
  let timer = null;
  async function update() {
    const params = new URLSearchParams({
      letters: letters.value, ignore: ignore.value, confusables: confusables.value, words: sample.value,
    });
    const r = await fetch(form.dataset.previewUrl + "?" + params);
    const data = await r.json();
    error.textContent = data.error || "";
    list.innerHTML = "";
    for (const item of data.words) {
      const li = document.createElement("li");
      li.textContent = item.word + (item.letter ? "  (" + item.letter + ")" : "");
      list.appendChild(li);
    }
  }
  [letters, ignore, confusables, sample].forEach((el) =>
    el.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 250); })
  );
  update();
})();
