/* Dastyar web chat widget. Embed with one tag on any page:
 *   <script src="https://gateway.example.ir/static/widget.js" defer></script>
 * Options (attributes of that tag): data-open="true" opens the panel at first visit.
 * Everything the assistant says is rendered as text (textContent), never as HTML.
 * The browser keeps only a random session id; the history lives in the gateway.
 */
(function () {
  "use strict";
  var CONFIG = /*__DASTYAR_CONFIG__*/null;
  if (!CONFIG || window.__dastyarWidget) { return; }
  window.__dastyarWidget = true;

  var T = CONFIG.texts;
  var script = document.currentScript;
  var BASE = new URL(script ? script.src : "/static/widget.js", location.href).origin;
  // links, and codes/numbers written with separators (kept whole and left-to-right)
  var TOKEN_RE = /https?:\/\/[^\s<>"'«»]+|[0-9۰-۹]+(?:[-\/][0-9۰-۹]+)+/g;
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";

  function fa(text) { return String(text).replace(/[0-9]/g, function (d) { return PERSIAN[+d]; }); }
  function fill(text, params) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return params[k] === undefined ? m : params[k]; });
  }

  // --- storage: the session id survives reloads; only the panel state is per tab ---
  var memory = {};
  function store(kind) {
    return {
      get: function (k) { try { return window[kind].getItem(k); } catch (e) { return memory[k] || null; } },
      set: function (k, v) { try { window[kind].setItem(k, v); } catch (e) { memory[k] = v; } }
    };
  }
  var local = store("localStorage");
  var tab = store("sessionStorage");
  function newSession() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  var session = local.get("dastyar.session");
  if (!session || !/^[A-Za-z0-9_.:-]{16,100}$/.test(session)) {
    session = newSession();
    local.set("dastyar.session", session);
  }

  // --- the font is declared in the page (a shadow root cannot declare @font-face); a
  // stylesheet link rather than inline CSS, so pages with a strict CSP can allow it ---
  if (!document.getElementById("dastyar-font")) {
    var face = document.createElement("link");
    face.id = "dastyar-font";
    face.rel = "stylesheet";
    face.href = BASE + "/static/fonts.css";
    (document.head || document.documentElement).appendChild(face);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // --- the widget's DOM, isolated from the page's styles in a shadow root ---
  var host = el("div", { id: "dastyar-widget" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(el("link", { rel: "stylesheet", href: BASE + "/static/widget.css" }));
  var frame = el("div", { class: "dw", dir: "rtl", lang: "fa" });
  var launcher = el("button", {
    type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "dw-panel"
  }, T.open);
  var panel = el("section", {
    id: "dw-panel", class: "panel", role: "dialog", "aria-labelledby": "dw-title", hidden: ""
  });
  var header = el("header", { class: "head" });
  var titles = el("div", { class: "titles" });
  titles.appendChild(el("h2", { id: "dw-title" }, T.title));
  titles.appendChild(el("p", { class: "subtitle" }, T.subtitle));
  var closer = el("button", { type: "button", class: "close", "aria-label": T.close, title: T.close }, "×");
  header.appendChild(titles);
  header.appendChild(closer);
  var log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": T.log_label, tabindex: "0" });
  var typing = el("div", { class: "typing", role: "status", hidden: "" });
  typing.appendChild(el("span", { class: "dots", "aria-hidden": "true" }));
  typing.appendChild(el("span", { class: "typing-text" }, T.typing));
  var form = el("form", { class: "composer" });
  var label = el("label", { for: "dw-input", class: "sr" }, T.input_label);
  var input = el("textarea", {
    id: "dw-input", rows: "1", maxlength: String(CONFIG.maxMessageChars),
    placeholder: T.placeholder, dir: "auto", autocomplete: "off"
  });
  var send = el("button", { type: "submit", class: "send" }, T.send);
  var file = el("input", {
    type: "file", class: "sr", tabindex: "-1", "aria-hidden": "true",
    accept: ".pdf,.jpg,.jpeg,.png," + CONFIG.uploadTypes.join(",")
  });
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  panel.appendChild(file);
  frame.appendChild(panel);
  frame.appendChild(launcher);
  root.appendChild(frame);
  (document.body || document.documentElement).appendChild(host);

  // --- rendering: text nodes and safe links only ---
  function appendText(parent, value) {
    var text = String(value || "");
    var last = 0;
    text.replace(TOKEN_RE, function (token, at) {
      if (at > last) { parent.appendChild(document.createTextNode(text.slice(last, at))); }
      if (!/^https?:/i.test(token)) {
        parent.appendChild(el("bdi", { class: "nowrap", dir: "ltr" }, token));
        last = at + token.length;
        return token;
      }
      var clean = token.replace(/[.,،؛!?)]+$/, "");
      var a = el("a", { href: clean, target: "_blank", rel: "noopener noreferrer" }, clean);
      a.appendChild(el("span", { class: "sr" }, " " + T.link_hint));
      parent.appendChild(a);
      last = at + clean.length;
      return token;
    });
    if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
  }
  function safeHref(url) { return /^https?:\/\//i.test(url || "") ? url : null; }

  function disableChoices() {
    var buttons = log.querySelectorAll("button.choice");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
  }

  function receiptCard(r) {
    var card = el("div", { class: "receipt", role: "group", "aria-label": T.receipt_title });
    card.appendChild(el("p", { class: "receipt-title" }, T.receipt_title));
    var list = el("dl");
    [
      ["receipt_tracking_code", r.tracking_code_display || r.tracking_code, "code"],
      ["receipt_service", r.service_title],
      ["receipt_agency", r.agency_name],
      ["receipt_status", r.status_label || r.status],
      ["receipt_created", r.created_at_jalali],
      ["receipt_estimated", r.estimated_completion_jalali],
      ["receipt_cost", r.cost]
    ].forEach(function (row) {
      if (!row[1]) { return; }
      list.appendChild(el("dt", null, T[row[0]]));
      list.appendChild(el("dd", row[2] ? { class: row[2], dir: "ltr" } : null, row[1]));
    });
    card.appendChild(list);
    card.appendChild(el("p", { class: "receipt-note" }, T.receipt_keep_code));
    if (r.accepts_attachments !== false) {
      var attach = el("button", { type: "button", class: "attach" }, T.attach);
      var hint = el("span", { class: "hint" }, fill(T.attach_hint, { max_mb: fa(maxMb()) }));
      attach.addEventListener("click", function () { pendingCode = r.tracking_code; file.click(); });
      card.appendChild(attach);
      card.appendChild(hint);
    }
    return card;
  }

  function render(entry) {
    var who = entry.who === "user" ? "user" : "bot";
    var li = el("li", { class: who + (entry.notice ? " notice" : "") + (entry.local ? " local" : "") });
    li.appendChild(el("span", { class: "sr" }, (entry.notice ? T.notice : who === "user" ? T.you : T.assistant) + ": "));
    if (entry.notice === true) { li.appendChild(el("span", { class: "badge", "aria-hidden": "true" }, T.notice)); }
    if (entry.text) {
      var p = el("p", { class: "text", dir: "auto" });
      appendText(p, entry.text);
      li.appendChild(p);
    }
    var image = safeHref(entry.image);
    if (image) {
      var link = el("a", { href: image, target: "_blank", rel: "noopener noreferrer" }, image);
      li.appendChild(link);
    }
    if (entry.custom && entry.custom.type === "receipt") { li.appendChild(receiptCard(entry.custom)); }
    if (entry.buttons && entry.buttons.length) {
      disableChoices();
      var box = el("div", { class: "choices", role: "group" });
      entry.buttons.forEach(function (b) {
        var href = safeHref(b.url);
        if (href) {
          box.appendChild(el("a", { class: "choice link", href: href, target: "_blank", rel: "noopener noreferrer" }, b.title));
          return;
        }
        var btn = el("button", { type: "button", class: "choice" }, b.title);
        btn.addEventListener("click", function () { say(b.payload, b.title); });
        box.appendChild(btn);
      });
      li.appendChild(box);
    } else if (who === "user") {
      disableChoices();
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  // --- talking to the gateway ---
  var lastSeq = 0;
  var shown = {};  // history positions already on screen (this tab's own turns)
  var ready = false;
  var busy = 0;
  var generation = 0;
  var pendingCode = null;

  function setTyping(on) { typing.hidden = !on; if (on) { log.scrollTop = log.scrollHeight; } }
  function offline() { render({ who: "bot", text: T.offline, local: true }); }
  function seen(seq) { if (typeof seq === "number" && seq > lastSeq) { lastSeq = seq; } }
  // A turn's own entries are on screen already; the history cursor is not moved past them here,
  // so a notification stored while the turn waited on the assistant is still fetched by poll().
  function shownTurn(reply) {
    (reply.seqs || []).forEach(function (seq) { shown[seq] = true; });
  }
  function renderNew(entry) {
    if (entry.seq > lastSeq) {
      if (!shown[entry.seq]) { render(entry); }
      seen(entry.seq);
    }
  }
  function api(path, options) {
    // the conversation's own rate limit (many citizens may share one address)
    options.headers = Object.assign({ "X-Dastyar-Session": session }, options.headers || {});
    return fetch(BASE + path, options).then(function (r) {
      return r.json().then(function (body) { return body; }, function () { throw new Error("bad json"); });
    });
  }

  function say(message, title) {
    generation += 1;
    busy += 1;
    render({ who: "user", text: title || message });
    setTyping(true);
    var body = { sender: session, message: message };
    if (title) { body.title = title; }
    api("/api/chat", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (reply) {
      if (!reply || !reply.messages) { offline(); return; }
      reply.messages.forEach(function (m) { render(Object.assign({ who: "bot" }, m)); });
      shownTurn(reply);
    }, offline).then(function () { busy -= 1; setTyping(busy > 0); poll(); });
  }

  function poll() {
    if (busy || !ready) { return; }
    var mine = generation;
    api("/api/history?sender=" + encodeURIComponent(session) + "&after=" + lastSeq, { method: "GET" })
      .then(function (body) {
        if (mine !== generation || busy) { return; }
        (body.entries || []).forEach(renderNew);
      }, function () { /* the next poll tries again */ });
  }

  function maxMb() { return Math.max(1, Math.floor(CONFIG.maxUploadBytes / 1048576)); }
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    file.value = "";
    if (!chosen) { return; }
    var name = chosen.name;
    var okType = CONFIG.uploadTypes.indexOf(chosen.type) >= 0 || /\.(pdf|jpe?g|png)$/i.test(name);
    if (!okType) { render({ who: "bot", text: fill(T.upload_bad_type, { name: name }), local: true }); return; }
    if (chosen.size > CONFIG.maxUploadBytes) {
      render({ who: "bot", text: fill(T.upload_too_large, { name: name, max_mb: fa(maxMb()) }), local: true });
      return;
    }
    generation += 1;
    busy += 1;
    render({ who: "user", text: "📎 " + name });
    var status = el("li", { class: "bot local", role: "status" }, fill(T.uploading, { name: name }));
    log.appendChild(status);
    var data = new FormData();
    data.append("sender", session);
    if (pendingCode) { data.append("tracking_code", pendingCode); }
    data.append("file", chosen, name);
    api("/api/attachments", { method: "POST", body: data }).then(function (reply) {
      status.remove();
      if (!reply || !reply.messages) { offline(); return; }
      reply.messages.forEach(function (m) { render(Object.assign({ who: "bot" }, m)); });
      shownTurn(reply);
    }, function () { status.remove(); offline(); }).then(function () { busy -= 1; poll(); });
  });

  // --- opening, closing, keyboard ---
  function open(focus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    tab.set("dastyar.open", "1");
    if (focus) { input.focus(); }
    poll();
  }
  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    tab.set("dastyar.open", "0");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { open(true); });
  closer.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { close(); } });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit(e); }
  });
  input.addEventListener("input", function () {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  });
  function submit(e) {
    if (e) { e.preventDefault(); }
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    input.style.height = "auto";
    say(text);
  }
  form.addEventListener("submit", submit);

  // --- start: re-render the history kept by the gateway, then watch for notifications ---
  api("/api/history?sender=" + encodeURIComponent(session) + "&after=0", { method: "GET" })
    .then(function (body) {
      (body.entries || []).forEach(renderNew);
    }, function () { /* shown empty; the first message reports the problem */ })
    .then(function () { ready = true; host.setAttribute("data-ready", "true"); listen(); });
  var wanted = tab.get("dastyar.open");
  // A staff member's reply (live handoff) or a notification is pushed as a server-sent event;
  // the slower polling below stays on as the fallback (no EventSource, a proxy that buffers).
  var stream = null;
  function listen() {
    if (stream || !window.EventSource) { return; }
    stream = new EventSource(BASE + "/api/events?sender=" + encodeURIComponent(session) + "&after=" + lastSeq);
    stream.onmessage = function (e) {
      // during a turn the entries are the turn's own; poll() catches up once it is done
      if (busy || !ready) { return; }
      try { renderNew(JSON.parse(e.data)); } catch (err) { /* a bad event is skipped */ }
    };
  }
  if (wanted === "1" || (wanted === null && script && script.getAttribute("data-open") === "true")) { open(false); }
  setInterval(function () {
    if (!panel.hidden && document.visibilityState === "visible") { poll(); }
  }, Math.max(5, CONFIG.pollSeconds) * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !panel.hidden) { poll(); }
  });
})();
