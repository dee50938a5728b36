/* Kotae help widget: a search box for a product's help page, drawn in its own shadow DOM.
 *
 * Paste where it should appear:
 *   <div id="kotae-help"></div>
 *   <script src="https://community.example.com/static/widget/kotae-widget.js" data-target="kotae-help"
 *           data-lang="ja" defer></script>
 *
 * It talks only to the community it was loaded from (the script's own origin), through the public JSON API, and
 * only works on sites an administrator allowed (the API's CORS answer). No cookies, no third-party code.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = new URL(script.src).origin;
  var lang = (script.dataset.lang || document.documentElement.lang || "en").slice(0, 2) === "ja" ? "ja" : "en";
  var TEXT = {
    en: {
      label: "How can we help?", placeholder: "Describe your problem in a sentence",
      searching: "Searching…", list: "Answers", none: "No answers yet for this.", results: "%n answers found",
      faq: "Official FAQ", accepted: "Accepted answer", official: "Official answer", back: "Back to results",
      solved: "Did this solve your problem?", resolved: "Yes, solved", helpful: "Helpful, not solved",
      notHelpful: "No", thanks: "Thank you for telling us.", ask: "Ask the community", contact: "Contact support",
      open: "Read the whole thread", error: "The help search is not available right now.",
      from: "Answers from %s"
    },
    ja: {
      label: "どのようなことでお困りですか?", placeholder: "困っていることを文章で入力してください",
      searching: "検索しています…", list: "回答", none: "まだ回答が見つかりません。", results: "%n 件の回答が見つかりました",
      faq: "公式FAQ", accepted: "承認された回答", official: "公式回答", back: "検索結果に戻る",
      solved: "問題は解決しましたか?", resolved: "はい、解決しました", helpful: "参考になったが未解決",
      notHelpful: "いいえ", thanks: "ご回答ありがとうございます。", ask: "コミュニティに質問する",
      contact: "サポートに問い合わせる", open: "スレッド全体を読む", error: "現在ヘルプ検索を利用できません。",
      from: "%s の回答"
    }
  }[lang];
  var STYLE = [
    // !important: the host element is styled by the page too, and a page's important rules would win over ours
    ":host{all:initial !important;display:block !important;color:#1f2933 !important;" +
      "font:15px/1.5 system-ui,-apple-system,'Hiragino Sans','Noto Sans JP',sans-serif !important}",
    ".box{border:1px solid #cbd2d9;border-radius:8px;padding:12px;background:#fff;max-width:640px}",
    "label{display:block;font-weight:600;margin-bottom:6px}",
    "input{box-sizing:border-box;width:100%;padding:8px 10px;font:inherit;border:1px solid #9aa5b1;border-radius:6px}",
    // --accent: the community's accent colour (from /api/v1/widget), checked for contrast when an admin set it
    "input:focus,button:focus,a:focus{outline:3px solid var(--accent,#3e7bfa);outline-offset:2px}",
    "ul{list-style:none;margin:8px 0 0;padding:0}",
    "li button{all:unset;box-sizing:border-box;display:block;width:100%;cursor:pointer;padding:8px;border-radius:6px}",
    "li button:hover{background:#f0f4f8}",
    ".title{font-weight:600;color:var(--accent,#1c4ed8)}.snippet{display:block;font-size:13px;color:#52606d}",
    ".tag{display:inline-block;font-size:12px;padding:0 6px;border-radius:4px;background:#e3f8ff;color:#035388;margin-right:6px}",
    ".answer{margin-top:8px;padding:8px;border-left:3px solid var(--accent,#3e7bfa);background:#f8fafc;overflow-wrap:anywhere}",
    ".answer pre{white-space:pre-wrap}",
    ".actions{margin-top:10px;display:flex;flex-wrap:wrap;gap:6px}",
    ".actions button,.actions a{font:inherit;font-size:14px;padding:5px 10px;border:1px solid #9aa5b1;border-radius:6px;background:#fff;color:#1f2933;text-decoration:none;cursor:pointer}",
    ".status{font-size:13px;color:#52606d;margin-top:6px}",
    ".from{font-size:12px;color:#52606d;margin:8px 0 0}",
    ".link{color:var(--accent,#1c4ed8)}"
  ].join("");

  function visitorId() {
    var key = "kotae-visitor";
    var id = null;
    try { id = window.localStorage.getItem(key); } catch (e) { /* storage off: a fresh id per page */ }
    if (!id || !/^[A-Za-z0-9_-]{20,48}$/.test(id)) {
      var bytes = new Uint8Array(18);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { window.localStorage.setItem(key, id); } catch (e) { /* ignore */ }
    }
    return id;
  }

  function api(path, options) {
    options = options || {};
    // The visitor id lets the community count searches that end in "resolved" (deflection); it is random.
    options.headers = Object.assign({"Accept": "application/json", "Accept-Language": lang,
                                     "X-Kotae-Visitor": visitorId()}, options.headers || {});
    options.credentials = "omit";
    return fetch(base + "/api/v1" + path, options).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs.text; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function mount(host) {
    var root = host.attachShadow({mode: "open"});
    root.appendChild(el("style", {text: STYLE}));
    var id = "kotae-q-" + Math.random().toString(36).slice(2);
    var input = el("input", {type: "search", id: id, placeholder: TEXT.placeholder, autocomplete: "off",
                             "aria-describedby": id + "-status"});
    var status = el("p", {"class": "status", id: id + "-status", role: "status", "aria-live": "polite"});
    var list = el("ul", {"aria-label": TEXT.list});
    var detail = el("div", {hidden: ""});
    var extra = el("div", {"class": "actions"});
    var credit = el("p", {"class": "from", hidden: ""});
    var box = el("div", {"class": "box", lang: lang}, [
      el("label", {"for": id, text: TEXT.label}), input, status, list, detail, extra, credit]);
    root.appendChild(box);
    var widget = {support_open: false, contact_url: null};
    api("/widget").then(function (data) {
      widget = data;
      if (/^#[0-9a-f]{6}$/.test(data.accent || "")) { box.style.setProperty("--accent", data.accent); }
      if (data.site_name) { credit.textContent = TEXT.from.replace("%s", data.site_name); credit.hidden = false; }
      renderExtra();
    }).catch(function () { /* defaults */ });
    var timer = null, lastQuery = "", lastItems = [];

    function renderExtra() {
      extra.textContent = "";
      var query = input.value.trim();
      if (query.length < 2) { return; }
      // The ask page of the community this script came from (the origin the customer's browser can reach).
      var ask = el("a", {href: base + "/questions/ask?title=" + encodeURIComponent(query.slice(0, 150)),
                         target: "_blank", rel: "noopener", text: TEXT.ask});
      extra.appendChild(ask);
      if (widget.support_open && widget.contact_url) {
        extra.appendChild(el("a", {href: widget.contact_url, target: "_blank", rel: "noopener", text: TEXT.contact}));
      }
    }

    function search() {
      var query = input.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      list.textContent = "";
      renderExtra();
      if (query.length < 2) { status.textContent = ""; return; }
      status.textContent = TEXT.searching;
      api("/search?per_page=5&q=" + encodeURIComponent(query)).then(function (data) {
        if (query !== lastQuery) { return; }
        var items = data.faq.map(function (entry) { return {kind: "faq", id: entry.id, title: entry.title, snippet: entry.snippet}; });
        data.items.forEach(function (thread) {
          if (thread.answer_count > 0) {
            items.push({kind: "thread", id: thread.id, title: thread.title, snippet: thread.snippet,
                        accepted: thread.accepted, official: thread.official});
          }
        });
        lastItems = items;
        showList(items);
      }).catch(function () { status.textContent = TEXT.error; });
    }

    function showList(items) {
      detail.hidden = true;
      list.hidden = false;
      list.textContent = "";
      status.textContent = items.length ? TEXT.results.replace("%n", items.length) : TEXT.none;
      items.forEach(function (item) {
        var label = item.kind === "faq" ? TEXT.faq : item.official ? TEXT.official : item.accepted ? TEXT.accepted : "";
        var button = el("button", {type: "button", "data-kind": item.kind, "data-id": String(item.id)}, [
          label ? el("span", {"class": "tag", text: label}) : null,
          el("span", {"class": "title", text: item.title}),
          el("span", {"class": "snippet", text: item.snippet || ""})]);
        button.addEventListener("click", function () { open(item); });
        list.appendChild(el("li", {}, [button]));
      });
    }

    function open(item) {
      var path = item.kind === "faq" ? "/faq/" + item.id : "/questions/" + item.id;
      api(path).then(function (data) {
        var title, html, url, target;
        if (item.kind === "faq") {
          title = data.title; html = data.answer_html; url = data.url; target = {type: "faq", id: data.id};
        } else {
          var answers = data.answers;
          var best = answers.filter(function (a) { return a.official; })[0] ||
                     answers.filter(function (a) { return a.accepted; })[0] || answers[0];
          title = data.question.title; html = best ? best.body_html : data.question.body_html;
          url = best ? best.url : data.question.url; target = {type: "thread", id: data.question.id};
        }
        showDetail(title, html, url, target);
      }).catch(function () { status.textContent = TEXT.error; });
    }

    function showDetail(title, html, url, target) {
      list.hidden = true;
      detail.hidden = false;
      detail.textContent = "";
      var back = el("button", {type: "button", "class": "link", text: TEXT.back});
      back.addEventListener("click", function () { showList(lastItems); input.focus(); });
      var heading = el("h3", {text: title, tabindex: "-1"});
      var answer = el("div", {"class": "answer"});
      answer.innerHTML = html;  // sanitised by the community's allow-list when it was posted
      var question = el("p", {text: TEXT.solved});
      var choices = el("div", {"class": "actions", role: "group", "aria-label": TEXT.solved});
      [["resolved", TEXT.resolved], ["helpful", TEXT.helpful], ["not_helpful", TEXT.notHelpful]].forEach(function (pair) {
        var button = el("button", {type: "button", "data-outcome": pair[0], text: pair[1]});
        button.addEventListener("click", function () {
          api("/feedback", {method: "POST", headers: {"Content-Type": "application/json"},
                            body: JSON.stringify({target_type: target.type, target_id: target.id, outcome: pair[0]})})
            .then(function () { status.textContent = TEXT.thanks; })
            .catch(function () { status.textContent = TEXT.error; });
        });
        choices.appendChild(button);
      });
      detail.appendChild(back);
      detail.appendChild(heading);
      detail.appendChild(answer);
      detail.appendChild(el("p", {}, [el("a", {href: url, target: "_blank", rel: "noopener", "class": "link", text: TEXT.open})]));
      detail.appendChild(question);
      detail.appendChild(choices);
      heading.focus();
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 300);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { window.clearTimeout(timer); lastQuery = null; search(); }
      if (event.key === "ArrowDown" && !list.hidden && list.querySelector("button")) {
        event.preventDefault(); list.querySelector("button").focus();
      }
    });
    list.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var index = buttons.indexOf(root.activeElement);
      if (event.key === "ArrowDown" && index < buttons.length - 1) { event.preventDefault(); buttons[index + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (index > 0 ? buttons[index - 1] : input).focus(); }
    });
  }

  function start() {
    var host = script.dataset.target ? document.getElementById(script.dataset.target) : null;
    if (!host) {
      host = document.createElement("div");
      script.parentNode.insertBefore(host, script);
    }
    mount(host);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
