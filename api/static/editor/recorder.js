// Recording in the browser: record, listen back, record again or keep; a kept recording is
// uploaded with a progress bar (or, for an entry not saved yet, right after the first save).
// Where MediaRecorder is missing only the file input shows.
(function () {
  "use strict";

  const shared = window.WordkeepEditor;
  const { t, canRecord, extension, microphone } = shared;
  const box = document.querySelector("[data-recorder]");
  const form = document.getElementById("entry-form");
  if (!box || !form) return;
  const $ = (sel) => box.querySelector(sel);
  const controls = $(".rec-controls");
  const keepBtn = $("[data-rec-keep]");
  const progress = $("[data-rec-progress]");
  const status = $("[data-rec-status]");
  const download = $("[data-rec-download]");
  const savedEntry = $("[data-rec-saved-entry]");
  let pending = null;  // kept on a new entry: uploaded after the entry is created
  let savedUrl = null;  // a new entry saved without its recording: where to go once it is up
  let savedNotes;  // and the IPA, speaker and consent typed for that recording

  if (canRecord) controls.hidden = false;

  function say(text) { status.textContent = text; }
  const mic = microphone(box, say);

  // A recording the server did not take stays on the page, and can be saved as a file: a
  // keeper who may no longer upload (or whose connection is gone) still has what they recorded.
  const offer = (file, name) => shared.offer(download, file, name);
  const upload = (url, file, name, fields) => shared.upload(url, file, name, fields, progress, say);

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
      mic.reset();
      if (download) download.hidden = true;
      say(t("Recording saved."));
    } catch (err) {
      offer(file, name);
      say(t("The recording was not saved: %(error)s. It is still here: try Keep again, or download it.", { error: err.message }));
    }
  }

  keepBtn.addEventListener("click", () => {
    const blob = mic.blob();
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
