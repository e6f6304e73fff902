// The keeper's text editor: the recording's waveform (the server's peaks JSON, drawn on a
// canvas) with the sentences on it as regions whose edges are dragged with a mouse, a pen or a
// finger (Pointer Events); a playhead; play, loop, split, merge; keyboard shortcuts. It edits
// the form's own fields (start, end, transcription, translation of each row), so saving is the
// form's save: one revision, the same version check, merge and conflict page. Without this
// script the times are typed as numbers.
(function () {
  "use strict";
  var box = document.querySelector("[data-seg-editor]");
  var form = document.querySelector("form.text-edit");
  var audio = document.querySelector("[data-text-recording]");
  if (!box || !form || !audio || !window.fetch || !window.PointerEvent) return;
  var canvas = box.querySelector("[data-wave]");
  var tbody = form.querySelector("tbody");
  var rowsInput = form.querySelector("input[name=rows]");
  var statusLine = box.querySelector("[data-seg-status]");
  var clock = box.querySelector("[data-clock]");
  var scroller = box.querySelector("[data-scroll]");
  var MIN = 0.05; // the shortest sentence a drag or a split leaves, in seconds
  var JOINED = 0.0005; // edges closer than this are one boundary, dragged together
  var peaks = null, duration = 0, head = 0, current = -1;
  var view = { start: 0, pps: 0, zoom: 1 }; // the time at the left edge; pixels a second
  var drag = null, loop = false, stopAt = null, ticking = false;

  function msg(name, values) {
    var text = box.dataset[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(values[key]);
    });
    return text;
  }
  function say(text) { statusLine.textContent = text; }
  function round(t) { return Math.round(t * 1000) / 1000; }
  function shown(t) { return round(t).toFixed(3); }
  function clamp(t, lo, hi) { return Math.min(Math.max(t, lo), hi); }

  // ---- the form's rows are the one truth: read afresh every time
  function rows() { return Array.prototype.slice.call(tbody.rows); }
  function field(row, name) { return row.querySelector("[name$='-" + name + "']"); }
  function value(row, name) {
    var input = field(row, name), text = input ? input.value.trim() : "";
    return text === "" ? null : parseFloat(text);
  }
  function timed() {
    return rows().filter(function (row) {
      var gone = field(row, "delete");
      return !(gone && gone.checked) && value(row, "start") !== null && value(row, "end") !== null;
    }).map(function (row) {
      return { row: row, start: value(row, "start"), end: value(row, "end") };
    });
  }
  function setTime(row, name, t) { field(row, name).value = String(round(t)); }

  function renumber() {
    rows().forEach(function (row, i) {
      var cell = row.cells[0];
      if (cell.firstChild && cell.firstChild.nodeType === 3) cell.firstChild.nodeValue = String(i + 1);
      row.querySelectorAll("[name^='seg-']").forEach(function (input) {
        input.name = input.name.replace(/^seg-\d+-/, "seg-" + i + "-");
        var part = input.name.split("-").pop(), label = box.dataset["label" + part.charAt(0).toUpperCase() + part.slice(1)];
        if (label && input.type !== "hidden") input.setAttribute("aria-label", label.split("%(number)s").join(i + 1));
      });
    });
    rowsInput.value = String(rows().length);
  }

  function newRowAfter(row) {
    var copy = row.cloneNode(true);
    copy.querySelectorAll("input[type=hidden], input[type=checkbox]").forEach(function (n) { n.remove(); });
    copy.querySelectorAll("input, textarea").forEach(function (n) { n.value = ""; n.textContent = ""; });
    copy.classList.remove("seg-current");
    row.after(copy);
    return copy;
  }

  // ---- drawing
  function fit() { return canvas.clientWidth / (duration || 1); }
  function px(t) { return (t - view.start) * view.pps; }
  function at(x) { return view.start + x / view.pps; }
  function width() { return canvas.clientWidth / view.pps; }

  function setView(start) {
    view.start = clamp(start, 0, Math.max(0, duration - width()));
    scroller.hidden = view.pps <= fit() * 1.001;
    scroller.max = String(Math.max(0, duration - width()));
    scroller.value = String(view.start);
  }
  function follow(t) { if (t < view.start || t > view.start + width()) setView(t - width() / 10); }

  function resize() {
    if (!peaks) return; // the width of a second is known once the duration is
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    view.pps = fit() * view.zoom; // a turned tablet keeps its zoom, not its pixels a second
    setView(view.start);
    draw();
  }

  function drawRuler(ctx, w, h) { // a tick and its time every 70 px or more
    var steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800];
    var step = steps.filter(function (s) { return s * view.pps >= 70; })[0] || 3600;
    ctx.fillStyle = "#5f6368";
    for (var t = Math.ceil(view.start / step) * step; t <= view.start + width(); t += step) {
      var label = duration >= 60
        ? Math.floor(t / 60) + ":" + String(Math.floor(t % 60)).padStart(2, "0")
        : String(round(t));
      ctx.fillRect(px(t), h - 5, 1, 5);
      if (px(t) + 3 + ctx.measureText(label).width < w) ctx.fillText(label, px(t) + 3, h - 4);
    }
  }

  function drawWave(ctx, w, h) {
    var data = peaks.data, per = peaks.per_second, n = data.length / 2, mid = h / 2;
    var gain = 0.9 * Math.min(4, 127 / (peaks.loudest || 127)); // quiet recordings drawn larger
    ctx.fillStyle = "#1d1d1f";
    for (var x = 0; x < w; x++) {
      var a = Math.max(0, Math.floor(at(x) * per)), b = Math.min(n, Math.max(a + 1, Math.floor(at(x + 1) * per)));
      if (a >= n) break;
      var lo = 0, hi = 0;
      for (var k = a; k < b; k++) { lo = Math.min(lo, data[2 * k]); hi = Math.max(hi, data[2 * k + 1]); }
      var top = mid - Math.min(1, (hi / 128) * gain) * mid, bottom = mid - Math.max(-1, (lo / 128) * gain) * mid;
      ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
  }

  var cached = { key: "", image: document.createElement("canvas") };
  function waveImage(w, h) { // drawn again only when the view or the size changes, not each frame
    var key = [view.start, view.pps, canvas.width, canvas.height].join(" ");
    if (cached.key !== key) {
      cached.key = key;
      cached.image.width = canvas.width;
      cached.image.height = canvas.height;
      var ctx = cached.image.getContext("2d");
      ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
      drawWave(ctx, w, h);
    }
    return cached.image;
  }

  function draw() {
    if (!peaks) return;
    var ctx = canvas.getContext("2d"), w = canvas.clientWidth, h = canvas.clientHeight;
    ctx.setTransform(canvas.width / w, 0, 0, canvas.height / h, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = "12px sans-serif";
    timed().forEach(function (s, i) {
      var x0 = px(s.start), x1 = px(s.end);
      ctx.fillStyle = i === current ? "rgba(11,92,138,.28)" : "rgba(11,92,138,.1)";
      ctx.fillRect(x0, 0, x1 - x0, h);
      ctx.fillStyle = "#0b5c8a";
      ctx.fillRect(x0, 0, 2, h);
      ctx.fillRect(x1 - 2, 0, 2, h);
      ctx.fillText(String(i + 1), x0 + 5, 13);
    });
    ctx.drawImage(waveImage(w, h), 0, 0, w, h);
    drawRuler(ctx, w, h);
    ctx.fillStyle = "#b3261e";
    ctx.fillRect(px(head) - 1, 0, 2, h);
    clock.textContent = shown(head) + " / " + shown(duration) + " s";
    canvas.setAttribute("aria-valuenow", String(round(head)));
    canvas.setAttribute("aria-valuetext", msg("msgPlayhead", { time: shown(head) }));
  }

  // ---- the playhead and playing
  function seek(t) {
    head = clamp(t, 0, duration);
    audio.currentTime = head;
    follow(head);
    draw();
  }
  function playButton() {
    box.querySelector("[data-act=toggle]").textContent = msg(audio.paused ? "msgPlay" : "msgPause");
  }
  function tick() {
    if (!audio.paused) {
      head = audio.currentTime;
      if (stopAt !== null && head >= stopAt.end) {
        if (loop) { audio.currentTime = head = stopAt.start; } else { audio.pause(); head = stopAt.end; stopAt = null; }
      }
      follow(head);
    }
    draw();
    ticking = !audio.paused;
    if (ticking) window.requestAnimationFrame(tick);
  }
  function play(from, until) {
    stopAt = until === undefined ? null : { start: from, end: until };
    if (Math.abs(audio.currentTime - from) > 0.01) audio.currentTime = from;
    head = from;
    var started = audio.play();
    if (started && started.catch) started.catch(function (e) { say(e.message); });
  }
  function selected() { return timed()[current] || null; }
  function toggle() {
    if (!audio.paused) { audio.pause(); return; }
    var s = selected();
    if (loop && s) play(s.start, s.end); else play(head);
  }
  function playSegment() {
    var s = selected();
    if (!s) { say(msg("msgNone")); return; }
    play(s.start, s.end);
  }
  function toggleLoop() {
    loop = !loop;
    box.querySelector("[data-act=loop]").setAttribute("aria-pressed", String(loop));
    if (loop && audio.paused) playSegment();
    if (!loop && stopAt) stopAt = null;
  }

  // ---- choosing, splitting and merging sentences
  function select(i, move) {
    var list = timed();
    if (!list.length) return;
    current = clamp(i, 0, list.length - 1);
    rows().forEach(function (row) { row.classList.remove("seg-current"); });
    list[current].row.classList.add("seg-current");
    if (move) { reveal(list[current].row); audio.pause(); seek(list[current].start); } else draw();
  }
  function reveal(row) { // into view, and not under the waveform that stays at the top
    row.scrollIntoView({ block: "nearest" });
    var under = box.getBoundingClientRect().bottom - row.getBoundingClientRect().top;
    if (under > 0 && box.getBoundingClientRect().top <= 1) window.scrollBy(0, -under - 8);
  }
  function containing(t) {
    var list = timed();
    for (var i = 0; i < list.length; i++) if (t >= list[i].start && t < list[i].end) return i;
    return -1;
  }
  function split() {
    var i = containing(head), s = timed()[i];
    if (!s || head < s.start + MIN || head > s.end - MIN) { say(msg("msgOutside")); return; }
    var row = newRowAfter(s.row);
    setTime(row, "start", head);
    setTime(row, "end", s.end);
    setTime(s.row, "end", head);
    renumber();
    select(i);
    say(msg("msgSplit", { number: i + 1 }));
  }
  function joined(a, b) { return [a, b].filter(function (t) { return t.trim(); }).join(" "); }
  function merge() {
    var list = timed(), s = list[current], next = list[current + 1];
    if (!s) { say(msg("msgNone")); return; }
    if (!next) { say(msg("msgLast")); return; }
    setTime(s.row, "end", next.end);
    ["text", "translation"].forEach(function (name) {
      field(s.row, name).value = joined(field(s.row, name).value, field(next.row, name).value);
    });
    next.row.remove(); // a row left out of the form is a sentence removed by the save
    renumber();
    select(current);
    say(msg("msgMerged", { number: current + 1, next: current + 2 }));
  }
  function save() {
    var button = form.querySelector("[data-save]");
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }
  function zoom(factor) {
    view.zoom = clamp(view.zoom * factor, 1, Math.max(1, 2000 / fit()));
    view.pps = fit() * view.zoom;
    setView(head - width() / 2);
    draw();
  }

  // ---- dragging an edge (mouse, pen, touch) and clicking to seek
  function edgeNear(x, radius) {
    var list = timed(), best = null;
    list.forEach(function (s, i) {
      ["start", "end"].forEach(function (side) {
        var d = Math.abs(px(s[side]) - x);
        if (d <= radius && (!best || d < best.d)) best = { i: i, side: side, d: d };
      });
    });
    if (best && best.side === "start" && best.i > 0 && Math.abs(list[best.i - 1].end - list[best.i].start) < JOINED) {
      best = { i: best.i - 1, side: "end" };
    }
    return best;
  }
  function moveEdge(edge, t) {
    var list = timed(), s = list[edge.i], prev = list[edge.i - 1], next = list[edge.i + 1];
    if (edge.side === "start") {
      setTime(s.row, "start", clamp(t, prev ? prev.end : 0, s.end - MIN));
    } else if (edge.together && next) {
      t = clamp(t, s.start + MIN, next.end - MIN);
      setTime(s.row, "end", t);
      setTime(next.row, "start", t);
    } else {
      setTime(s.row, "end", clamp(t, s.start + MIN, next ? next.start : duration));
    }
    draw();
  }
  function localX(event) { return event.clientX - canvas.getBoundingClientRect().left - canvas.clientLeft; }

  canvas.addEventListener("pointerdown", function (event) {
    if (!peaks || event.button > 0) return;
    var x = localX(event), edge = edgeNear(x, event.pointerType === "mouse" ? 6 : 16);
    if (edge) {
      var list = timed(), next = list[edge.i + 1];
      edge.together = edge.side === "end" && !!next && Math.abs(next.start - list[edge.i].end) < JOINED;
    }
    drag = { id: event.pointerId, edge: edge, x0: x, moved: false };
    canvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    var x = localX(event);
    if (!drag) { canvas.style.cursor = peaks && edgeNear(x, 6) ? "col-resize" : "pointer"; return; }
    if (event.pointerId !== drag.id) return;
    if (Math.abs(x - drag.x0) > 3) drag.moved = true;
    if (drag.moved && drag.edge) moveEdge(drag.edge, at(x));
  });
  canvas.addEventListener("pointerup", function (event) {
    if (!drag || event.pointerId !== drag.id) return;
    var x = localX(event), done = drag;
    drag = null;
    if (done.moved && done.edge) {
      var s = timed()[done.edge.i];
      select(done.edge.i);
      say(msg("msgMoved", { number: done.edge.i + 1, start: shown(s.start), end: shown(s.end) }));
      return;
    }
    seek(at(x));
    var i = containing(head);
    if (i >= 0) select(i);
  });
  canvas.addEventListener("pointercancel", function () { drag = null; });
  // A finger held still before it drags is not asking for a menu (which would cancel the drag).
  canvas.addEventListener("contextmenu", function (event) { event.preventDefault(); });

  // ---- the keyboard: letters only outside text fields; Ctrl+S (or Cmd+S) everywhere
  function typing(target, key) {
    if (target.closest("input, textarea, select, [contenteditable]")) return true;
    return key === " " && !!target.closest("button, a, summary");
  }
  var keys = {
    " ": toggle, n: function () { select(current + 1, true); }, p: function () { select(current - 1, true); },
    s: split, m: merge, l: toggleLoop,
    ArrowLeft: function (e) { seek(head - (e.shiftKey ? 1 : 0.1)); },
    ArrowRight: function (e) { seek(head + (e.shiftKey ? 1 : 0.1)); },
  };
  document.addEventListener("keydown", function (event) {
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if ((event.ctrlKey || event.metaKey) && !event.altKey && key === "s") {
      event.preventDefault();
      save();
      return;
    }
    if (!peaks || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (!keys[key] || typing(event.target, key)) return;
    if (key.indexOf("Arrow") === 0 && event.target !== canvas && event.target !== document.body) return;
    event.preventDefault();
    keys[key](event);
  });

  var actions = {
    toggle: toggle, segment: playSegment, loop: toggleLoop, split: split, merge: merge,
    previous: keys.p, next: keys.n,
    zoomin: function () { zoom(2); }, zoomout: function () { zoom(0.5); },
  };
  box.querySelector(".seg-tools").addEventListener("click", function (event) {
    var button = event.target.closest("[data-act]");
    if (button && peaks) actions[button.dataset.act]();
  });
  scroller.addEventListener("input", function () { setView(parseFloat(scroller.value)); draw(); });
  tbody.addEventListener("input", draw);
  tbody.addEventListener("change", draw);
  tbody.addEventListener("focusin", function (event) {
    var row = event.target.closest("tr"), list = timed();
    for (var i = 0; i < list.length; i++) if (list[i].row === row && i !== current) select(i);
  });
  audio.addEventListener("play", function () { playButton(); if (!ticking) tick(); });
  audio.addEventListener("pause", function () { playButton(); draw(); });
  window.addEventListener("resize", resize);

  // ---- start: show the editor, fetch the peaks once
  document.querySelectorAll("[data-seg-part]").forEach(function (part) { part.hidden = false; });
  audio.preload = "auto";
  say(msg("msgLoading"));
  fetch(box.dataset.peaksUrl, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) throw new Error(response.status + " " + response.statusText);
    return response.json();
  }).then(function (json) {
    peaks = json;
    peaks.loudest = json.data.reduce(function (top, v) { return Math.max(top, Math.abs(v)); }, 1);
    duration = json.duration;
    canvas.setAttribute("aria-valuemax", String(duration));
    box.dataset.ready = "true";
    say("");
    resize();
    if (timed().length) select(0);
  }).catch(function (error) {
    say(msg("msgFailed", { error: error.message }));
  });
})();
