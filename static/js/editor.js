// Kotae: the Markdown toolbar (bold, code, link, list, image) and image upload by picker, paste or drop.
// Configured by the editor's data attributes (templates/_macros/forms.html); the textarea works without it.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = (form && form.querySelector("input[name=csrf_token]")) || document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  // Replace the selection with before + (selection or placeholder) + after; the inner text stays selected.
  function wrap(textarea, before, after, placeholder) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var inner = textarea.value.slice(start, end) || placeholder;
    replaceRange(textarea, start, end, before + inner + after);
    textarea.setSelectionRange(start + before.length, start + before.length + inner.length);
  }

  function replaceRange(textarea, start, end, text) {
    textarea.focus();
    textarea.setRangeText(text, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // the live preview follows
  }

  var actions = {
    bold: function (textarea, editor) { wrap(textarea, "**", "**", editor.getAttribute("data-bold-text")); },
    code: function (textarea, editor) {
      var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
      if (selected.indexOf("\n") >= 0) {
        var atLineStart = textarea.selectionStart === 0 || textarea.value[textarea.selectionStart - 1] === "\n";
        wrap(textarea, (atLineStart ? "" : "\n") + "```\n", "\n```\n", "");
      } else {
        wrap(textarea, "`", "`", editor.getAttribute("data-code-text"));
      }
    },
    link: function (textarea, editor) {
      var start = textarea.selectionStart, end = textarea.selectionEnd;
      var label = textarea.value.slice(start, end) || editor.getAttribute("data-link-text");
      var url = "https://";
      replaceRange(textarea, start, end, "[" + label + "](" + url + ")");
      var urlStart = start + label.length + 3;
      textarea.setSelectionRange(urlStart, urlStart + url.length); // type the address over it
    },
    list: function (textarea, editor) {
      var value = textarea.value;
      var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
      var end = textarea.selectionEnd;
      var lines = (value.slice(start, end) || editor.getAttribute("data-list-text")).split("\n");
      var text = lines.map(function (line) { return /^\s*[-*+] /.test(line) ? line : "- " + line; }).join("\n");
      replaceRange(textarea, start, end, text);
      textarea.setSelectionRange(start, start + text.length);
    }
  };

  function altFor(file, editor) {
    var base = (file.name || "").replace(/\.[^.]*$/, "").replace(/[\[\]()\\]/g, " ").trim();
    return base || editor.getAttribute("data-image-alt") || "image";
  }

  function setUpUploads(editor, textarea) {
    var url = editor.getAttribute("data-upload-url");
    var error = editor.querySelector(".upload-error");
    var picker = editor.querySelector(".md-file");
    if (!url) return null;

    function showError(message) {
      if (!error) return;
      error.textContent = message || "";
      error.hidden = !message;
    }

    function upload(file) {
      var label = "![" + editor.getAttribute("data-uploading") + " " + altFor(file, editor);
      var placeholder = label + "]()";
      for (var n = 2; textarea.value.indexOf(placeholder) >= 0; n++) placeholder = label + " " + n + "]()";
      var start = textarea.selectionStart;
      var before = textarea.value.slice(0, start);
      replaceRange(textarea, start, textarea.selectionEnd, (before && !/\n$/.test(before) ? "\n" : "") + placeholder + "\n");
      showError("");
      var data = new FormData();
      data.append("image", file);
      function settle(text) {
        // The member may have typed on meanwhile: find the placeholder again and keep their cursor where it is.
        var at = textarea.value.indexOf(placeholder);
        if (at < 0) return;
        var end = at + placeholder.length;
        if (!text && textarea.value[end] === "\n") end += 1;
        textarea.setRangeText(text, at, end, "preserve");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok || !json.url) throw new Error(json.message || editor.getAttribute("data-upload-failed"));
          settle("![" + altFor(file, editor) + "](" + json.url + ")");
        });
      }).catch(function (failure) {
        settle("");
        showError(failure && failure.message && !(failure instanceof TypeError)
          ? failure.message : editor.getAttribute("data-upload-failed"));
      });
    }

    function uploadAll(files) {
      var images = Array.prototype.filter.call(files || [], function (f) { return /^image\//.test(f.type) || !f.type; });
      images.forEach(upload);
      return images.length > 0;
    }

    if (picker) {
      picker.addEventListener("change", function () {
        uploadAll(picker.files);
        picker.value = "";
      });
    }
    textarea.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length && uploadAll(files)) event.preventDefault();
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        editor.classList.add("dropping");
      }
    });
    textarea.addEventListener("dragleave", function () { editor.classList.remove("dropping"); });
    textarea.addEventListener("drop", function (event) {
      editor.classList.remove("dropping");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        event.preventDefault();
        uploadAll(files);
      }
    });
    return function () { if (picker) picker.click(); };
  }

  function setUp(editor) {
    var textarea = editor.querySelector("textarea");
    var toolbar = editor.querySelector(".md-toolbar");
    if (!textarea || !toolbar || typeof textarea.setRangeText !== "function") return;
    var pick = setUpUploads(editor, textarea);
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-md]");
      if (!button) return;
      var name = button.getAttribute("data-md");
      if (name === "image") { if (pick) pick(); return; }
      actions[name](textarea, editor);
    });
    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      var key = event.key.toLowerCase();
      if (key === "b" || key === "k") {
        event.preventDefault();
        actions[key === "b" ? "bold" : "link"](textarea, editor);
      }
    });
  }

  document.querySelectorAll(".editor").forEach(setUp);
})();
