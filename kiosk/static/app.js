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

  // The ticket page (loaded, or swapped in as the submit's answer) says which draft is now filed.
  function clearFiled(root) {
    var s = store(); if (!s || !root.querySelectorAll) return;
    var marked = root.matches && root.matches("[data-clear-draft]") ? [root] : root.querySelectorAll("[data-clear-draft]");
    Array.prototype.forEach.call(marked, function (el) { s.removeItem(el.dataset.clearDraft); });
  }

  document.addEventListener("DOMContentLoaded", function () { clearFiled(document); wire(document); });
  document.addEventListener("htmx:load", function (e) { clearFiled(e.target); wire(e.target); });

  // "不是本企业？清空": the next company must not find the last one's half-typed form either.
  document.addEventListener("submit", function (e) {
    if (!e.target.matches || !e.target.matches("form[data-forget-drafts]")) return;
    var s = store(); if (!s) return;
    for (var i = s.length - 1; i >= 0; i--) {
      var key = s.key(i);
      if (key && key.indexOf("intake-") === 0) s.removeItem(key);
    }
  });

  // Results in view, one mechanism for every page: the answer to a submit (a refused form, the
  // booth sheet's errors or preview, a refused staff step) may sit far below the button, on a 360 px
  // phone or a long page, and nothing seems to happen. So after a POST's swap, and when a page loads
  // as such an answer, the first field in error is scrolled to the middle and focused; failing a
  // field, the result the server marked data-show-result (the first line of a list or a preview, with
  // tabindex="-1"; its autofocus does the same without a script) is focused, with what holds it
  // scrolled to the top, so what follows shows; failing that, the form's notice. Only after a POST: a poll must never move the
  // focus.
  function showResult(root) {
    var field = root.querySelector(".has-error input:not([type=hidden]), .has-error select, .has-error textarea");
    if (field) {
      (field.closest(".field") || field).scrollIntoView({block: "center"});
      field.focus({preventScroll: true});
      return;
    }
    var marked = root.querySelector("[data-show-result]");
    var target = marked || root.querySelector("form [role=alert]:not([hidden])");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    // a marked line is shown with what holds it (the notice, the preview's card, the panel) from its top
    (marked ? marked.parentElement : target).scrollIntoView({block: marked ? "start" : "center"});
    target.focus({preventScroll: true});
  }
  var afterPost = false;
  function isPost(e) { return !!e.detail.requestConfig && e.detail.requestConfig.verb === "post"; }
  document.addEventListener("htmx:beforeRequest", function (e) { if (isPost(e)) afterPost = true; });
  document.addEventListener("htmx:afterRequest", function (e) { if (isPost(e) && !e.detail.successful) afterPost = false; });
  document.addEventListener("htmx:afterSettle", function () {
    if (!afterPost) return;
    afterPost = false;
    showResult(document);
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector(".error-summary, .has-error, [data-show-result]")) showResult(document);
  });
  // The summary's links: to the field, focused (a link to an input only scrolls to it).
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    e.preventDefault();
    (field.closest(".field") || field).scrollIntoView({block: "center"});
    field.focus({preventScroll: true});
  });

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

  // An irreversible action's box (macros.html's irreversible, a <details>): opened, the focus goes to
  // its tick, which is described by what will happen and what cannot be undone; Escape closes it and
  // gives the focus back to the button that opened it. Without a script the box works the same.
  document.addEventListener("toggle", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("details.irreversible") || !box.open) return;
    var tick = box.querySelector("input[name=confirmed]");
    if (tick) tick.focus();
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var box = e.target.closest && e.target.closest("details.irreversible[open]");
    if (!box) return;
    box.open = false;
    box.querySelector("summary").focus();
  });

  // A round's marks (ledger/round.html): the select-all's buttons are submits of their own (the page
  // comes back with those items ticked); here they tick in place, and the count says how many.
  function countSelected(form) {
    var count = form.querySelector(".selected-count");
    if (!count) return;
    var n = form.querySelectorAll("input[name=items]:checked").length;
    count.textContent = count.dataset.words.replace("{n}", String(n));
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("form.round-marks button[name=select]");
    if (!button) return;
    e.preventDefault();
    Array.prototype.forEach.call(button.form.querySelectorAll("input[name=items]"), function (box) {
      box.checked = button.value === "all" || (button.value === "unmarked" && box.dataset.toMark === "1");
    });
    countSelected(button.form);
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("form.round-marks input[name=items]")) countSelected(e.target.form);
  });
})();

