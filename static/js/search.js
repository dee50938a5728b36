// Kotae: similar questions under the title while asking. The ask page works the same without it.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.getAttribute("data-similar-url");
  var title = document.getElementById("title");
  if (!url || !title) return;

  var field = title.closest(".field") || title.parentNode;
  var box = document.createElement("div");
  box.className = "similar-questions";
  box.hidden = true;
  box.setAttribute("aria-live", "polite");
  field.parentNode.insertBefore(box, field.nextSibling);

  var timer = null;
  var lastSent = null;

  function lookUp() {
    var text = title.value.trim();
    if (text === lastSent) return;
    lastSent = text;
    if (text.length < 3) { box.hidden = true; box.innerHTML = ""; return; }
    fetch(url + "?title=" + encodeURIComponent(text), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (json) {
      if (lastSent !== text) return; // a newer title is on its way
      box.innerHTML = json.html;     // rendered and escaped by the server
      box.hidden = !json.html;
    }).catch(function () { /* suggestions are a nicety; asking still works */ });
  }

  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 400);
  });
  if (title.value) lookUp();
})();
