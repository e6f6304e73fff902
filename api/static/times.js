// Moments (revisions, tokens, proposals) are written by the server in UTC, in the page's
// language; here they are rewritten in the reader's own time zone, the UTC text kept as the
// title. Only <time> elements with a time of day are touched; without JavaScript the UTC text
// stays, which says its zone.
(function () {
  var lang = document.documentElement.lang || undefined;
  var format;
  try {
    format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  } catch (e) {
    return;
  }
  document.querySelectorAll("time[datetime*='T']").forEach(function (el) {
    var moment = new Date(el.getAttribute("datetime"));
    if (isNaN(moment.getTime())) return;
    el.title = el.textContent;
    el.textContent = format.format(moment);
  });
})();
