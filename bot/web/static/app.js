/*
 * Web chat page of "Trợ lý Dịch vụ công" (vanilla JS, no build step).
 * Talks to the same-origin relay POST /webhooks/rest/webhook (bot/web/server.py), which forwards to Rasa REST.
 * Bot and user text is always inserted as text nodes, never as HTML.
 * User-facing strings come from /config.json (bot/web/strings.vi.json); the few below are only a fallback.
 */
(function () {
  "use strict";

  var KEYS = { sender: "tdvc.sender", token: "tdvc.operatorToken", history: "tdvc.history" };
  var MAX_HISTORY = 300;
  var CLIENT_TIMEOUT_MS = 25000; // the server gives up on Rasa after ~15 s and answers 502 first
  var FALLBACK = {
    strings: {
      errors: { network: "Không kết nối được với máy chủ. Vui lòng bấm “Thử lại”.", rasa_error: "Hệ thống đang gặp sự cố. Vui lòng bấm “Thử lại”." },
      ui: { retry: "Thử lại", you: "Bạn", bot: "Trợ lý", quick_replies: "Gợi ý trả lời", trimmed: "Chỉ {max} ký tự đầu được gửi." },
      procedure_card: { title: "Thủ tục {code}", topic_prefix: "", topics: {} },
      choices_card: { title: "" },
      dossier_card: { title: "Hồ sơ {code}", status_prefix: "", overdue: "Trễ hạn", on_time: "", statuses: {} }
    },
    procedure_url: "/thu-tuc/{code}",
    max_message_chars: 5000
  };

  var config = FALLBACK;
  var S = FALLBACK.strings;
  var history = [];
  var queue = Promise.resolve();
  var inFlight = 0;
  var generation = 0; // bumps on "new conversation" so late answers of the old one are dropped
  var memoryStore = {};
  var dom = {};
  var welcomeTemplate = null;

  // ---- storage (sessionStorage can throw in locked-down browsers) ------------------------------
  function load(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return memoryStore[key] || null; }
  }
  function store(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(key); else window.sessionStorage.setItem(key, value);
    } catch (e) {
      if (value === null) delete memoryStore[key]; else memoryStore[key] = value;
    }
  }

  // crypto.randomUUID needs a secure context; the page may be served over plain http on a LAN address.
  function uuid4() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function senderId() {
    var id = load(KEYS.sender);
    if (!id || !/^web:[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = "web:" + uuid4();
      store(KEYS.sender, id);
    }
    return id;
  }

  function saveHistory() {
    var kept = history.slice(-MAX_HISTORY).map(function (entry) {
      if (entry.kind !== "user") return entry;
      return { kind: "user", id: entry.id, text: entry.text, payload: entry.payload,
               state: entry.state === "sent" ? "sent" : "failed", error: entry.error || "network" };
    });
    try { store(KEYS.history, JSON.stringify({ sender: senderId(), entries: kept })); } catch (e) { /* quota: skip */ }
  }

  function restoreHistory() {
    var raw = load(KEYS.history);
    if (!raw) return [];
    try {
      var data = JSON.parse(raw);
      if (data && data.sender === senderId() && Array.isArray(data.entries)) return data.entries;
    } catch (e) { /* ignore a damaged copy */ }
    return [];
  }

  // ---- small helpers ---------------------------------------------------------------------------
  function fmt(template, vars) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function safeLink(url, text) {
    var a = document.createElement("a");
    a.href = url;
    if (a.protocol !== "https:" && a.protocol !== "http:") return document.createTextNode(text);
    a.textContent = text;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function procedureUrl(code, payloadUrl) {
    if (typeof payloadUrl === "string" && /^https:\/\/dichvucong\.gov\.vn\//.test(payloadUrl)) return payloadUrl;
    return fmt(config.procedure_url, { code: encodeURIComponent(code) });
  }

  var URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/g;
  var BOLD_RE = /\*\*([^*\n]+)\*\*/g;

  // Appends text with clickable http(s) links; trailing punctuation stays outside the link.
  function appendLinkified(parent, text) {
    var last = 0;
    text.replace(URL_RE, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, "");
      if (url.indexOf("(") !== -1 && match.charAt(url.length) === ")") url += ")";
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      parent.appendChild(safeLink(url, url));
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Bot text: line breaks kept by CSS (pre-wrap), **bold** from domain responses, auto-links.
  function renderRichText(parent, text) {
    var last = 0;
    String(text).replace(BOLD_RE, function (match, inner, offset) {
      appendLinkified(parent, text.slice(last, offset));
      var strong = el("strong");
      appendLinkified(strong, inner);
      parent.appendChild(strong);
      last = offset + match.length;
      return match;
    });
    appendLinkified(parent, String(text).slice(last));
  }

  function scrollToEnd() {
    dom.chat.scrollTop = dom.chat.scrollHeight;
  }

  // ---- rendering -------------------------------------------------------------------------------
  function speakerLabel(text) {
    return el("span", "visually-hidden", text + ": ");
  }

  function renderUser(entry) {
    var li = el("li", "msg msg-user");
    li.dataset.entryId = entry.id;
    li.appendChild(speakerLabel(S.ui.you));
    li.appendChild(el("div", "bubble", entry.text));
    var status = el("div", "msg-status");
    li.appendChild(status);
    dom.messages.appendChild(li);
    updateUserState(entry);
    return li;
  }

  function updateUserState(entry) {
    var li = dom.messages.querySelector('li[data-entry-id="' + entry.id + '"]');
    if (!li) return;
    var status = li.querySelector(".msg-status");
    status.textContent = "";
    li.classList.toggle("msg-failed", entry.state === "failed");
    if (entry.state !== "failed") return;
    var box = el("div", "msg-error");
    box.setAttribute("role", "alert");
    box.appendChild(el("span", "msg-error-text", S.errors[entry.error] || S.errors.rasa_error));
    var retry = el("button", "btn btn-retry", S.ui.retry);
    retry.type = "button";
    retry.addEventListener("click", function () {
      entry.state = "pending";
      updateUserState(entry);
      dom.input.focus();
      enqueue(entry);
    });
    box.appendChild(retry);
    status.appendChild(box);
  }

  function renderButtons(buttons) {
    var group = el("div", "quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", S.ui.quick_replies);
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") return;
      var btn = el("button", "quick-reply", b.title);
      btn.type = "button";
      btn.dataset.payload = typeof b.payload === "string" && b.payload ? b.payload : b.title;
      group.appendChild(btn);
    });
    return group;
  }

  function card(kind, title) {
    var section = el("section", "card card-" + kind);
    section.setAttribute("aria-label", title);
    section.appendChild(el("h2", "card-title", title));
    return section;
  }

  function renderProcedureAnswer(c) {
    var t = S.procedure_card;
    var code = String(c.procedure_code || "");
    var section = card("procedure", fmt(t.title, { code: code }));
    var topic = t.topics[c.topic] || String(c.topic || "");
    if (topic) {
      var p = el("p", "card-line");
      p.appendChild(el("span", "visually-hidden", t.topic_prefix));
      p.appendChild(el("span", "chip", topic));
      section.appendChild(p);
    }
    if (code) {
      var link = el("p", "card-line");
      link.appendChild(safeLink(procedureUrl(code, c.url), S.ui.open_portal || code));
      section.appendChild(link);
    }
    return section;
  }

  function renderProcedureChoices(c) {
    var section = card("choices", S.choices_card.title);
    var list = el("ul", "card-list");
    (Array.isArray(c.procedure_codes) ? c.procedure_codes : []).forEach(function (code) {
      var li = el("li");
      li.appendChild(safeLink(procedureUrl(String(code)), String(code)));
      list.appendChild(li);
    });
    section.appendChild(list);
    return section;
  }

  function renderDossierStatus(c) {
    var t = S.dossier_card;
    var section = card("dossier", fmt(t.title, { code: String(c.code || "") }));
    var line = el("p", "card-line");
    line.appendChild(el("span", "card-label", t.status_prefix));
    line.appendChild(el("span", "status status-" + String(c.status || "").toLowerCase(),
      t.statuses[c.status] || String(c.status || "")));
    if (c.overdue === true) line.appendChild(el("span", "badge badge-overdue", t.overdue));
    section.appendChild(line);
    return section;
  }

  var CARD_RENDERERS = {
    procedure_answer: renderProcedureAnswer,
    procedure_choices: renderProcedureChoices,
    dossier_status: renderDossierStatus
  };

  function renderBot(message) {
    if (!message || typeof message !== "object") return null;
    var li = el("li", "msg msg-bot");
    li.appendChild(speakerLabel(S.ui.bot));
    var shown = false;
    if (typeof message.text === "string" && message.text) {
      var bubble = el("div", "bubble");
      renderRichText(bubble, message.text);
      li.appendChild(bubble);
      shown = true;
    }
    var custom = message.custom;
    if (custom && typeof custom === "object" && CARD_RENDERERS[custom.type]) {
      li.appendChild(CARD_RENDERERS[custom.type](custom));
      shown = true;
    }
    if (typeof message.image === "string") {
      var img = el("p", "bubble");
      img.appendChild(safeLink(message.image, S.ui.image || message.image));
      li.appendChild(img);
      shown = true;
    }
    if (message.attachment && typeof message.attachment === "string") {
      var att = el("p", "bubble");
      att.appendChild(safeLink(message.attachment, S.ui.attachment || message.attachment));
      li.appendChild(att);
      shown = true;
    }
    if (Array.isArray(message.buttons) && message.buttons.length) {
      li.appendChild(renderButtons(message.buttons));
      shown = true;
    }
    if (!shown) return null; // e.g. an unknown custom payload: nothing a person can read
    dom.messages.appendChild(li);
    return li;
  }

  function setTyping() {
    dom.typing.hidden = inFlight === 0;
    if (inFlight > 0) scrollToEnd();
  }

  function setNotice(text) {
    dom.notice.textContent = text || "";
  }

  // ---- sending ---------------------------------------------------------------------------------
  function requestBody(entry) {
    var body = { sender: senderId(), message: entry.payload };
    var token = load(KEYS.token);
    if (token) body.metadata = { operator_token: token };
    return body;
  }

  function deliver(entry) {
    var myGeneration = generation;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, CLIENT_TIMEOUT_MS) : null;
    inFlight += 1;
    setTyping();
    return fetch("/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(requestBody(entry)),
      signal: controller ? controller.signal : undefined,
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (!res.ok || !Array.isArray(data)) {
          throw { code: (data && typeof data.error === "string") ? data.error : "rasa_error" };
        }
        return data;
      });
    }).then(function (messages) {
      if (myGeneration !== generation) return;
      entry.state = "sent";
      updateUserState(entry);
      messages.forEach(function (m) {
        if (renderBot(m)) history.push({ kind: "bot", message: m });
      });
      saveHistory();
    }, function (err) {
      if (myGeneration !== generation) return;
      entry.state = "failed";
      entry.error = err && err.code ? err.code : "network";
      updateUserState(entry);
      saveHistory();
    }).then(function () {
      if (timer) clearTimeout(timer);
      inFlight -= 1;
      setTyping();
      scrollToEnd();
    });
  }

  function enqueue(entry) {
    queue = queue.then(function () { return deliver(entry); });
  }

  function send(payload, shownText) {
    var entry = { kind: "user", id: uuid4(), text: shownText, payload: payload, state: "pending" };
    history.push(entry);
    renderUser(entry);
    saveHistory();
    scrollToEnd();
    enqueue(entry);
  }

  function trimToLimit(text) {
    var max = config.max_message_chars;
    if (text.length <= max) return text;
    var cut = text.slice(0, max);
    var lastCode = cut.charCodeAt(cut.length - 1);
    if (lastCode >= 0xd800 && lastCode <= 0xdbff) cut = cut.slice(0, -1); // don't split a surrogate pair
    return cut;
  }

  function submitComposer() {
    var text = dom.input.value;
    if (!text.trim()) {
      dom.input.value = "";
      return;
    }
    var max = config.max_message_chars;
    var sent = trimToLimit(text);
    setNotice(sent.length < text.length ? fmt(S.ui.trimmed, { max: max.toLocaleString("vi-VN") }) : "");
    dom.input.value = "";
    autoGrow();
    send(sent, sent);
  }

  // Grow the box with its text up to 160px, then scroll inside it (box-sizing is border-box).
  function autoGrow() {
    var box = dom.input;
    box.style.height = "auto";
    var borders = box.offsetHeight - box.clientHeight;
    var wanted = box.scrollHeight + borders;
    box.style.height = Math.min(wanted, 160) + "px";
    box.style.overflowY = wanted > 160 ? "auto" : "hidden";
  }

  // ---- conversation lifecycle ------------------------------------------------------------------
  function resetList() {
    dom.messages.textContent = "";
    dom.messages.appendChild(welcomeTemplate.cloneNode(true));
  }

  function newConversation() {
    generation += 1;
    store(KEYS.sender, "web:" + uuid4());
    history = [];
    saveHistory();
    resetList();
    setNotice(S.ui.new_conversation_started || "");
    dom.input.value = "";
    dom.input.focus();
  }

  function replay(entries) {
    entries.forEach(function (entry) {
      if (entry.kind === "user" && typeof entry.text === "string" && typeof entry.payload === "string") {
        history.push(entry);
        renderUser(entry);
      } else if (entry.kind === "bot" && renderBot(entry.message)) {
        history.push(entry);
      }
    });
    scrollToEnd();
  }

  function takeTokenFromUrl() {
    var params = new URLSearchParams(window.location.search);
    if (!params.has("operator_token")) return;
    store(KEYS.token, params.get("operator_token") || null);
    params.delete("operator_token");
    // Keep the token out of the address bar, bookmarks and screenshots.
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  function wireSettings() {
    var panel = document.getElementById("settings");
    var toggle = document.getElementById("settings-toggle");
    var form = document.getElementById("settings-form");
    var input = document.getElementById("operator-token");
    var status = document.getElementById("settings-status");
    input.value = load(KEYS.token) || "";
    function show(open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      show(panel.hidden);
      if (!panel.hidden) input.focus();
    });
    panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") {
        show(false);
        toggle.focus();
      }
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var value = input.value.trim();
      store(KEYS.token, value || null);
      status.textContent = value ? S.ui.token_saved : S.ui.token_cleared;
    });
    document.getElementById("operator-token-clear").addEventListener("click", function () {
      input.value = "";
      store(KEYS.token, null);
      status.textContent = S.ui.token_cleared;
      input.focus();
    });
  }

  function wire() {
    dom.chat = document.getElementById("chat");
    dom.messages = document.getElementById("messages");
    dom.typing = document.getElementById("typing");
    dom.input = document.getElementById("chat-input");
    dom.notice = document.getElementById("composer-notice");
    welcomeTemplate = document.getElementById("welcome").cloneNode(true);

    document.getElementById("composer").addEventListener("submit", function (ev) {
      ev.preventDefault();
      submitComposer();
      dom.input.focus();
    });
    dom.input.addEventListener("keydown", function (ev) {
      // isComposing / 229: Vietnamese IMEs (Telex, VNI) use composition; Enter then confirms the word.
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        submitComposer();
      }
    });
    dom.input.addEventListener("input", autoGrow);
    dom.messages.addEventListener("click", function (ev) {
      var btn = ev.target.closest ? ev.target.closest("button.quick-reply") : null;
      if (!btn || !dom.messages.contains(btn)) return;
      send(btn.dataset.payload || btn.textContent, btn.textContent);
    });
    document.getElementById("new-conversation").addEventListener("click", newConversation);
    document.querySelector(".skip-link").addEventListener("click", function (ev) {
      ev.preventDefault();
      dom.input.focus();
    });
    wireSettings();
  }

  function start() {
    takeTokenFromUrl();
    wire();
    fetch("/config.json", { credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .catch(function () { return null; })
      .then(function (cfg) {
        if (cfg && cfg.strings) {
          config = cfg;
          S = cfg.strings;
        }
        if (cfg && cfg.privacy_notice) {
          document.getElementById("privacy-notice").textContent = cfg.privacy_notice; // same text as in the chat
        }
        replay(restoreHistory());
        document.documentElement.dataset.ready = "1"; // lets tests wait for start-up
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
