// Recording in the browser: record, listen back, record again or keep; a kept recording is
// uploaded with a progress bar (or, for an entry not saved yet, right after the first save).
// Where MediaRecorder is missing only the file input shows.
(function () {
  "use strict";

  var MESSAGES = (function () {
    var node = document.getElementById("wk-messages");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  })();
  function t(text, values) {
    var out = MESSAGES[text] || text;
    Object.keys(values || {}).forEach(function (k) { out = out.split("%(" + k + ")s").join(values[k]); });
    return out;
  }
  const box = document.querySelector("[data-recorder]");
  const form = document.getElementById("entry-form");
  if (!box || !form) return;
  const $ = (sel) => box.querySelector(sel);
  const controls = $(".rec-controls");
  const startBtn = $("[data-rec-start]");
  const stopBtn = $("[data-rec-stop]");
  const preview = $("[data-rec-preview]");
  const keepBtn = $("[data-rec-keep]");
  const againBtn = $("[data-rec-again]");
  const progress = $("[data-rec-progress]");
  const status = $("[data-rec-status]");
  const download = $("[data-rec-download]");
  const savedEntry = $("[data-rec-saved-entry]");
  const csrf = () => (form.querySelector("input[name=csrf_token]") || {}).value || "";
  let recorder = null;
  let blob = null;
  let pending = null;  // kept on a new entry: uploaded after the entry is created
  let savedUrl = null;  // a new entry saved without its recording: where to go once it is up
  let savedNotes;  // and the IPA, speaker and consent typed for that recording

  const canRecord = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  if (canRecord) controls.hidden = false;

  function say(text) { status.textContent = text; }

  // A recording the server did not take stays on the page, and can be saved as a file: a
  // keeper who may no longer upload (or whose connection is gone) still has what they recorded.
  function offer(file, name) {
    if (!download) return;
    if (download.href) URL.revokeObjectURL(download.href);
    download.href = URL.createObjectURL(file);
    download.download = name;
    download.hidden = false;
  }

  async function start() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      say(t("The microphone is not available (%(error)s). You can choose a file instead.", { error: err.name }));
      return;
    }
    const type = ["audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus"].find(
      (t) => MediaRecorder.isTypeSupported(t)
    );
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const chunks = [];
    recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    recorder.onstop = () => {
      stream.getTracks().forEach((t) => t.stop());
      blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      preview.src = URL.createObjectURL(blob);
      preview.hidden = keepBtn.hidden = againBtn.hidden = false;
      startBtn.hidden = true;
      box.classList.remove("recording");
      say(t("Listen to the recording, then keep it or record again."));
      keepBtn.focus();
    };
    recorder.start();
    box.classList.add("recording");
    startBtn.disabled = true;
    stopBtn.disabled = false;
    stopBtn.focus();
    say("Recording… press Stop when done.");
  }

  function stop() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    stopBtn.disabled = true;
    startBtn.disabled = false;
  }

  function reset() {
    blob = null;
    preview.hidden = keepBtn.hidden = againBtn.hidden = true;
    preview.removeAttribute("src");
    startBtn.hidden = false;
  }

  function extension(type) {
    return type.includes("mp4") ? "m4a" : type.includes("ogg") ? "ogg" : "webm";
  }

  // POST the file with XMLHttpRequest: fetch() cannot report upload progress.
  function upload(url, file, name, fields) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      data.append("file", file, name);
      for (const [k, v] of Object.entries(fields || {})) data.append(k, v);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) progress.value = Math.round((100 * e.loaded) / e.total);
      };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) { progress.value = 100; resolve(body); }
        else reject(new Error(typeof body.detail === "string" ? body.detail : "upload failed (" + xhr.status + ")"));
      };
      xhr.onerror = () => reject(new Error("the network failed; try again"));
      say("Uploading…");
      xhr.send(data);
    });
  }

  // The upload made a new version; adopt it only if nobody else saved in between, so a later
  // save of this form still detects their change.
  function adopt(entry) {
    const versionInput = form.querySelector("input[name=version]");
    const known = new Set(Array.from(form.querySelectorAll("input[name$='.id']")).map((i) => i.value));
    const added = (entry.pronunciations || []).filter((p) => !known.has(p.id) && p.media);
    for (const p of added) {
      let row = Array.from(form.querySelectorAll("[data-prons] > [data-pron]")).find(
        (r) => !r.querySelector("input[name$='.id']").value && !r.querySelector("input[name$='.media']").value
          && !r.querySelector("input[name$='.ipa']").value
      );
      if (!row) row = window.wordkeepAddPronunciation();
      row.querySelector("input[name$='.id']").value = p.id;
      row.querySelector("input[name$='.media']").value = p.media.sha256;
      let audio = row.querySelector("audio");
      if (!audio) { audio = document.createElement("audio"); audio.controls = true; row.appendChild(audio); }
      audio.src = p.media.url;
      audio.setAttribute("aria-label", t("Recording (new)"));
    }
    if (Number(entry.version) === Number(versionInput.value) + 1) versionInput.value = entry.version;
    form.dispatchEvent(new Event("input"));
  }

  async function keep(file, name) {
    const url = box.dataset.uploadUrl;
    if (!url) {
      pending = { file, name };
      say(t("Recording kept. It is uploaded when you save the entry."));
      return;
    }
    try {
      const entry = await upload(url, file, name, savedNotes);
      if (savedUrl) {  // the new entry's recording, up at last: open the saved entry
        location.href = savedUrl.replace(/saved=\d+/, "saved=" + entry.version);
        return;
      }
      adopt(entry);
      reset();
      if (download) download.hidden = true;
      say(t("Recording saved."));
    } catch (err) {
      offer(file, name);
      say(t("The recording was not saved: %(error)s. It is still here: try Keep again, or download it.", { error: err.message }));
    }
  }

  startBtn.addEventListener("click", start);
  stopBtn.addEventListener("click", stop);
  againBtn.addEventListener("click", () => { reset(); start(); });
  keepBtn.addEventListener("click", () => {
    if (blob) keep(blob, "recording." + extension(blob.type));
  });

  const fileInput = $("[data-rec-file]");
  const audioForm = document.getElementById("audio-form");
  if (audioForm && fileInput) {
    audioForm.addEventListener("submit", (e) => {
      e.preventDefault();
      if (fileInput.files.length) keep(fileInput.files[0], fileInput.files[0].name);
      else say(t("Choose a file first."));
    });
  }

  const RECORDING_NOTES = ["speaker", "dialect", "place", "recorded_on", "consent",
    "consent_publish", "consent_speech_tools", "speaker_named"];
  const FLAG_NOTES = { consent_publish: 1, consent_speech_tools: 1, speaker_named: 1 };

  // A new entry with a kept recording: create it, then upload, then open the saved entry.
  form.addEventListener("submit", async (e) => {
    if (!pending || (e.submitter && e.submitter.value !== "save")) return;
    e.preventDefault();
    say(t("Saving the entry…"));
    // The IPA typed for the first pronunciation belongs with the recording, not beside it.
    const body = new FormData(form, e.submitter);
    const ipa = (body.get("pron.0.ipa") || "").trim();
    body.delete("pron.0.ipa");
    // So do who spoke it and the consent given (the upload's fields of the same names).
    const notes = ipa ? { ipa } : {};
    const flags = { yes: "true", no: "false", "1": "true" };
    for (const key of RECORDING_NOTES) {
      const value = (body.get("pron.0." + key) || "").trim();
      body.delete("pron.0." + key);
      if (value) notes[key] = key in FLAG_NOTES ? flags[value] || "false" : value;
    }
    body.delete("pron.0.notes");
    const response = await fetch(form.action, { method: "POST", body });
    const match = response.redirected && response.url.match(/\/entries\/([^/?#]+)\?saved=/);
    if (!match) {
      // Not saved (a field needs attention): show the page the server answered.
      document.open(); document.write(await response.text()); document.close();
      return;
    }
    // The URL from the server (api/urls.py), with the new entry's id in place of __entry__.
    const url = box.dataset.uploadUrlTemplate.replace("__entry__", match[1]);
    try {
      const entry = await upload(url, pending.file, pending.name, notes);
      location.href = response.url.replace(/saved=\d+/, "saved=" + entry.version);
    } catch (err) {
      // The page stays, with the recording: Keep now uploads it to the saved entry, the
      // entry's form cannot create it twice, and a link opens the saved entry.
      box.dataset.uploadUrl = url;
      savedUrl = response.url;
      savedNotes = notes;
      offer(pending.file, pending.name);
      pending = null;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach((b) => { b.disabled = true; });
      if (savedEntry) { savedEntry.href = response.url; savedEntry.hidden = false; }
      say(t("The entry was saved but the recording was not: %(error)s. It is still here: try Keep again, or download it.", { error: err.message }));
    }
  });
})();
