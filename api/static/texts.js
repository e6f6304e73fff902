// A text's learner page: the current sentence (and word, where words are timed) follows the
// recording; tapping a sentence plays from its start. Without this script each sentence keeps
// its own player (a media fragment of the recording).
(function () {
  "use strict";
  var article = document.querySelector("[data-text]");
  var player = document.querySelector("[data-text-audio]");
  if (!article || !player) return;
  article.classList.add("has-player");
  var segments = Array.prototype.slice.call(article.querySelectorAll(".segment[data-start]"));
  var words = Array.prototype.slice.call(article.querySelectorAll(".word[data-start]"));
  var current = null, currentWord = null;

  function at(list, t) {
    for (var i = 0; i < list.length; i++) {
      var s = parseFloat(list[i].dataset.start), e = parseFloat(list[i].dataset.end);
      if (t >= s && t < e) return list[i];
    }
    return null;
  }

  function mark(node, previous, name) {
    if (node === previous) return previous;
    if (previous) { previous.classList.remove(name); previous.removeAttribute("aria-current"); }
    if (node) { node.classList.add(name); node.setAttribute("aria-current", "true"); }
    return node;
  }

  function update() {
    var t = player.currentTime;
    var found = at(segments, t);
    if (found !== current && found && !player.paused) {
      found.scrollIntoView({block: "nearest", behavior: "smooth"});
    }
    current = mark(found, current, "current");
    currentWord = mark(at(words, t), currentWord, "current");
  }

  function tick() {
    update();
    if (!player.paused) window.requestAnimationFrame(tick);
  }

  player.addEventListener("timeupdate", update);
  player.addEventListener("seeked", update);
  player.addEventListener("play", function () { window.requestAnimationFrame(tick); });

  segments.forEach(function (segment) {
    var button = segment.querySelector(".play-here");
    if (button) button.hidden = false;  // for the keyboard; a tap anywhere on it does the same
    segment.addEventListener("click", function (event) {
      if (event.target.closest("a, audio")) return;  // a word's link opens its entry
      player.currentTime = parseFloat(segment.dataset.start);
      player.play();
    });
  });
})();
