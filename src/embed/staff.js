/*! Digituki staff tool: while "Now" is chosen, the date and time fields are disabled (they
 * would be ignored). The form works without this script: the server ignores them then too. */
(function () {
  "use strict";
  function sync() {
    var now = document.getElementById("when-now");
    if (!now) return;
    ["date", "time"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) input.disabled = now.checked;
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "when") sync();
  });
  sync();
})();
