// Recording an example sentence in the browser: record, listen back, record again or keep; a
// kept recording is uploaded at once (with a progress bar) and the page stays, the form's
// hidden `media` field naming it, so nothing typed is lost. Without MediaRecorder (or without
// this script) the file input and its own upload form remain.
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
  const form = document.getElementById("entry-form");
  const canRecord = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  if (!form || !canRecord) return;
  const csrf = () => (form.querySelector("input[name=csrf_token]") || {}).value || "";

  function exampleOf(entry, id) {
    const senses = (entry.senses || []).slice();
    while (senses.length) {
      const sense = senses.shift();
      const found = (sense.examples || []).find((ex) => ex.id === id);
      if (found) return found;
      senses.push(...(sense.subsenses || []));
    }
    return null;
  }

  function setUp(box) {
    const $ = (sel) => box.querySelector(sel);
    const startBtn = $("[data-rec-start]"), stopBtn = $("[data-rec-stop]");
    const preview = $("[data-rec-preview]"), keepBtn = $("[data-rec-keep]");
    const againBtn = $("[data-rec-again]"), progress = $("[data-rec-progress]");
    const status = $("[data-rec-status]"), download = $("[data-rec-download]");
    let recorder = null, blob = null;
    $(".example-rec-controls").hidden = false;
    const say = (text) => { status.textContent = text; };

    async function start() {
      let stream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (err) {
        say(t("The microphone is not available (%(error)s). You can choose a file instead.", { error: err.name }));
        return;
      }
      const type = ["audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus"].find(
        (k) => MediaRecorder.isTypeSupported(k));
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      const chunks = [];
      recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
        preview.src = URL.createObjectURL(blob);
        preview.hidden = keepBtn.hidden = againBtn.hidden = false;
        startBtn.hidden = true;
        say(t("Listen to the recording, then keep it or record again."));
        keepBtn.focus();
      };
      recorder.start();
      startBtn.disabled = true;
      stopBtn.disabled = false;
      stopBtn.focus();
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

    // The upload made a new version: adopt it only if nobody else saved in between, so a
    // later save of this form still finds their change.
    function adopt(entry) {
      const example = exampleOf(entry, box.dataset.exampleId);
      if (!example || !example.media) return;
      $("[data-example-media]").value = example.media.sha256;
      const fieldset = box.closest("[data-example]");
      let player = fieldset.querySelector("audio[data-example-audio]");
      if (!player) {
        player = document.createElement("audio");
        player.controls = true;
        player.dataset.exampleAudio = "";
        box.before(player);
      }
      player.src = example.media.url;
      player.setAttribute("aria-label", t("Example recording"));
      const version = form.querySelector("input[name=version]");
      if (Number(entry.version) === Number(version.value) + 1) version.value = entry.version;
    }

    // Not taken by the server: the recording stays here, and can be saved as a file.
    function failed(why) {
      if (download.href) URL.revokeObjectURL(download.href);
      download.href = URL.createObjectURL(blob);
      download.download = "example." + extension(blob.type);
      download.hidden = false;
      say(t("The recording was not saved: %(error)s. It is still here: try Keep again, or download it.", { error: why }));
    }

    function extension(type) {
      return type.includes("mp4") ? "m4a" : type.includes("ogg") ? "ogg" : "webm";
    }

    function keep() {
      if (!blob) return;
      const data = new FormData();
      data.append("file", blob, "example." + extension(blob.type));
      const xhr = new XMLHttpRequest();
      xhr.open("POST", box.dataset.uploadUrl);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      progress.hidden = false;
      progress.value = 0;
      keepBtn.disabled = true;
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) progress.value = Math.round((100 * e.loaded) / e.total);
      };
      xhr.onload = () => {
        keepBtn.disabled = false;
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) {
          progress.hidden = true;
          adopt(body);
          reset();
          say(t("Recording saved."));
          download.hidden = true;
        } else {
          failed(typeof body.detail === "string" ? body.detail : "upload failed (" + xhr.status + ")");
        }
      };
      xhr.onerror = () => { keepBtn.disabled = false; failed("the network failed; try again"); };
      xhr.send(data);
    }

    startBtn.addEventListener("click", start);
    stopBtn.addEventListener("click", stop);
    againBtn.addEventListener("click", () => { reset(); start(); });
    keepBtn.addEventListener("click", keep);
  }

  form.querySelectorAll("[data-example-recorder][data-upload-url]").forEach(setUp);
})();
