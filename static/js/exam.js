/* The exam page: autosave, countdown, question navigator, submit confirmation, leave-page evidence.
 *
 * No libraries (Bootstrap's own JS is used for the modal when it is there). The page works without
 * this file: the whole paper is a real form posted to /save-form. Every string shown here comes from
 * the data-msg-* attributes of #exam-root, translated by the server.
 *
 * Autosave protocol: POST {"changes": [{"slot", "seq", "response", "flagged"}]} to data-save-url with
 * the X-CSRFToken header. Each slot's sequence number increases on every change and never goes
 * back (it starts from the server's stored number and is kept in localStorage, so a reload or a
 * second tab continues the numbering); the server keeps the newest and acknowledges the slots it
 * has committed ("saved", or "stale" when it already holds a newer answer). Unacknowledged changes
 * are also kept in localStorage, so a reload while offline loses nothing.
 *
 * When the server cannot save (offline, 5xx such as the 503 "database away", 429) the page says
 * "retrying", keeps the answers and retries with exponential backoff, never sooner than the
 * response's Retry-After. Answers the server refuses because the attempt no longer takes answers
 * (time is up, or submitted elsewhere) are named in the refusal ("not_received"): the page lists
 * them, keeps their local copy and does not submit or reload over the message.
 * A choice answer is the DISPLAYED position of each chosen option on this paper (the inputs' values),
 * never the author's index: the server maps positions back through the paper's frozen option order.
 */
