// The import page: "Import" starts a background job and polls it, showing a progress bar.
// Without this script the form posts and the server answers with the final report.
(function () {
  "use strict";
  const form = document.querySelector("[data-import]");
  if (!form || !window.fetch || !window.FormData) return;
  const box = document.querySelector("[data-progress-box]");
  const bar = document.querySelector("[data-progress]");
  const status = document.querySelector("[data-status]");
  const errorBox = document.querySelector("[data-error]");
  const report = document.querySelector("[data-report]");
  // "line %(line)s: %(message)s" in the page's language: the order of the parts is its own.
  const lineText = (document.querySelector("[data-line-label]") || {}).textContent
    || "line %(line)s: %(message)s";
  const msg = (name) => form.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
  const POLL_MS = 400;

  function items(list, rows) {
    list.replaceChildren();
    for (const row of rows || []) {
      const li = document.createElement("li");
      li.textContent = row.line
        ? lineText.split("%(line)s").join(row.line).split("%(message)s").join(row.message)
        : row.message;
      list.appendChild(li);
    }
  }

  function showError(message, rows) {
    errorBox.hidden = false;
    errorBox.querySelector("[data-error-message]").textContent = message;
    items(errorBox.querySelector("[data-error-list]"), rows);
  }

  // A failed import: the bar stops (an indeterminate bar would look still at work).
  function failed(message, rows) {
    bar.max = 1;
    bar.value = 0;
    status.textContent = msg("failed");
    showError(message || msg("failed"), rows);
  }

  function showReport(data) {
    for (const dd of report.querySelectorAll("[data-count]")) {
      const value = data[dd.dataset.count];
      dd.textContent = value === undefined ? "" : String(value);
    }
    items(report.querySelector("[data-report-errors]"), data.errors);
    items(report.querySelector("[data-report-warnings]"), data.warnings);
    report.hidden = false;
  }

  function showProgress(job) {
    if (job.total > 0) {
      bar.max = job.total;
      bar.value = job.done;
    } else {
      bar.removeAttribute("value"); // indeterminate while reading
    }
    // While recordings and pictures are stored the counts are files, then entries.
    const what = job.stage === "media" ? msg("media") : msg(job.status);
    status.textContent = what + (job.total ? " " + job.done + " / " + job.total : "");
  }

  async function poll(url) {
    for (;;) {
      const res = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) throw new Error((await res.json().catch(() => ({}))).detail || res.statusText);
      const job = await res.json();
      showProgress(job);
      if (job.status === "done") {
        bar.max = 1;
        bar.value = 1;
        status.textContent = msg("done");
        showReport(job.report || {});
        return;
      }
      if (job.status === "failed") {
        failed(job.error, (job.report || {}).errors);
        return;
      }
      await new Promise((ok) => setTimeout(ok, POLL_MS));
    }
  }

  async function start(buttons) {
    const data = new FormData(form);
    data.delete("action");
    data.delete("csrf_token");
    errorBox.hidden = true;
    report.hidden = true;
    box.hidden = false;
    bar.removeAttribute("value");
    status.textContent = msg("uploading");
    buttons.forEach((b) => (b.disabled = true));
    try {
      const res = await fetch(form.dataset.jobsUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRF-Token": form.dataset.csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
      const body = await res.json().catch(() => ({}));
      if (res.status !== 202) {
        failed(typeof body.detail === "string" ? body.detail : res.statusText, []);
        return;
      }
      await poll(res.headers.get("Location") || form.dataset.jobsUrl + "/" + body.id);
    } catch (err) {
      failed(String(err.message || err), []);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (!submitter || !submitter.hasAttribute("data-start-import")) return; // dry run: plain post
    event.preventDefault();
    const input = form.querySelector("input[type=file]");
    if (!input.files.length) {
      showError(msg("nofile"), []);
      return;
    }
    start(Array.from(form.querySelectorAll("button[type=submit]")));
  });
})();
