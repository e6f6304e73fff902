// The text editor's background work (issue 23): "Propose sentences from the recording"
// (POST .../texts/{id}/segmentation) and "Align the words" (POST .../texts/{id}/alignment).
// Each button starts the job, the page polls the job's status URL with a progress bar, and
// reloads when it is done, showing the new sentences or word times. Messages come translated
// in the section's data-msg-* attributes.
(function () {
  "use strict";
  const box = document.querySelector("[data-text-jobs]");
  if (!box) return;
  const POLL_MS = 700;
  const bar = box.querySelector("progress");
  const status = box.querySelector("[data-job-status]");
  const buttons = Array.from(box.querySelectorAll("button[data-job-url]"));
  const msg = (name, values) =>
    (box.dataset["msg" + name[0].toUpperCase() + name.slice(1)] || name).replace(
      /%\((\w+)\)s/g,
      (whole, key) => (values && values[key] !== undefined ? values[key] : whole),
    );
  box.hidden = false;

  function say(text, failed) {
    status.textContent = text;
    status.classList.toggle("error", !!failed);
  }

  function detail(body, res) {
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => d.msg || "").join("; ");
    return res.statusText || String(res.status);
  }

  async function poll(url) {
    for (;;) {
      const res = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      const job = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(detail(job, res));
      if (job.total) {
        bar.max = job.total;
        bar.value = Math.min(job.done || 0, job.total);
      }
      if (job.status === "done") return job;
      if (job.status === "failed") throw new Error(job.error || msg("failed"));
      await new Promise((ok) => setTimeout(ok, POLL_MS));
    }
  }

  function unsaved() {
    // The sentences' form with a field changed since the page was loaded (the segment editor
    // writes into these fields too): the reload at the end would lose it.
    const form = document.querySelector("form[data-text-form]") || document.querySelector("form");
    return !!form && Array.from(form.elements).some((el) =>
      (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "hidden" && el.type !== "file"))
        && el.value !== el.defaultValue);
  }

  async function run(button) {
    if (unsaved() && !window.confirm(msg("unsaved"))) return;
    buttons.forEach((b) => (b.disabled = true));
    bar.hidden = false;
    bar.removeAttribute("value");
    say(msg("working"));
    try {
      const res = await fetch(button.dataset.jobUrl, {
        method: "POST",
        headers: { "X-CSRF-Token": box.dataset.csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
      const body = await res.json().catch(() => ({}));
      if (res.status !== 202) throw new Error(detail(body, res));
      await poll(res.headers.get("Location") || button.dataset.jobUrl + "/" + body.id);
      say(msg("done"));
      box.dataset.jobState = "done";
      window.location.reload();
    } catch (err) {
      bar.hidden = true;
      box.dataset.jobState = "failed";
      say(msg("failed", { error: String(err.message || err) }), true);
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  buttons.forEach((button) => button.addEventListener("click", () => run(button)));
})();
