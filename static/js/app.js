// Behaviour every page shares, loaded by base.html (the Content-Security-Policy allows no inline script
// or on*= handler, so pages declare it with data attributes instead).
//
// <form data-confirm="Question?">: submitting asks first; "Cancel" keeps the form from being sent.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
}());
