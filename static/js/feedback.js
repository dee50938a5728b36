// "Did this solve your problem?": send the answer without a reload; the form still works without this script.
(function () {
  "use strict";

  function setUp(form) {
    var buttons = form.querySelectorAll("button.feedback-choice");
    var message = form.querySelector(".feedback-message");
    function press(outcome) {
      buttons.forEach(function (b) {
        var on = b.value === outcome;
        b.classList.toggle("on", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) return; // plain form post
      event.preventDefault();
      var pressed = form.querySelector("button.feedback-choice.on");
      var before = pressed ? pressed.value : null;
      var data = new FormData(form);
      data.set("outcome", button.value);
      var token = form.querySelector("input[name=csrf_token]");
      var headers = { "Accept": "application/json" };
      if (token) headers["X-CSRFToken"] = token.value;
      press(button.value);
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin", headers: headers })
        .then(function (response) {
          return response.json().catch(function () { return {}; })
            .then(function (json) { return { ok: response.ok, json: json }; });
        })
        .then(function (result) {
          if (!result.ok || !result.json.outcome) {
            // The server's own (translated) explanation when it gave one, else a generic message.
            press(before);
            message.textContent = result.json.message || form.getAttribute("data-error");
            return;
          }
          press(result.json.outcome);
          message.textContent = form.getAttribute(before ? "data-changed" : "data-thanks");
        })
        .catch(function () {  // network failure
          press(before);
          message.textContent = form.getAttribute("data-error");
        });
    });
  }

  document.querySelectorAll("form.feedback-form").forEach(setUp);
})();
