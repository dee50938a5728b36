// Kotae: tag autocomplete on the ask and edit forms (the ARIA combobox pattern). Existing tags by prefix with
// their question counts; when no tag starts with what is typed and the member may not create tags, why not.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.getAttribute("data-suggest-url");
  var input = document.getElementById("tags");
  if (!url || !input || !window.fetch) return;

  var field = input.closest(".field") || input.parentNode;
  field.classList.add("tag-field");
  var list = document.createElement("ul");
  list.id = "tags-listbox";
  list.className = "tag-suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", script.getAttribute("data-label") || "");
  list.hidden = true;
  var note = document.createElement("p");
  note.className = "hint tag-refusal";
  note.setAttribute("aria-live", "polite");
  note.hidden = true;
  input.insertAdjacentElement("afterend", list);
  list.insertAdjacentElement("afterend", note);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var SEPARATOR = /[\s,、，]/;
  var timer = null, lastSent = null, active = -1;

  // The tag being typed: from the separator before the cursor to the cursor.
  function current() {
    var end = input.selectionStart == null ? input.value.length : input.selectionStart;
    var start = end;
    while (start > 0 && !SEPARATOR.test(input.value[start - 1])) start--;
    return { start: start, end: end, text: input.value.slice(start, end) };
  }

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", all[active].id);
  }

  function pick(name) {
    var typed = current();
    var rest = input.value.slice(typed.end).replace(/^[^\s,、，]*/, ""); // the rest of the tag the cursor is in
    var head = input.value.slice(0, typed.start) + name + " ";
    input.value = head + rest.replace(/^\s+/, "");
    input.setSelectionRange(head.length, head.length);
    close();
    note.hidden = true;
    lastSent = null;
    input.focus();
  }

  function show(tags, refusal) {
    close();
    tags.forEach(function (tag, i) {
      var option = document.createElement("li");
      option.id = "tags-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.name = tag.name;
      var name = document.createElement("span");
      name.textContent = tag.name;
      var count = document.createElement("span");
      count.className = "tag-count";
      count.textContent = tag.label;
      option.appendChild(name);
      option.appendChild(count);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); pick(tag.name); });
      list.appendChild(option);
    });
    if (tags.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    note.textContent = !tags.length && refusal ? refusal : "";
    note.hidden = !note.textContent;
  }

  function lookUp() {
    var text = current().text.trim();
    if (text === lastSent) return;
    lastSent = text;
    if (!text) { close(); note.hidden = true; return; }
    fetch(url + "?q=" + encodeURIComponent(text), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (json) { if (lastSent === text) show(json.tags || [], json.refusal); })
      .catch(function () { /* suggestions are a nicety; the field still takes any tag */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 200);
  });
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) { lastSent = null; lookUp(); return; }
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault(); // pick the tag, do not send the form
      pick(options()[active].dataset.name);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
