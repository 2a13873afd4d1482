// Filters the rows of an evidence table by the text typed in its search box; the count of
// matching rows is written with the page's own words (data-matched, "{n}" for the count).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var input = document.querySelector("input[data-filter]");
  var table = document.getElementById("evidence");
  if (!input || !table) {
    return;
  }
  var lang = document.documentElement.lang || "vi";
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (row) { return row.textContent.toLocaleLowerCase(lang); });
  var shown = document.querySelector("output.shown");
  function apply() {
    var words = input.value.toLocaleLowerCase(lang).split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row, index) {
      var match = words.every(function (word) { return texts[index].indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { count += 1; }
    });
    if (shown) {
      var matched = shown.getAttribute("data-matched") || "{n}";
      shown.textContent = words.length ? matched.replace("{n}", String(count)) : "";
    }
  }
  input.addEventListener("input", apply);
  apply();
  table.setAttribute("data-filter", "ready");
});
