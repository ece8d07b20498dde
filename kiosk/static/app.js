// The kiosk's own script: keep what a company typed until its request is safely filed.
(function () {
  "use strict";
  var KEEP = ["company_name", "credit_code", "contact_name", "mobile", "category",
              "need", "project_name", "amount_wan"];

  function store() { try { return window.localStorage; } catch (e) { return null; } }

  function saveDraft(form) {
    var s = store(); if (!s) return;
    var draft = {};
    KEEP.forEach(function (name) {
      var el = form.elements[name]; if (!el) return;
      draft[name] = el.value;
    });
    // A submit that may have reached the server keeps its key, so a retry cannot file it twice.
    if (form.dataset.sent) draft.submission_key = form.elements.submission_key.value;
    s.setItem(form.dataset.draft, JSON.stringify(draft));
  }

  function restoreDraft(form) {
    var s = store(); if (!s) return;
    var draft; try { draft = JSON.parse(s.getItem(form.dataset.draft) || "null"); } catch (e) { return; }
    if (!draft) return;
    // Only empty fields are filled: what the server sent back (kept input, remembered company) wins.
    KEEP.forEach(function (name) {
      var el = form.elements[name];
      if (el && !el.value && draft[name]) el.value = draft[name];
    });
    if (draft.submission_key) form.elements.submission_key.value = draft.submission_key;
  }

  function wire(root) {
    var forms = (root.matches && root.matches("form[data-draft]")) ? [root] : root.querySelectorAll("form[data-draft]");
    Array.prototype.forEach.call(forms, function (form) {
      if (form.dataset.wired) return;
      form.dataset.wired = "1";
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
      form.addEventListener("submit", function () { form.dataset.sent = "1"; saveDraft(form); });
    });
  }

  function showNetError(form, show) {
    var box = form && form.querySelector(".net-error");
    if (box) box.hidden = !show;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var clear = document.body.dataset.clearDraft;
    if (clear && store()) store().removeItem(clear);
    wire(document);
  });
  document.addEventListener("htmx:load", function (e) { wire(e.target); });

  // The booth queue: a request that arrives while the tablet watches stays highlighted for a minute.
  var HIGHLIGHT_MS = 60000, seen = null, seenFor = null, arrivedAt = {};
  function markArrivals() {
    var queue = document.getElementById("queue");
    if (!queue) return;
    var rows = queue.querySelectorAll("tr[data-id]"), now = Date.now();
    var view = queue.getAttribute("hx-get");
    if (view !== seenFor) { seen = {}; seenFor = view; rows.forEach(function (r) { seen[r.dataset.id] = true; }); }
    rows.forEach(function (row) {
      var id = row.dataset.id;
      if (!seen[id]) { seen[id] = true; arrivedAt[id] = now; }
      if (arrivedAt[id] && now - arrivedAt[id] < HIGHLIGHT_MS) row.classList.add("arrived");
    });
  }
  document.addEventListener("DOMContentLoaded", markArrivals);
  document.addEventListener("htmx:afterSettle", markArrivals);

  document.addEventListener("htmx:beforeRequest", function (e) { showNetError(e.target.closest("form"), false); });
  // Weak 4G: the request failed or the server stumbled. Nothing is swapped, so the form keeps its text.
  document.addEventListener("htmx:sendError", function (e) { showNetError(e.target.closest("form"), true); });
  document.addEventListener("htmx:responseError", function (e) { showNetError(e.target.closest("form"), true); });
  document.addEventListener("htmx:timeout", function (e) { showNetError(e.target.closest("form"), true); });

  // Pages that poll (the queue, the tracking page, the dashboard, the hall screen): a lost network or
  // a database away (503) shows one small line; htmx keeps polling on its own and a good answer hides
  // it again. The words come from the page (a meta tag), in the user's language.
  function isPoll(elt) { return !!elt && /\bevery\b/.test(elt.getAttribute("hx-trigger") || ""); }
  function offlineLine(show) {
    var line = document.getElementById("poll-offline");
    if (!line && show) {
      var words = document.querySelector('meta[name="poll-offline"]');
      line = document.createElement("p");
      line.id = "poll-offline";
      line.className = "poll-offline";
      line.setAttribute("role", "status");
      line.textContent = words ? words.content : "";
      document.body.appendChild(line);
    }
    if (line) line.hidden = !show;
  }
  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function (e) { if (isPoll(e.detail.elt)) offlineLine(true); });
  });
  // Any good answer means the way is clear again. A poller swapped outerHTML is detached by the time
  // its afterRequest fires, so the fresh poller's htmx:load counts too.
  document.addEventListener("htmx:afterRequest", function (e) { if (e.detail.successful) offlineLine(false); });
  document.addEventListener("htmx:load", function (e) { if (isPoll(e.target)) offlineLine(false); });
})();
