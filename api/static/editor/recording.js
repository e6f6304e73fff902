// What the editor's scripts share: its messages in the page's language (`t`), and recording
// from the microphone with a box's buttons (record, stop, listen back, record again), used by
// the word's recorder (recorder.js) and each example's (example-recorder.js).
window.WordkeepEditor = (function () {
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

  const canRecord = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);

  function extension(type) {
    return type.includes("mp4") ? "m4a" : type.includes("ogg") ? "ogg" : "webm";
  }

  // The box's [data-rec-start], [data-rec-stop], [data-rec-preview], [data-rec-keep] and
  // [data-rec-again], wired: `blob()` is the recording made (null until one is), `reset()`
  // readies the box for another. `say` tells the keeper what happens.
  function microphone(box, say) {
    const $ = (sel) => box.querySelector(sel);
    const startBtn = $("[data-rec-start]"), stopBtn = $("[data-rec-stop]");
    const preview = $("[data-rec-preview]"), keepBtn = $("[data-rec-keep]");
    const againBtn = $("[data-rec-again]");
    let recorder = null, blob = null;

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
        box.classList.remove("recording");
        say(t("Listen to the recording, then keep it or record again."));
        keepBtn.focus();
      };
      recorder.start();
      box.classList.add("recording");
      startBtn.disabled = true;
      stopBtn.disabled = false;
      stopBtn.focus();
      say(t("Recording… press Stop when done."));
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

    startBtn.addEventListener("click", start);
    stopBtn.addEventListener("click", stop);
    againBtn.addEventListener("click", () => { reset(); start(); });
    return { blob: () => blob, reset };
  }

  function csrf() {
    const input = document.querySelector("#entry-form input[name=csrf_token]");
    return input ? input.value : "";
  }

  // POST the file to the API with XMLHttpRequest (fetch() cannot report upload progress);
  // resolves with the entry it answers, rejects with the reason it gives.
  function upload(url, file, name, fields, progress, say) {
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
      say(t("Uploading…"));
      xhr.send(data);
    });
  }

  // A recording the server did not take, offered as a file by the `link`.
  function offer(link, file, name) {
    if (!link) return;
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(file);
    link.download = name;
    link.hidden = false;
  }

  return { t, canRecord, extension, microphone, upload, offer };
})();
