// Minimal web chat: keeps a session id and the history in localStorage; renders text only.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var sender = localStorage.getItem("dastyar.sender");
  if (!sender) {
    sender = "w" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    localStorage.setItem("dastyar.sender", sender);
  }
  var history = JSON.parse(localStorage.getItem("dastyar.history") || "[]");

  function render(entry) {
    var li = document.createElement("li");
    li.className = entry.who;
    li.textContent = entry.text || "";
    if (entry.buttons && entry.buttons.length) {
      var box = document.createElement("div");
      box.className = "buttons";
      entry.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        box.appendChild(btn);
      });
      li.appendChild(box);
    }
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }
  function remember(entry) {
    history.push(entry);
    localStorage.setItem("dastyar.history", JSON.stringify(history.slice(-200)));
    render(entry);
  }
  function send(message, shown) {
    remember({ who: "user", text: shown || message });
    fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: message })
    }).then(function (r) { return r.json(); }).then(function (body) {
      (body.messages || []).forEach(function (m) {
        remember({ who: "bot", text: m.text, buttons: m.buttons });
      });
    }).catch(function () {
      remember({ who: "bot", text: "ارتباط برقرار نشد. لطفاً دوباره تلاش کنید." });
    });
  }
  history.forEach(render);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });
})();
