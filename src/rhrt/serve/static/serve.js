// rhrt serve: optional enhancements. The page works without this script.
// - search-as-you-type over the concerns (grouped by domain): hides what does not match;
// - "Copy" buttons beside the draft referral and the decision record.
// No network, no storage, no cookies.
(function () {
  "use strict";
  var box = document.getElementById("search-box");
  var input = document.getElementById("concern-search");
  var status = document.getElementById("search-status");
  if (box && input) {
    box.hidden = false;
    var items = Array.prototype.slice.call(document.querySelectorAll(".concerns li"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("fieldset.domain"));
    var timer = null;
    var apply = function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (li) {
        var hay = li.getAttribute("data-search") || "";
        var ticked = li.querySelector("input[type=checkbox]").checked;
        var match = ticked || words.every(function (w) { return hay.indexOf(w) !== -1; });
        li.hidden = !match;
        if (match) { shown += 1; }
      });
      groups.forEach(function (g) {
        g.hidden = g.querySelectorAll("li:not([hidden])").length === 0;
      });
      if (status) {
        status.textContent = words.length ? shown + (shown === 1 ? " concern" : " concerns") + " shown" : "";
      }
    };
    input.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(apply, 80);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) { return; }
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(target.value || target.textContent).then(done, function () {
          target.select(); document.execCommand("copy"); done();
        });
      } else {
        target.select(); document.execCommand("copy"); done();
      }
    });
  });
  var result = document.getElementById("result");
  if (result) { result.focus(); }
}());
