// The start queue's page: send the start again after the server's Retry-After, until admitted.
(function () {
  "use strict";
  var form = document.querySelector("form[data-start-queue]");
  if (!form) return;
  var seconds = parseFloat(form.getAttribute("data-retry-seconds")) || 3;
  // A little jitter so that a thousand waiting pages do not all come back in the same millisecond.
  var delay = seconds * 1000 * (0.8 + Math.random() * 0.4);
  window.setTimeout(function () { form.submit(); }, delay);
})();
