// Kotae: small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

  // The menu button (narrow screens): unfold the side navigation; Escape folds it and returns to the button.
  var menuButton = document.querySelector(".menu-toggle");
  var menu = menuButton && document.getElementById(menuButton.getAttribute("aria-controls"));
  function setMenu(open) {
    menuButton.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  }
  if (menu) {
    menuButton.addEventListener("click", function () {
      setMenu(menuButton.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menuButton.getAttribute("aria-expanded") === "true") {
        setMenu(false);
        menuButton.focus();
      }
    });
  }

  // Confirm before destructive POST buttons (delete, undelete...).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrf_token]");
    if (input) return input.value;
    var any = document.querySelector("input[name=csrf_token]");
    return any ? any.value : "";
  }

  // Live Markdown preview, rendered by the server with the same code as the saved post.
  function setUpPreview(editor) {
    var textarea = editor.querySelector("textarea");
    var box = editor.querySelector(".preview");
    var body = editor.querySelector(".preview-body");
    var url = editor.getAttribute("data-preview-url");
    if (!textarea || !box || !body || !url) return;
    var timer = null;
    var lastSent = null;
    function render() {
      var text = textarea.value;
      if (text === lastSent) return;
      lastSent = text;
      if (!text.trim()) { box.hidden = true; return; }
      var data = new FormData();
      data.append("body", text);
      fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrfToken(textarea.form), "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (json) {
        if (lastSent !== text) return; // a newer request is on its way
        body.innerHTML = json.html;    // sanitised on the server by the same allow-list as posts
        box.hidden = false;
      }).catch(function () { /* the preview is a nicety; the form still works */ });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 350);
    });
    render();
  }

  document.querySelectorAll(".editor[data-preview-url]").forEach(setUpPreview);

  // Votes without a reload: update at once, then confirm with the server or roll back with its explanation.
  function setUpVoting(form) {
    var score = form.querySelector(".score");
    var message = form.parentNode.querySelector(".vote-message");
    var buttons = form.querySelectorAll("button.vote");
    function state() {
      return { score: score.textContent, classes: Array.prototype.map.call(buttons, function (b) { return b.className; }),
               values: Array.prototype.map.call(buttons, function (b) { return b.value; }) };
    }
    function restore(saved) {
      score.textContent = saved.score;
      buttons.forEach(function (b, i) { b.className = saved.classes[i]; b.value = saved.values[i];
                                        b.setAttribute("aria-pressed", b.classList.contains("on")); });
    }
    function show(vote, newScore) {
      score.textContent = newScore;
      buttons.forEach(function (b) {
        var up = b.classList.contains("vote-up");
        var on = (up && vote === 1) || (!up && vote === -1);
        b.classList.toggle("on", on);
        b.setAttribute("aria-pressed", on);
        b.value = on ? "0" : (up ? "1" : "-1");
      });
    }
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) return; // plain form post
      event.preventDefault();
      var saved = state();
      var value = parseInt(button.value, 10);
      var current = form.querySelector("button.vote.on");
      var before = current ? (current.classList.contains("vote-up") ? 1 : -1) : 0;
      show(value, parseInt(saved.score, 10) - before + value);
      if (message) message.hidden = true;
      var data = new FormData(form);
      data.set("value", String(value));
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                           headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(form) } })
        .then(function (response) {
          return response.json().then(function (json) { return { ok: response.ok, json: json }; });
        })
        .then(function (result) {
          if (!result.ok) throw new Error(result.json.message || result.json.error);
          show(result.json.vote, result.json.score);
        })
        .catch(function (error) {
          restore(saved);
          if (message) { message.textContent = error.message || "Error"; message.hidden = false; }
        });
    });
  }
  document.querySelectorAll(".vote-form").forEach(setUpVoting);

  // A refused vote's explanation covers the start of the post: a click on it, or Escape, puts it away.
  document.addEventListener("click", function (event) {
    var message = event.target.closest && event.target.closest(".vote-message");
    if (message) message.hidden = true;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".vote-message:not([hidden])").forEach(function (m) { m.hidden = true; });
  });

  // Open the comment box when its link is followed (e.g. after a failed post).
  if (location.hash.indexOf("#comments-") === 0) {
    var details = document.querySelector(location.hash + " details");
    if (details) details.open = true;
  }
})();
