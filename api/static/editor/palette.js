// Special-character palette: inserts a letter (a multigraph whole) at the cursor of the text
// field last used, replacing any selection. Buttons keep the field's focus when clicked, and
// keyboard users can Tab to the palette: the field and its cursor are remembered.
(function () {
  "use strict";
  const palette = document.querySelector("[data-palette]");
  if (!palette) return;
  palette.hidden = false;
  const form = palette.closest("form") || document;
  const isText = (el) => el && (el.matches("textarea") || el.matches("input[type=text], input[type=search], input:not([type])"));
  let field = null;
  let start = 0;
  let end = 0;

  function remember(el) {
    if (!isText(el) || palette.contains(el)) return;
    field = el;
    start = el.selectionStart ?? el.value.length;
    end = el.selectionEnd ?? start;
  }
  ["focusin", "keyup", "mouseup", "select", "input"].forEach((type) =>
    form.addEventListener(type, (e) => remember(e.target))
  );

  // Clicking a button would move the focus away from the field: keep it where it is.
  palette.addEventListener("mousedown", (e) => { if (e.target.closest("button")) e.preventDefault(); });
  palette.addEventListener("click", (e) => {
    const toggle = e.target.closest("[data-toggle]");
    if (toggle) {
      const group = document.getElementById(toggle.getAttribute("aria-controls"));
      group.hidden = !group.hidden;
      toggle.setAttribute("aria-expanded", String(!group.hidden));
      return;
    }
    const button = e.target.closest("button[data-insert]");
    if (!button) return;
    const target = field && document.contains(field) ? field : form.querySelector("input[type=text], textarea");
    if (!target) return;
    const text = button.dataset.insert;
    const focused = document.activeElement === target;
    const from = focused ? target.selectionStart : start;
    const to = focused ? target.selectionEnd : end;
    target.setRangeText(text, from, to, "end");
    target.focus();
    target.setSelectionRange(from + text.length, from + text.length);
    remember(target);
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
