// Recording an example sentence in the browser: record, listen back, record again or keep; a
// kept recording is uploaded at once (with a progress bar) and the page stays, the form's
// hidden `media` field naming it, so nothing typed is lost. Without MediaRecorder (or without
// this script) the file input and its own upload form remain.
(function () {
  "use strict";

  const shared = window.WordkeepEditor;
  const { t, canRecord, extension, microphone } = shared;
  const form = document.getElementById("entry-form");
  if (!form || !canRecord) return;

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
    const keepBtn = $("[data-rec-keep]"), progress = $("[data-rec-progress]");
    const status = $("[data-rec-status]"), download = $("[data-rec-download]");
    $(".example-rec-controls").hidden = false;
    const say = (text) => { status.textContent = text; };
    const mic = microphone(box, say);

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

    keepBtn.addEventListener("click", async () => {
      const blob = mic.blob();
      if (!blob) return;
      const name = "example." + extension(blob.type);
      keepBtn.disabled = true;
      try {
        const entry = await shared.upload(box.dataset.uploadUrl, blob, name, {}, progress, say);
        progress.hidden = true;
        adopt(entry);
        mic.reset();
        download.hidden = true;
        say(t("Recording saved."));
      } catch (err) {
        shared.offer(download, blob, name);
        say(t("The recording was not saved: %(error)s. It is still here: try Keep again, or download it.", { error: err.message }));
      } finally {
        keepBtn.disabled = false;
      }
    });
  }

  form.querySelectorAll("[data-example-recorder][data-upload-url]").forEach(setUp);
})();
