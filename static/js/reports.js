/* "Report a problem with this question" on the exam page and the review page.
 *
 * Each control ([data-report]) works without this file: on the review page it is a form, on the exam
 * page its button posts the exam form to /report-from-exam, which saves the answers first. Here the
 * button instead sends only the report as JSON ({"comment": ...}, CSRF token in X-CSRFToken) and the
 * page stays where it is: nothing the examinee typed in the answers is touched (exam.js ignores
 * typing in a report). Every string shown comes from the server (the JSON answer or data-msg-*).
 */
(function () {
  "use strict";

  var STATE_TONES = {open: "text-bg-warning", resolved: "text-bg-success"};

  function csrfToken() {
    // Read when sending: exam.js refreshes the page's tokens after the session changed.
    var input = document.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function showStatus(control, text, state, label) {
    var status = control.querySelector("[data-report-status]");
    if (!status) { return; }
    status.textContent = "";
    status.classList.toggle("text-danger", !state);
    status.setAttribute("data-result", state || "error");
    if (state && label) {
      var badge = document.createElement("span");
      badge.className = "badge me-1 " + (STATE_TONES[state] || "text-bg-secondary");
      badge.setAttribute("data-state", state);
      badge.textContent = label;
      status.appendChild(badge);
    }
    status.appendChild(document.createTextNode(text));
  }

  function send(control, button) {
    var comment = control.querySelector("[data-report-comment]");
    button.disabled = true;
    showStatus(control, control.getAttribute("data-msg-sending") || "", "sending");
    window.fetch(control.getAttribute("data-report-url"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",  // a redirect means the session ended (to the login page)
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify({comment: comment ? comment.value : ""})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          showStatus(control, body.message || "", body.state || "open", body.state_label || "");
        } else {
          showStatus(control, body.error || control.getAttribute("data-msg-failed") || "");
        }
      });
    }, function () {
      showStatus(control, control.getAttribute("data-msg-failed") || "");
    }).then(function () {
      button.disabled = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-report-submit]") : null;
    var control = button ? button.closest("[data-report]") : null;
    if (!control || !window.fetch) { return; }
    event.preventDefault();  // no form submission: neither the exam form nor the review page's form
    if (!button.disabled) { send(control, button); }
  });
}());
