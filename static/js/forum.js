// Kotae: small enhancements on top of pages that work without JavaScript.
(function () {
  "use strict";

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

  // Open the comment box when its link is followed (e.g. after a failed post).
  if (location.hash.indexOf("#comments-") === 0) {
    var details = document.querySelector(location.hash + " details");
    if (details) details.open = true;
  }
})();
