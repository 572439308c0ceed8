// Loa keeps JavaScript small: progressive enhancements only.
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("tree-filter");
    var tree = document.getElementById("org-tree");
    if (!input || !tree) return;
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      tree.querySelectorAll("li").forEach(function (li) {
        var own = fold(li.getAttribute("data-name") || "");
        var match = !q || own.indexOf(q) >= 0 || Array.prototype.some.call(
          li.querySelectorAll("li"), function (c) { return fold(c.getAttribute("data-name") || "").indexOf(q) >= 0; });
        li.classList.toggle("hidden", !match);
      });
    });
  });
})();
// Drag and drop onto the document import form.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.getElementById("dropzone");
    var input = document.getElementById("file-input");
    if (!zone || !input) return;
    ["dragenter", "dragover"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        zone.submit();
      }
    });
  });
})();
