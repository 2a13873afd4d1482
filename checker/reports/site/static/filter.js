// Filters the rows of an evidence table by the text typed in its search box.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var input = document.querySelector("input[data-filter]");
  var table = document.getElementById("evidence");
  if (!input || !table) {
    return;
  }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (row) { return row.textContent.toLocaleLowerCase("vi"); });
  var shown = document.querySelector("output.shown");
  function apply() {
    var words = input.value.toLocaleLowerCase("vi").split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (row, index) {
      var match = words.every(function (word) { return texts[index].indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) { count += 1; }
    });
    if (shown) {
      shown.textContent = words.length ? count + " dòng khớp" : "";
    }
  }
  input.addEventListener("input", apply);
  apply();
  table.setAttribute("data-filter", "ready");
});
