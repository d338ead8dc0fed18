// The console's progressive enhancement: every page works without this file.
// - times shown in the analyst's local time (UTC stays on hover);
// - copy buttons for one-time secrets;
// - "Send test ping" and "Test" in place, showing the receiver's answer beside the button;
// - Recent Deliveries refreshing itself every second, keeping expanded rows open.
(function () {
  "use strict";
  function localTimes(root) {
    var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) { t.textContent = fmt.format(d); }
    });
  }

  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        var src = document.getElementById(b.getAttribute("data-copy"));
        if (!src || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(src.textContent.trim()).then(function () {
          b.textContent = "Copied";
          setTimeout(function () { b.textContent = "Copy"; }, 2000);
        });
      });
    });
  }

  // A button with data-inline posts its form (to its formaction) and puts the fragment the
  // server answers into the element named by data-inline.
  function inlineButtons(root) {
    root.querySelectorAll("button[data-inline]").forEach(function (b) {
      b.addEventListener("click", function (ev) {
        var form = b.form;
        var target = document.getElementById(b.getAttribute("data-inline"));
        if (!form || !target) { return; }
        ev.preventDefault();
        var body = new URLSearchParams(new FormData(form));
        b.setAttribute("aria-busy", "true");
        b.disabled = true;
        target.textContent = "Sending…";
        fetch(b.getAttribute("formaction") || form.action, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-Console-Fragment": "1", "Content-Type": "application/x-www-form-urlencoded" }
        }).then(function (r) { return r.text(); }).then(function (html) {
          target.innerHTML = html;
          localTimes(target);
        }).catch(function () {
          target.textContent = "The request failed; check your connection and try again.";
        }).finally(function () {
          b.removeAttribute("aria-busy");
          b.disabled = false;
        });
      });
    });
  }

  // Recent Deliveries: refresh the rows every second (a conditional request: an unchanged
  // list costs one query and no body), keeping expanded rows open.
  var opened = {};

  function showDetail(id, open) {
    var row = document.getElementById(id);
    var toggle = document.querySelector('[data-toggle="' + id + '"]');
    if (!row) { return; }
    row.hidden = !open;
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
    if (open) {
      opened[id] = true;
      var slot = row.querySelector("[data-detail]");
      if (!slot) { return; }
      fetch(slot.getAttribute("data-detail"), { credentials: "same-origin", headers: { "X-Console-Fragment": "1" } })
        .then(function (r) { return r.text(); })
        .then(function (html) { slot.innerHTML = html; localTimes(slot); inlineButtons(slot); });
    } else {
      delete opened[id];
    }
  }

  function enhanceRows(root) {
    localTimes(root);
    inlineButtons(root);
    root.querySelectorAll("[data-toggle]").forEach(function (a) {
      a.setAttribute("role", "button");
      a.setAttribute("aria-expanded", opened[a.getAttribute("data-toggle")] ? "true" : "false");
      function toggle(ev) {
        ev.preventDefault();
        var id = a.getAttribute("data-toggle");
        showDetail(id, !opened[id]);
      }
      a.addEventListener("click", toggle);
      // A button also answers the space bar.
      a.addEventListener("keydown", function (ev) { if (ev.key === " ") { toggle(ev); } });
    });
  }

  function liveDeliveries() {
    var tbody = document.getElementById("delivery-rows");
    if (!tbody) { return; }
    enhanceRows(tbody);
    var src = tbody.getAttribute("data-src");
    if (!src) { return; }
    var live = document.getElementById("live");
    var empty = document.getElementById("deliveries-empty");
    var etag = null;
    var busy = false;
    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      var headers = { "X-Console-Fragment": "1" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(src, { credentials: "same-origin", headers: headers }).then(function (r) {
        if (r.status === 401) {
          // The session ended: stop, and say so.
          clearInterval(timer);
          if (live) {
            live.setAttribute("data-state", "off");
            live.lastChild.textContent = " Paused — your session ended; reload to sign in again";
          }
          return null;
        }
        if (live) { live.setAttribute("data-state", r.ok || r.status === 304 ? "on" : "off"); }
        if (r.status !== 200) { return null; }
        etag = r.headers.get("ETag");
        return r.text();
      }).then(function (html) {
        if (html === null || html === undefined) { return; }
        tbody.innerHTML = html;
        if (empty && tbody.children.length > 0) { empty.hidden = true; }
        enhanceRows(tbody);
        Object.keys(opened).forEach(function (id) { showDetail(id, true); });
      }).catch(function () {
        if (live) { live.setAttribute("data-state", "off"); }
      }).finally(function () { busy = false; });
    }
    var timer = setInterval(tick, 1000);
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    copyButtons(document);
    inlineButtons(document);
    liveDeliveries();
  });
})();