(function () {
  "use strict";

  var root = document.getElementById("exam-root");
  var form = document.getElementById("exam-form");
  if (!root || !form) { return; }

  var DEBOUNCE_MS = 800;
  var MAX_RETRY_MS = 30000;
  var HEARTBEAT_MS = 60000;
  var EVENTS_DELAY_MS = 5000;
  var LOW_TIME_SECONDS = 300;

  var attemptId = root.getAttribute("data-attempt-id");
  var saveUrl = root.getAttribute("data-save-url");
  var eventsUrl = root.getAttribute("data-events-url");
  var csrfToken = root.getAttribute("data-csrf-token");
  var statusEl = document.getElementById("save-status");
  var countdownEl = document.getElementById("countdown");
  var alertEl = document.getElementById("exam-alert");
  var modalEl = document.getElementById("submit-modal");
  var storagePrefix = "examengine:attempt:" + attemptId + ":";
  // Unsaved answers kept for a reload. Renamed when choice values became displayed positions: a backup
  // written by an older page holds authored indexes and must not be replayed as positions.
  var PENDING_KEY = "pending-positions";

  function msg(name, values) {
    var text = root.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  // --- local storage (best effort: private modes may refuse it) ---

  function loadJSON(key) {
    try { return JSON.parse(window.localStorage.getItem(storagePrefix + key) || "{}") || {}; } catch (e) { return {}; }
  }

  function storeJSON(key, value) {
    try { window.localStorage.setItem(storagePrefix + key, JSON.stringify(value)); } catch (e) { /* ignore */ }
  }

  // --- slots: reading and writing the answers in the DOM, per question type ---

  var slots = {};  // position -> {el, qtype, field, seq}
  Array.prototype.forEach.call(root.querySelectorAll("[data-slot][data-qtype]"), function (el) {
    var pos = el.getAttribute("data-slot");
    slots[pos] = {
      el: el,
      qtype: el.getAttribute("data-qtype"),
      field: el.getAttribute("data-field") || ("q" + pos),
      seq: parseInt(el.getAttribute("data-seq"), 10) || 0
    };
  });

  function inputs(slot, selector) {
    return Array.prototype.slice.call(slot.el.querySelectorAll(selector));
  }

  function named(slot) {
    return inputs(slot, "input, textarea").filter(function (input) { return input.name === slot.field; });
  }

  function blanks(slot) {
    var prefix = slot.field + ".";
    return inputs(slot, "input").filter(function (input) {
      return input.name.indexOf(prefix) === 0 && /^\d+$/.test(input.name.slice(prefix.length));
    });
  }

  function readResponse(slot) {
    var checked = named(slot).filter(function (input) { return input.checked; });
    switch (slot.qtype) {
      case "single":
        return checked.length ? parseInt(checked[0].value, 10) : null;
      case "multiple":
        return checked.map(function (input) { return parseInt(input.value, 10); })
          .sort(function (a, b) { return a - b; });
      case "truefalse":
        return checked.length ? checked[0].value === "true" : null;
      case "fill":
        var values = [];
        blanks(slot).forEach(function (input) {
          values[parseInt(input.name.slice(slot.field.length + 1), 10)] = input.value;
        });
        for (var i = 0; i < values.length; i++) { if (values[i] === undefined) { values[i] = ""; } }
        return values;
      default:  // short, analysis
        var text = named(slot)[0];
        return text ? text.value : "";
    }
  }

  function writeResponse(slot, response) {
    switch (slot.qtype) {
      case "single":
      case "truefalse":
        named(slot).forEach(function (input) { input.checked = response !== null && input.value === String(response); });
        break;
      case "multiple":
        var chosen = (response || []).map(String);
        named(slot).forEach(function (input) { input.checked = chosen.indexOf(input.value) >= 0; });
        break;
      case "fill":
        blanks(slot).forEach(function (input) {
          var value = (response || [])[parseInt(input.name.slice(slot.field.length + 1), 10)];
          input.value = typeof value === "string" ? value : "";
        });
        break;
      default:
        var text = named(slot)[0];
        if (text) { text.value = typeof response === "string" ? response : ""; }
    }
  }

  function isAnswered(slot, response) {
    switch (slot.qtype) {
      case "single":
      case "truefalse":
        return response !== null;
      case "multiple":
        return response.length > 0;
      case "fill":
        return response.some(function (value) { return value.trim() !== ""; });
      default:
        return response.trim() !== "";
    }
  }

  function flagInput(pos) {
    return document.getElementById("flag-" + pos);
  }

  function isFlagged(pos) {
    var flag = flagInput(pos);
    return !!(flag && flag.checked);
  }

  function updateNav(pos) {
    var slot = slots[pos];
    var answered = isAnswered(slot, readResponse(slot));
    var flagged = isFlagged(pos);
    slot.el.classList.toggle("is-flagged", flagged);
    var item = root.querySelector('[data-nav-slot="' + pos + '"]');
    if (!item) { return; }
    item.classList.toggle("is-answered", answered);
    item.classList.toggle("is-flagged", flagged);
    var state = item.querySelector('[data-role="nav-state"]');
    if (state) {
      state.textContent = ", " + msg(answered ? "answered" : "not-answered") + (flagged ? ", " + msg("flag") : "");
    }
  }

  // --- sequence numbers and changes not yet acknowledged ---

  var pending = {};  // position -> seq of the newest change not yet acknowledged

  function nextSeq(pos) {
    var stored = loadJSON("seq");
    var seq = Math.max(slots[pos].seq, stored[pos] || 0) + 1;
    slots[pos].seq = seq;
    stored[pos] = seq;
    storeJSON("seq", stored);
    return seq;
  }

  function backupPending() {
    var backup = {};
    Object.keys(pending).forEach(function (pos) {
      backup[pos] = {seq: pending[pos], response: readResponse(slots[pos]), flagged: isFlagged(pos)};
    });
    storeJSON(PENDING_KEY, backup);
  }

  function restorePending() {
    // Changes made before a reload that the server never acknowledged (e.g. offline): put them back.
    var stored = loadJSON("seq");
    Object.keys(slots).forEach(function (pos) {
      slots[pos].seq = Math.max(slots[pos].seq, stored[pos] || 0);
    });
    var backup = loadJSON(PENDING_KEY);
    Object.keys(backup).forEach(function (pos) {
      var slot = slots[pos];
      var entry = backup[pos];
      var serverSeq = parseInt(slot ? slot.el.getAttribute("data-seq") : "0", 10) || 0;
      if (!slot || !entry || !(entry.seq > serverSeq)) { return; }
      writeResponse(slot, entry.response);
      var flag = flagInput(pos);
      if (flag) { flag.checked = !!entry.flagged; }
      pending[pos] = entry.seq;
    });
    backupPending();
    Object.keys(slots).forEach(updateNav);
  }

  function changed(pos) {
    pending[pos] = nextSeq(pos);
    backupPending();
    updateNav(pos);
    if (!failing) { setStatus("pending"); }  // else "retrying"/"offline" stays: the retry sends it
    scheduleSave(DEBOUNCE_MS);
  }

  // --- the save status indicator ---

  var STATUS_CLASSES = {saved: "text-bg-success", pending: "text-bg-secondary", saving: "text-bg-secondary",
                        offline: "text-bg-danger", retrying: "text-bg-warning", "logged-out": "text-bg-danger",
                        error: "text-bg-danger", submitting: "text-bg-primary", "time-up": "text-bg-primary"};

  function setStatus(state, text) {
    if (!statusEl) { return; }
    // While submitting, routine save states would hide the more important message.
    if (submitting && (state === "saved" || state === "saving" || state === "pending")) { return; }
    Object.keys(STATUS_CLASSES).forEach(function (key) { statusEl.classList.remove(STATUS_CLASSES[key]); });
    statusEl.classList.add(STATUS_CLASSES[state] || "text-bg-secondary");
    statusEl.setAttribute("data-state", state);
    statusEl.textContent = text || msg(state);
    statusEl.hidden = false;
  }

  function showAlert(text) {
    if (!alertEl) { return; }
    alertEl.textContent = text;
    alertEl.hidden = !text;
  }

  // --- saving ---

  var inFlight = false;
  var stopped = false;        // the server refuses further saves (time is up, submitted, not found)
  var debounceTimer = null;
  var retryTimer = null;
  var retryDelay = 0;
  var failing = false;
  var serverAlert = false;    // the alert shows the server's reason for a failed save (disk full…)
  var lateRefused = false;    // answers were refused as too late: the message stays, nothing is submitted

  function scheduleSave(delay) {
    // While failing, the retry timer sends everything pending (never sooner than Retry-After).
    if (stopped || failing) { return; }
    window.clearTimeout(debounceTimer);
    debounceTimer = window.setTimeout(flush, delay);
  }

  function flush() {
    window.clearTimeout(debounceTimer);
    window.clearTimeout(retryTimer);
    if (inFlight || stopped) { return; }
    var positions = Object.keys(pending);
    if (!positions.length) {
      if (!failing) { setStatus("saved"); }
      return;
    }
    send(currentChanges());
  }

  function currentChanges() {
    return Object.keys(pending).map(function (pos) {
      return {slot: parseInt(pos, 10), seq: pending[pos], response: readResponse(slots[pos]), flagged: isFlagged(pos)};
    });
  }

  function post(url, body, keepalive) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",  // a redirect means the session ended (to the login page)
      keepalive: !!keepalive,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken},
      body: JSON.stringify(body)
    });
  }

  function readJSON(response) {
    return response.json().catch(function () { return {}; });
  }

  function send(changes) {
    inFlight = true;
    var sentAt = performance.now();
    if (!failing) { setStatus("saving"); }
    post(saveUrl, {changes: changes}).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) {
        return retryLater("logged-out");
      }
      return readJSON(response).then(function (body) {
        if (response.ok) { return acknowledged(changes, body, sentAt); }
        if (response.status === 400 && !body.reason) { return refreshToken(); }  // CSRF token refused
        if (response.status >= 500 || response.status === 429 || response.status === 408) {
          if (body.error && body.reason && body.reason !== "database_unavailable") {
            showAlert(body.error);  // e.g. the server's disk is full: the admin must act
            serverAlert = true;
          }
          return retryLater("retrying", retryAfterSeconds(response));
        }
        return refused(changes, response.status, body);
      });
    }, function () {
      retryLater("offline");
    }).catch(function () {
      retryLater("retrying");
    }).then(function () {
      inFlight = false;
      if (!stopped && !failing && Object.keys(pending).length) { scheduleSave(DEBOUNCE_MS); }
    });
  }

  function acknowledged(changes, body, sentAt) {
    var done = (body.saved || []).concat(body.stale || []).map(String);
    changes.forEach(function (change) {
      var pos = String(change.slot);
      if (done.indexOf(pos) >= 0 && pending[pos] === change.seq) { delete pending[pos]; }
    });
    backupPending();
    failing = false;
    retryDelay = 0;
    if (serverAlert) { showAlert(""); serverAlert = false; }
    syncClock(body.seconds_left, sentAt);
    setStatus(Object.keys(pending).length ? "pending" : "saved");
  }

  function retryAfterSeconds(response) {
    // Retry-After: seconds, or an HTTP date.
    var value = (response.headers && response.headers.get("Retry-After")) || "";
    var seconds = /^\s*\d+\s*$/.test(value) ? parseInt(value, 10) : (Date.parse(value) - Date.now()) / 1000;
    return isFinite(seconds) && seconds > 0 ? Math.min(seconds, MAX_RETRY_MS / 1000) : 0;
  }

  function retryLater(state, notBeforeSeconds) {
    failing = true;
    setStatus(state === "retrying" && !navigator.onLine ? "offline" : state);
    retryDelay = Math.min(MAX_RETRY_MS, retryDelay ? retryDelay * 2 : 1000);
    var wait = Math.max(retryDelay * (0.8 + Math.random() * 0.4), (notBeforeSeconds || 0) * 1000);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () { failing = false; flush(); }, wait);
  }

  function refused(changes, status, body) {
    if (status === 400 && body.reason === "bad_request") {
      // Retrying the same answer cannot help: drop it, say so, keep the rest of the page working.
      changes.forEach(function (change) {
        if (pending[String(change.slot)] === change.seq) { delete pending[String(change.slot)]; }
      });
      backupPending();
      showAlert(body.error || "");
      setStatus("error", body.error || "");
      return;
    }
    // 409 (time is up / already submitted), 404, 403: the server takes no more answers for this page.
    stopped = true;
    var notReceived = ((status === 409 && body.not_received) || []).map(String).filter(function (pos) {
      return slots[pos];
    });
    if (notReceived.length) { return refusedAsLate(notReceived); }
    showAlert(body.error || "");
    setStatus("error", body.error || "");
    if (status === 409) { window.setTimeout(function () { window.location.reload(); }, 4000); }
  }

  function refusedAsLate(positions) {
    // These answers reached the server after it stopped taking answers: it does not hold them. Their
    // local copy stays (localStorage "pending-positions"), the examinee reads which ones, and the page neither
    // submits nor reloads over the message.
    lateRefused = true;
    window.clearTimeout(retryTimer);
    var numbers = positions.map(function (pos) { return parseInt(slots[pos].el.getAttribute("data-number"), 10); })
      .sort(function (a, b) { return a - b; });
    positions.forEach(function (pos) {
      var item = root.querySelector('[data-nav-slot="' + pos + '"]');
      if (item) { item.classList.add("is-not-received"); }
      slots[pos].el.setAttribute("data-not-received", "true");
    });
    backupPending();
    showAlert(msg("late-refused", {questions: numbers.join(", ")}));
    var reviewUrl = root.getAttribute("data-review-url");
    if (alertEl && reviewUrl) {
      var link = document.createElement("a");
      link.href = reviewUrl;
      link.className = "alert-link ms-1";
      link.textContent = msg("see-result");
      alertEl.appendChild(link);
    }
    if (alertEl) { alertEl.setAttribute("data-not-received", numbers.join(",")); }
    setStatus("error", msg("not-received"));
  }

  function refreshToken() {
    // The session changed (e.g. logged in again elsewhere): read a fresh token from the page itself.
    return window.fetch(window.location.pathname, {credentials: "same-origin", redirect: "manual"})
      .then(function (response) {
        if (response.status >= 500) { return retryLater("retrying", retryAfterSeconds(response)); }
        if (!response.ok) { return retryLater("logged-out"); }
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("exam-root");
          var token = fresh && fresh.getAttribute("data-csrf-token");
          if (token && token !== csrfToken) {
            csrfToken = token;
            Array.prototype.forEach.call(document.querySelectorAll('input[name="csrf_token"]'), function (input) {
              input.value = token;
            });
            return retryLater("retrying");
          }
          return retryLater("logged-out");
        });
      }, function () { retryLater("offline"); });
  }

  function whenSaved() {
    // Resolves once every change is acknowledged (or the server refuses more): before submitting.
    return new Promise(function (resolve) {
      flush();
      (function check() {
        if (stopped || (!inFlight && !Object.keys(pending).length)) { resolve(); return; }
        if (!inFlight && !failing) { flush(); }
        window.setTimeout(check, 200);
      }());
    });
  }

  // --- the countdown, kept in step with the server ---

  var deadline = performance.now() + (parseInt(root.getAttribute("data-deadline-seconds"), 10) || 0) * 1000;
  var timeUpHandled = false;

  function syncClock(secondsLeft, sentAt) {
    if (typeof secondsLeft === "number" && isFinite(secondsLeft)) {
      // Counted from when the request left: the server's figure is never overstated.
      deadline = sentAt + Math.max(0, secondsLeft) * 1000;
      tick();
    }
  }

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m;
    var ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
    if (countdownEl) {
      var text = format(left);
      if (countdownEl.textContent !== text) { countdownEl.textContent = text; }
      countdownEl.parentNode.classList.toggle("is-low", left <= LOW_TIME_SECONDS);
    }
    if (left <= 0 && !timeUpHandled) { timeUp(); }
  }

  function timeUp() {
    timeUpHandled = true;
    submitting = true;
    setStatus("time-up");
    whenSaved().then(eventsSent).then(submitUnlessLate);
  }

  // --- submitting ---

  var submitting = false;

  function eventsSent() {
    // The evidence recorded so far goes first (the server takes it only while the attempt is open),
    // but never holds the submission up for long.
    return Promise.race([sendEvents(), new Promise(function (resolve) { window.setTimeout(resolve, 3000); })])
      .catch(function () { /* evidence is best effort */ });
  }

  function submitUnlessLate() {
    // After a late refusal the attempt is already finalized: submitting would only replace the
    // message that lists the answers not received.
    if (!lateRefused) { submitForm(); }
  }

  function submitForm() {
    storeJSON(PENDING_KEY, {});
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "confirm";
    form.appendChild(action);
    HTMLFormElement.prototype.submit.call(form);  // bypasses the submit handler below
  }

  function listSlots(list, positions) {
    list.textContent = "";
    positions.forEach(function (pos) {
      var item = document.createElement("li");
      item.className = "list-inline-item";
      var link = document.createElement("a");
      link.href = "#q-" + pos;
      link.setAttribute("data-slot", pos);
      link.textContent = msg("question", {n: slots[pos].el.getAttribute("data-number")});
      link.addEventListener("click", function (event) {
        // Close the dialog first, then jump to the question and put the cursor in it.
        event.preventDefault();
        var target = slots[pos].el;
        modalEl.addEventListener("hidden.bs.modal", function () {
          target.scrollIntoView({block: "start"});
          var first = target.querySelector(".card-body input, .card-body textarea");
          if (first) { first.focus({preventScroll: true}); }
        }, {once: true});
        hideModal();
      });
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function orderedPositions() {
    return Object.keys(slots).sort(function (a, b) {
      return parseInt(slots[a].el.getAttribute("data-number"), 10) - parseInt(slots[b].el.getAttribute("data-number"), 10);
    });
  }

  function openConfirmation() {
    var unanswered = orderedPositions().filter(function (pos) { return !isAnswered(slots[pos], readResponse(slots[pos])); });
    var flagged = orderedPositions().filter(isFlagged);
    var summary = modalEl.querySelector('[data-role="unanswered-summary"]');
    summary.textContent = unanswered.length ? msg("unanswered", {count: unanswered.length}) : msg("all-answered");
    listSlots(modalEl.querySelector('[data-role="unanswered-list"]'), unanswered);
    modalEl.querySelector('[data-role="flagged-summary"]').textContent =
      flagged.length ? msg("flagged", {count: flagged.length}) : "";
    listSlots(modalEl.querySelector('[data-role="flagged-list"]'), flagged);
    window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
    flush();
  }

  function hideModal() {
    var modal = window.bootstrap && window.bootstrap.Modal.getInstance(modalEl);
    if (modal) { modal.hide(); }
  }

  form.addEventListener("submit", function (event) {
    var action = event.submitter ? event.submitter.value : "save";
    if (action === "submit") {
      if (!modalEl || !window.bootstrap) { return; }  // the server's confirmation page instead
      event.preventDefault();
      openConfirmation();
    } else if (action === "confirm") {
      event.preventDefault();
      if (submitting) { return; }
      submitting = true;
      if (event.submitter) { event.submitter.disabled = true; }
      setStatus("submitting");
      whenSaved().then(eventsSent).then(submitUnlessLate);
    } else {  // "save": the background save does the same, at once
      event.preventDefault();
      flush();
    }
  });

  // A blank's Enter key would submit the form: save instead.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT" && event.target.type === "text") {
      event.preventDefault();
      flush();
    }
  });

  // --- listening to the answers ---

  function onEdit(event) {
    var sectionEl = event.target.closest ? event.target.closest("[data-slot][data-qtype]") : null;
    if (!sectionEl || submitting || stopped) { return; }
    if (event.target.closest("[data-report]")) { return; }  // a question report (reports.js), not an answer
    changed(sectionEl.getAttribute("data-slot"));
  }

  form.addEventListener("input", onEdit);
  form.addEventListener("change", function (event) {
    // Radios and checkboxes fire both "input" and "change": count the change once.
    if (event.target.type === "radio" || event.target.type === "checkbox") { return; }
    onEdit(event);
  });

  window.addEventListener("online", function () {
    retryDelay = 0;
    failing = false;
    flush();
  });
  window.addEventListener("offline", function () {
    setStatus("offline");
  });

  // A quiet page still checks the clock with the server now and then (and after being hidden).
  function heartbeat() {
    if (inFlight || stopped || submitting || Object.keys(pending).length) { return; }
    inFlight = true;
    var sentAt = performance.now();
    post(saveUrl, {changes: []}).then(function (response) {
      if (response.ok) {
        return readJSON(response).then(function (body) {
          syncClock(body.seconds_left, sentAt);
          if (failing) { failing = false; }
          setStatus("saved");
        });
      }
      if (response.status === 409 || response.status === 404) {
        return readJSON(response).then(function (body) { refused([], response.status, body); });
      }
    }, function () {
      setStatus("offline");
    }).then(function () { inFlight = false; });
  }

  // --- leave-page evidence: hidden page, window blur, reloads; sent at once ---
  //
  // Each event goes to the server as it happens (one request at a time, in order): the server times
  // it on arrival and computes leaves and their seconds from its own clock (services/attempts/evidence.py);
  // the "at" sent along is never used for a duration. Every page load has a random id; on pagehide the
  // page sends "unload" by sendBeacon (form-encoded, the CSRF token in the body) and leaves its id in
  // sessionStorage, which survives a reload of this tab but no other tab sees: the next load sends
  // "load" with that id as "previous", and the server records a reload instead of a leave.

  var PAGE_KEY = storagePrefix + "page";
  var pageId = newPageId();
  var unloading = false;
  var events = [];
  var eventsInFlight = false;
  var eventsTimer = null;
  var leaveNoticeEl = document.getElementById("leave-notice");

  function newPageId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b % 36).toString(36); }).join("");
  }

  function previousPage() {
    try {
      var previous = window.sessionStorage.getItem(PAGE_KEY);
      window.sessionStorage.removeItem(PAGE_KEY);
      return previous;
    } catch (e) { return null; }
  }

  function record(kind, extra) {
    // A reload, a closed tab or the submission is not leaving: "unload" (or nothing) says it.
    if (unloading || submitting) { return; }
    var event = {kind: kind, at: new Date().toISOString(), page: pageId};
    Object.keys(extra || {}).forEach(function (key) { if (extra[key]) { event[key] = extra[key]; } });
    events.push(event);
    if (events.length > 500) { events.splice(0, events.length - 500); }
    sendEvents();
  }

  function sendEvents() {
    window.clearTimeout(eventsTimer);
    eventsTimer = null;
    if (!events.length || stopped || eventsInFlight) { return Promise.resolve(); }
    eventsInFlight = true;
    var batch = events.splice(0, 50);  // the server takes at most 50 per request
    return post(eventsUrl, {events: batch}, document.visibilityState === "hidden").then(function (response) {
      if (response.status >= 500 || response.status === 429 || response.type === "opaqueredirect") {
        throw new Error("retry");
      }
      return readJSON(response).then(function (body) { evidenceAnswered(body); });
    }).catch(function () {
      events = batch.concat(events);
      eventsTimer = window.setTimeout(sendEvents, EVENTS_DELAY_MS);
    }).then(function () {
      eventsInFlight = false;
      if (events.length && !eventsTimer) { sendEvents(); }
    });
  }

  function sendBeacon() {
    // On pagehide: whatever is queued plus "unload", even if a request is still in flight.
    var batch = events.splice(0, 49).concat([{kind: "unload", at: new Date().toISOString(), page: pageId}]);
    var body = new URLSearchParams({csrf_token: csrfToken, events: JSON.stringify(batch)});
    if (!(navigator.sendBeacon && navigator.sendBeacon(eventsUrl, body))) {
      window.fetch(eventsUrl, {method: "POST", credentials: "same-origin", keepalive: true, body: body})
        .catch(function () { /* evidence is best effort */ });
    }
  }

  function evidenceAnswered(body) {
    // 400 (malformed, dropped), 409 (submitted): nothing to retry. The counts feed the notice.
    if (leaveNoticeEl && typeof body.leaves === "number") {
      var count = leaveNoticeEl.querySelector('[data-role="leave-count"]');
      count.textContent = msg("leave-count", {count: body.leaves, seconds: body.seconds_away});
      leaveNoticeEl.setAttribute("data-leaves", String(body.leaves));
      leaveNoticeEl.setAttribute("data-seconds-away", String(body.seconds_away));
    }
    if (body.submitted) { leaveLimitReached(body); }
  }

  function leaveLimitReached(body) {
    // The server submitted the attempt at the exam's leave limit: say why, then show the result.
    stopped = true;
    submitting = true;
    storeJSON(PENDING_KEY, {});
    showAlert(body.error || "");
    setStatus("error", body.error || "");
    if (alertEl) { alertEl.setAttribute("data-reason", "leave_limit"); }
    if (body.review_url) { window.location.assign(body.review_url); }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      record("hidden");
      if (Object.keys(pending).length && !inFlight) { flush(); }
    } else {
      record("visible");
      heartbeat();
    }
  });
  window.addEventListener("blur", function () { record("blur"); });
  window.addEventListener("focus", function () { record("focus"); });
  window.addEventListener("pagehide", function () {
    if (!unloading && !submitting && !stopped) {
      unloading = true;
      try { window.sessionStorage.setItem(PAGE_KEY, pageId); } catch (e) { /* then it counts as opened */ }
      sendBeacon();
    }
    // Unsaved changes leave with the page (keepalive); they stay in localStorage too, for a reload.
    if (!submitting && !stopped && Object.keys(pending).length) {
      post(saveUrl, {changes: currentChanges()}, true).catch(function () { /* kept locally */ });
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {  // back from the browser's cache: a new page load, and check the clock
      var previous = pageId;
      pageId = newPageId();
      unloading = false;
      previousPage();
      record("load", {previous: previous});
      heartbeat();
    }
  });

  // Full screen on start (exam setting; advisory): asked for once at the first click or key press
  // (browsers grant it only then), and by the button; a refusal is fine and not recorded.
  var fullscreenEl = document.getElementById("fullscreen-offer");

  function requestFullscreen() {
    var el = document.documentElement;
    if (!el.requestFullscreen || document.fullscreenElement) { return; }
    el.requestFullscreen().catch(function () { /* refused: advisory only */ });
  }

  if (fullscreenEl) {
    fullscreenEl.querySelector("button").addEventListener("click", requestFullscreen);
    document.addEventListener("pointerdown", requestFullscreen, {once: true});
    document.addEventListener("keydown", requestFullscreen, {once: true});
    document.addEventListener("fullscreenchange", function () {
      fullscreenEl.hidden = !!document.fullscreenElement;
    });
  }

  window.addEventListener("beforeunload", function (event) {
    // Only when answers could not be sent (offline): leaving now would keep them on this device only.
    if (!submitting && failing && Object.keys(pending).length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- start ---

  restorePending();
  setStatus(Object.keys(pending).length ? "pending" : "saved");
  if (Object.keys(pending).length) { scheduleSave(0); }
  record("load", {previous: previousPage()});
  if (document.visibilityState === "hidden") { record("hidden"); }
  tick();
  window.setInterval(tick, 250);
  window.setInterval(heartbeat, HEARTBEAT_MS);
}());
