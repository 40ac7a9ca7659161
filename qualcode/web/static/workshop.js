// The workshop page: live updates, comments without a reload, high contrast.
// Everything shown comes from the server already escaped; this file only swaps
// the live region for a fresh copy and sends the comment form.
(function () {
  "use strict";
  var body = document.body;
  var live = document.getElementById("live");
  var state = document.getElementById("live-state");
  var contrast = document.getElementById("contrast");

  function setContrast(on) {
    body.classList.toggle("high-contrast", on);
    if (contrast) { contrast.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  var stored = null;
  try { stored = window.localStorage.getItem("qualcode-contrast"); } catch (e) { stored = null; }
  if (stored === "1") { setContrast(true); }
  if (contrast) {
    if (body.classList.contains("high-contrast")) { setContrast(true); }
    contrast.addEventListener("click", function () {
      var on = !body.classList.contains("high-contrast");
      setContrast(on);
      try { window.localStorage.setItem("qualcode-contrast", on ? "1" : "0"); } catch (e) { /* private mode */ }
    });
  }

  var refreshing = false, again = false;
  function refresh() {
    if (!live || !live.dataset.src) { return; }
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(live.dataset.src, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { live.innerHTML = html; })
      .catch(function () { /* the next change or reconnect tries again */ })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function say(text) { if (state) { state.textContent = text; } }
  if (window.EventSource) {
    var source = new EventSource("/events");
    var first = true;
    source.addEventListener("hello", function () {
      say("Live");
      if (!first) { refresh(); }  // after a reconnect: catch up on what was missed
      first = false;
    });
    source.addEventListener("change", function () { refresh(); });
    source.addEventListener("error", function () { say("Reconnecting…"); });
  } else {
    say("Reload for updates");
  }

  var form = document.querySelector("form.comment-form");
  if (form) {
    var message = form.querySelector(".form-message");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      message.textContent = "Sending…";
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        body: new URLSearchParams(new FormData(form))
      }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          form.querySelector("textarea").value = "";
          message.textContent = "Comment added. Thank you.";
          refresh();
        } else {
          message.textContent = result.data.error || "The comment was not saved.";
        }
      }).catch(function () {
        message.textContent = "The comment was not saved: the connection failed. Try again.";
      }).then(function () { button.disabled = false; });
    });
  }
})();
