// The console's progressive enhancement: every page works without this file.
// - times shown in the analyst's local time (UTC stays on hover);
// - copy buttons for one-time secrets;
// - "Send test ping", "Test" and "Redeliver" in place, the answer shown beside the button;
// - Recent Deliveries refreshing itself every second: only rows that changed are replaced,
//   expanded rows stay open and focus stays where it was;
// - the case review streamed as it runs (server-sent events read from a POST), the page
//   reloaded with the stored review when it completes;
// - files dropped on a drop zone put into its file input (the input stays the way to choose);
// - "Select all" / "Select none" for the event types of an endpoint.
(function () {
  "use strict";

  // Each control is enhanced once, however many times its container is processed.
  function once(el, name) {
    if (el.hasAttribute("data-js-" + name)) { return false; }
    el.setAttribute("data-js-" + name, "");
    return true;
  }

  function localTimes(root) {
    var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "long" });
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) { t.textContent = fmt.format(d); }
    });
  }

  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (b) {
      if (!once(b, "copy")) { return; }
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

  // What a failed request says: an error page's message, not the page itself.
  function failure(status, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var msg = doc.querySelector("main p, p.field-error");
    var p = document.createElement("p");
    p.className = "field-error";
    p.textContent = msg ? msg.textContent : "The request failed (HTTP " + status + ").";
    return p;
  }

  // A button with data-inline posts its form (to its formaction) and puts the fragment the
  // server answers into the element named by data-inline.
  function inlineButtons(root) {
    root.querySelectorAll("button[data-inline]").forEach(function (b) {
      if (!once(b, "inline")) { return; }
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
        }).then(function (r) {
          return r.text().then(function (html) {
            if (r.ok) {
              target.innerHTML = html;
              localTimes(target);
            } else {
              target.replaceChildren(failure(r.status, html));
            }
          });
        }).catch(function () {
          target.textContent = "The request failed; check your connection and try again.";
        }).finally(function () {
          b.removeAttribute("aria-busy");
          b.disabled = false;
        });
      });
    });
  }

  // Recent Deliveries.
  var opened = {};

  function loadDetail(row) {
    var slot = row.querySelector("[data-detail]");
    if (!slot) { return; }
    fetch(slot.getAttribute("data-detail"), { credentials: "same-origin", headers: { "X-Console-Fragment": "1" } })
      .then(function (r) {
        return r.text().then(function (html) {
          if (r.ok) {
            slot.innerHTML = html;
            localTimes(slot);
            inlineButtons(slot);
          } else {
            slot.replaceChildren(failure(r.status, html));
          }
        });
      })
      .catch(function () { slot.textContent = "The details could not be loaded; check your connection."; });
  }

  function showDetail(id, open) {
    var row = document.getElementById(id);
    var toggle = document.querySelector('[data-toggle="' + id + '"]');
    if (!row) { return; }
    row.hidden = !open;
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
    if (open) {
      opened[id] = true;
      loadDetail(row);
    } else {
      delete opened[id];
    }
  }

  function enhanceRows(root) {
    localTimes(root);
    inlineButtons(root);
    root.querySelectorAll("[data-toggle]").forEach(function (a) {
      if (!once(a, "toggle")) { return; }
      var id = a.getAttribute("data-toggle");
      a.setAttribute("role", "button");
      a.setAttribute("aria-expanded", opened[id] ? "true" : "false");
      function toggle(ev) {
        ev.preventDefault();
        showDetail(id, !opened[id]);
      }
      a.addEventListener("click", toggle);
      // A button also answers the space bar (once per press).
      a.addEventListener("keydown", function (ev) { if (ev.key === " " && !ev.repeat) { toggle(ev); } });
    });
  }

  // Puts the refreshed rows in place: a row whose markup is unchanged stays as it is (with its
  // focus, its "Redelivery queued", its open detail); a changed row is replaced; new rows are
  // added in order; rows gone from the list are removed.
  function mergeRows(tbody, html) {
    var fresh = document.createElement("tbody");
    fresh.innerHTML = html;
    var focusedId = document.activeElement && document.activeElement.closest("tr") ?
      document.activeElement.closest("tr").id : null;
    var focusedKey = focusedId && document.activeElement.getAttribute("data-toggle") ? "toggle" :
      (document.activeElement && document.activeElement.tagName === "BUTTON" ? "button" : null);
    var wanted = {};
    Array.prototype.forEach.call(fresh.children, function (tr) { wanted[tr.id] = true; });
    Array.prototype.slice.call(tbody.children).forEach(function (tr) {
      if (!wanted[tr.id]) { tr.remove(); }
    });
    var before = null;
    Array.prototype.slice.call(fresh.children).reverse().forEach(function (tr) {
      var old = document.getElementById(tr.id);
      if (tr.classList.contains("detail")) {
        // Detail rows keep their loaded content; only their place is kept in order.
        if (!old) { old = tr; }
      } else if (old && old.getAttribute("data-sig") === tr.getAttribute("data-sig")) {
        // Unchanged.
      } else {
        if (old) { old.replaceWith(tr); } else { tbody.insertBefore(tr, before); }
        old = tr;
      }
      if (old.parentNode !== tbody || old.nextSibling !== before) { tbody.insertBefore(old, before); }
      before = old;
    });
    enhanceRows(tbody);
    Object.keys(opened).forEach(function (id) {
      var row = document.getElementById(id);
      if (row && row.hidden) { showDetail(id, true); }
    });
    if (focusedId && !document.activeElement.closest("tr")) {
      var row = document.getElementById(focusedId);
      var target = row && (focusedKey === "toggle" ? row.querySelector("[data-toggle]") : row.querySelector("button"));
      if (target) { target.focus(); }
    }
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
    var timer = null;
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
        mergeRows(tbody, html);
        if (empty && tbody.children.length > 0) { empty.hidden = true; }
      }).catch(function () {
        if (live) { live.setAttribute("data-state", "off"); }
      }).finally(function () { busy = false; });
    }
    timer = setInterval(tick, 1000);
    tick();
  }

  // A form with data-stream posts there instead and shows each server-sent event in the list
  // named by data-stream-log: `step` and `factor` lines as they come, then `completed`
  // reloads the page on the stored result (or `error` says why). Without streaming support the
  // form posts as usual.
  function streamedForms(root) {
    root.querySelectorAll("form[data-stream]").forEach(function (form) {
      if (!once(form, "stream") || !window.ReadableStream || !window.TextDecoder) { return; }
      form.addEventListener("submit", function (ev) {
        var log = document.getElementById(form.getAttribute("data-stream-log"));
        if (!log) { return; }
        ev.preventDefault();
        var button = form.querySelector("button");
        if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
        log.hidden = false;
        log.replaceChildren();
        function line(text, severity) {
          var li = document.createElement("li");
          if (severity) {
            var pill = document.createElement("span");
            pill.className = "pill severity-" + severity;
            pill.textContent = severity;
            li.appendChild(pill);
            li.appendChild(document.createTextNode(" "));
          }
          li.appendChild(document.createTextNode(text));
          log.appendChild(li);
        }
        function done() {
          if (button) { button.disabled = false; button.removeAttribute("aria-busy"); }
        }
        function handle(frame) {
          var name = "message", data = "";
          frame.split("\n").forEach(function (l) {
            if (l.indexOf("event: ") === 0) { name = l.slice(7); }
            if (l.indexOf("data: ") === 0) { data += l.slice(6); }
          });
          var v = {};
          try { v = JSON.parse(data || "{}"); } catch (e) { v = {}; }
          if (name === "step") { line(v.text || ""); }
          if (name === "factor") { line(v.text || "", v.severity); }
          if (name === "completed") {
            line("Done: " + v.recommendation + " (" + v.confidence + " confidence). Loading the stored review…");
            var here = window.location.pathname;
            window.location.assign(here + "?done=ai-review#ai-review");
          }
          if (name === "error") { line("The review failed: " + (v.error || "unknown error")); done(); }
        }
        fetch(form.getAttribute("data-stream"), {
          method: "POST", credentials: "same-origin", headers: { "Accept": "text/event-stream" }
        }).then(function (r) {
          if (!r.ok || !r.body) { line("The review could not start (HTTP " + r.status + ")."); done(); return; }
          var reader = r.body.getReader();
          var decoder = new TextDecoder();
          var buffer = "";
          function pump() {
            return reader.read().then(function (chunk) {
              if (chunk.done) { done(); return; }
              buffer += decoder.decode(chunk.value, { stream: true });
              var at;
              while ((at = buffer.indexOf("\n\n")) >= 0) {
                handle(buffer.slice(0, at));
                buffer = buffer.slice(at + 2);
              }
              return pump();
            });
          }
          return pump();
        }).catch(function () {
          line("The connection was lost; reload the page to see whether the review completed.");
          done();
        });
      });
    });
  }

  // A [data-dropzone] takes files dropped on it into its file input, and lists what is chosen.
  function dropZones(root) {
    root.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      var input = zone.querySelector("input[type=file]");
      var list = zone.querySelector("[data-dropzone-list]");
      if (!input || !once(zone, "dropzone")) { return; }
      function show() {
        var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
        if (list) { list.textContent = names.length ? "Chosen: " + names.join(", ") : ""; }
      }
      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (t) {
        zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add("dragging"); });
      });
      ["dragleave", "drop"].forEach(function (t) {
        zone.addEventListener(t, function () { zone.classList.remove("dragging"); });
      });
      zone.addEventListener("drop", function (ev) {
        ev.preventDefault();
        if (ev.dataTransfer && ev.dataTransfer.files.length) {
          input.files = ev.dataTransfer.files;
          show();
        }
      });
    });
  }

  // "Select all" and "Select none" beside a group of checkboxes (shown only with script).
  function selectAll(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (bar) {
      if (!once(bar, "select-all")) { return; }
      var name = bar.getAttribute("data-select-all");
      var form = bar.closest("form");
      bar.hidden = false;
      bar.querySelectorAll("button[data-select]").forEach(function (b) {
        b.addEventListener("click", function () {
          var on = b.getAttribute("data-select") === "all";
          form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (c) { c.checked = on; });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    selectAll(document);
    dropZones(document);
    copyButtons(document);
    inlineButtons(document);
    streamedForms(document);
    liveDeliveries();
  });
})();
