// The grading page: a live total of the checked rubric items and the adjustment, and keyboard
// shortcuts (1-9 toggle rubric items, S or Ctrl+Enter save and next, N skip). The page works without
// it; the server checks every mark.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function parseNumber(text) {
    var normalized = String(text || "").trim()
      .replace(/[\uff10-\uff19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[\uff0e]/g, ".").replace(/[\uff0b]/g, "+").replace(/[\u2212\uff0d]/g, "-");
    if (normalized === "") return 0;
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(normalized)) return NaN;
    return parseFloat(normalized);
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) return true;
    return tag === "input" && !/^(checkbox|radio|button|submit)$/i.test(target.type);
  }

  function submit(form) {
    if (!form || form.dataset.submitting) return;
    form.dataset.submitting = "1";
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  ready(function () {
    var primary = document.getElementById("primary-form");
    var skip = document.getElementById("skip-form");
    var help = document.getElementById("grading-keys");
    if (!primary) return;
    if (help) help.hidden = false;
    var boxes = Array.prototype.slice.call(primary.querySelectorAll("input[name=rubric]"));
    var adjustment = primary.querySelector("#adjustment");
    var total = primary.querySelector("#mark-total");
    var range = primary.querySelector("#mark-range");
    var points = parseFloat(primary.dataset.points || "0");

    function update() {
      if (!total) return;
      var sum = 0;
      boxes.forEach(function (box) { if (box.checked) sum += parseFloat(box.dataset.value || "0"); });
      var extra = adjustment ? parseNumber(adjustment.value) : 0;
      if (isNaN(extra)) {
        total.textContent = "?";
        if (range) range.hidden = true;
        return;
      }
      var score = Math.round((sum + extra) * 100) / 100;
      total.textContent = String(score);
      var bad = score < 0 || score > points + 1e-9;
      if (range) range.hidden = !bad;
      total.classList.toggle("text-danger", bad);
    }

    boxes.forEach(function (box) { box.addEventListener("change", update); });
    if (adjustment) adjustment.addEventListener("input", update);
    update();

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.isComposing) return;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit(primary);
        return;
      }
      if (event.ctrlKey || event.metaKey || typing(event.target)) return;
      var key = event.key;
      if (/^[1-9]$/.test(key)) {
        var box = boxes[parseInt(key, 10) - 1];
        if (box) {
          event.preventDefault();
          box.checked = !box.checked;
          box.dispatchEvent(new Event("change", { bubbles: true }));
        }
      } else if (key === "s" || key === "S") {
        event.preventDefault();
        submit(primary);
      } else if (key === "n" || key === "N") {
        event.preventDefault();
        submit(skip);
      }
    });
  });
})();