// Calling (叫号). The company's ticket page, once its ticket is called (intake/_called.html's
// data-vibrate, a key per call), vibrates once per call where the phone allows it. The hall screen
// (organiser/_calls_band.html's data-call-key) plays a short chime when a new call shows, once a
// first click or key on the screen has let the browser make sound (Web Audio, no file).
(function () {
  "use strict";
  const vibrated = {};
  function vibrateOnCall() {
    const called = document.querySelector("[data-vibrate]");
    if (!called || !navigator.vibrate) return;
    const key = called.dataset.vibrate;
    let seen = null;
    try { seen = window.sessionStorage.getItem("called"); } catch (e) { seen = vibrated.key || null; }
    if (seen === key) return;
    try { window.sessionStorage.setItem("called", key); } catch (e) { vibrated.key = key; }
    navigator.vibrate([400, 200, 400]);
  }

  let audio = null, lastCall = null;
  function unlockSound() {
    if (audio || !document.querySelector(".screen-grid")) return;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (Context) audio = new Context();
  }
  function chime() {
    if (!audio) return;
    const start = audio.currentTime;
    [[784, 0], [659, 0.35]].forEach(function (tone) {
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.4, start + tone[1] + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + tone[1] + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + tone[1]);
      osc.stop(start + tone[1] + 0.65);
    });
  }
  function chimeOnCall() {
    const band = document.querySelector("[data-call-key]");
    const key = band ? band.dataset.callKey : null;
    if (key && lastCall !== null && key !== lastCall) chime();
    if (key || lastCall === null) lastCall = key || "";
  }
  document.addEventListener("click", unlockSound);
  document.addEventListener("keydown", unlockSound);
  document.addEventListener("DOMContentLoaded", function () { vibrateOnCall(); chimeOnCall(); });
  document.addEventListener("htmx:afterSettle", function () { vibrateOnCall(); chimeOnCall(); });
})();

// The booth queue's waits (booth/queue_row.html's data-since). An unchanged queue is a 304, so the
// minutes the server wrote on its rows stand still: every 30 s they are worked out again from each
// row's arrival in the line, on the server's clock as it last rendered the queue (data-now: a
// tablet's own clock may be off), and a row past data-long-wait minutes is marked long (its words
// and a bar, app.css) with no change in the queue. Without a script the server's words stand.
(function () {
  "use strict";
  let skew = 0, seenNow = null;
  function tick() {
    const queue = document.getElementById("queue");
    if (!queue || !queue.dataset.waited) return;
    const now = Date.now() + skew, long = Number(queue.dataset.longWait), words = queue.dataset.waited;
    queue.querySelectorAll("td[data-since]").forEach(function (cell) {
      const minutes = Math.max(0, Math.floor((now - Number(cell.dataset.since)) / 60000));
      const text = cell.querySelector(".waited-text");
      if (text) text.textContent = words.replace("{n}", String(minutes));
      cell.closest("tr").classList.toggle("long-wait", minutes >= long);
    });
  }
  function sync() {
    // Only a queue rendered anew sets the clock again (a 304 leaves the old data-now in place).
    const queue = document.getElementById("queue");
    if (queue && queue.dataset.now && queue.dataset.now !== seenNow) {
      seenNow = queue.dataset.now;
      skew = Number(seenNow) - Date.now();
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("htmx:afterSettle", sync);
  window.setInterval(tick, 30000);
})();
