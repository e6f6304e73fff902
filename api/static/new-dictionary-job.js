// The progress page of a new dictionary's import: polls the job (GET /api/new-dictionary-jobs/{id})
// and moves the bar; once the dictionary exists it goes there, and a failed job reloads the page,
// which then lists the file's problems. Without scripts the page refreshes itself instead.
(function () {
  "use strict";
  const box = document.querySelector("[data-new-dictionary-job]");
  if (!box || !window.fetch) return;
  const POLL_MS = 700;
  const bar = box.querySelector("[data-progress]");
  const status = box.querySelector("[data-job-status]");
  const count = box.querySelector("[data-job-count]");
  const msg = (name) => box.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
  const number = (n) => Number(n).toLocaleString(document.documentElement.lang || undefined);

  function show(job) {
    // Counted stages: the entries written, the recordings and pictures stored.
    const writing = (job.stage === "writing" || job.stage === "media") && job.total > 0;
    if (writing) {
      bar.max = job.total;
      bar.value = Math.min(job.done, job.total);
    } else {
      bar.removeAttribute("value"); // indeterminate while the file is read and checked
    }
    const text = msg(job.stage) || msg(job.status);
    if (text) status.textContent = text;
    count.hidden = !writing;
    if (writing) {
      count.textContent = msg(job.stage === "media" ? "countMedia" : "count")
        .split("%(done)s").join(number(job.done))
        .split("%(total)s").join(number(job.total));
    }
  }

  async function poll() {
    for (;;) {
      await new Promise((ok) => setTimeout(ok, POLL_MS));
      let job;
      try {
        const res = await fetch(box.dataset.jobUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!res.ok) {
          window.location.reload(); // the page itself says what is wrong
          return;
        }
        job = await res.json();
      } catch (err) {
        continue; // a weak connection: ask again
      }
      if (job.status === "done" && job.url) {
        bar.max = 1;
        bar.value = 1;
        status.textContent = msg("done");
        window.location.replace(job.url);
        return;
      }
      if (job.status === "failed" || job.status === "done") {
        window.location.reload();
        return;
      }
      show(job);
    }
  }

  poll();
})();
