// Filtering for long lists; every page works without it (the search box stays hidden).
(function () {
  "use strict";
  document.querySelectorAll("[data-filter]").forEach(function (input) {
    var box = input.closest(".filter");
    if (box) { box.hidden = false; }
    var list = document.querySelector(input.getAttribute("data-filter"));
    if (!list) { return; }
    input.addEventListener("input", function () {
      var wanted = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-text]").forEach(function (item) {
        var text = item.getAttribute("data-text").toLowerCase();
        item.hidden = wanted !== "" && text.indexOf(wanted) === -1;
      });
    });
  });
})();
