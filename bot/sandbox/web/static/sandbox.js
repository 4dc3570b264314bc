/* Umbrella sandbox page: member phones and the staff room, kept live by Server-Sent Events.
 *
 * The server decides what each person sees (/api/phones/<key>, /api/staff-room) and renders message
 * formatting into safe HTML; everything else goes into the page as text (textContent), never as HTML.
 * Actions are POSTs with the X-Sandbox header; no request leaves 127.0.0.1.
 */
"use strict";

const $ = (root, selector) => root.querySelector(selector);
const panesEl = document.getElementById("panes");
const tabsEl = document.getElementById("tabs");
const narrow = window.matchMedia("(max-width: 760px)");

const app = {
  panes: new Map(), // pane key ("phone:p1", "staff") -> controller
  order: [],
  active: null,
  staff: [],
  bot: { name: "Bot" },
};

/* talking to the server ---------------------------------------------------------------------------- */

async function api(path, body, { form } = {}) {
  const options = body === undefined && !form
    ? { headers: {} }
    : { method: "POST", headers: { "X-Sandbox": "1" } };
  if (form) {
    options.body = form;
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const message = (data && data.error) || `${response.status} ${response.statusText}`;
    throw new Error(message);
  }
  return data;
}

function toast(text, pane) {
  if (pane) {
    const old = $(pane.device, ".pane-toast");
    if (old) old.remove();
    const box = document.createElement("div");
    box.className = "pane-toast";
    box.setAttribute("role", "status");
    box.dataset.testid = "toast";
    box.textContent = text;
    pane.device.appendChild(box);
    setTimeout(() => box.remove(), 2500);
    return;
  }
  const el = document.getElementById("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

function alertBox(text, pane) {
  const backdrop = document.createElement("div");
  backdrop.className = "alert-backdrop";
  const box = document.createElement("div");
  box.className = "alert-box";
  box.setAttribute("role", "alertdialog");
  box.dataset.testid = "alert";
  const message = document.createElement("div");
  message.textContent = text;
  const actions = document.createElement("div");
  actions.className = "alert-actions";
  const ok = document.createElement("button");
  ok.type = "button";
  ok.textContent = "OK";
  ok.addEventListener("click", () => backdrop.remove());
  actions.appendChild(ok);
  box.append(message, actions);
  backdrop.appendChild(box);
  pane.device.appendChild(backdrop);
  ok.focus();
}

function showAnswer(result, pane) {
  if (!result) return;
  if (result.url) {
    toast(`Link: ${result.url}\n(the sandbox does not open links)`, pane);
  } else if (result.copy !== undefined) {
    if (navigator.clipboard) navigator.clipboard.writeText(result.copy).catch(() => {});
    toast("Copied to clipboard", pane);
  }
  const answer = result.answer;
  if (!answer) return;
  if (answer.url) toast(`The bot asked to open: ${answer.url}`, pane);
  if (answer.text) {
    if (answer.alert) alertBox(answer.text, pane);
    else toast(answer.text, pane);
  }
}

/* messages ------------------------------------------------------------------------------------------ */

function timeOf(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function mediaNode(media) {
  if (!media) return null;
  if (media.type === "photo") {
    if (media.src) {
      const img = document.createElement("img");
      img.className = "photo";
      img.alt = "Photo";
      img.src = media.src;
      return img;
    }
    return card("🖼", "Photo", "");
  }
  if (media.type === "venue") {
    const wrap = document.createElement("div");
    const map = document.createElement("div");
    map.className = "map";
    map.textContent = "📍";
    wrap.append(map, card("📍", media.title || "", media.address || ""));
    return wrap;
  }
  if (media.type === "location") {
    const wrap = document.createElement("div");
    const map = document.createElement("div");
    map.className = "map";
    map.textContent = "📍";
    wrap.append(map, card("📍", "Location", `${media.latitude}, ${media.longitude}`));
    return wrap;
  }
  if (media.type === "contact") return card("👤", media.name || "", media.phone || "");
  if (media.type === "document") return card("📄", media.name || "File", "");
  if (media.type === "voice") return card("🎤", "Voice message", duration(media.duration));
  if (media.type === "video") return card("🎬", "Video", duration(media.duration));
  if (media.type === "sticker") {
    const sticker = document.createElement("div");
    sticker.className = "sticker";
    sticker.textContent = media.emoji || "🙂";
    return sticker;
  }
  return null;
}

function duration(seconds) {
  const s = Number(seconds) || 0;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function card(icon, title, sub) {
  const el = document.createElement("div");
  el.className = "media-card";
  const iconEl = document.createElement("div");
  iconEl.className = "media-icon";
  iconEl.textContent = icon;
  const text = document.createElement("div");
  const titleEl = document.createElement("div");
  titleEl.className = "media-title";
  titleEl.textContent = title;
  const subEl = document.createElement("div");
  subEl.className = "media-sub";
  subEl.textContent = sub;
  text.append(titleEl, subEl);
  el.append(iconEl, text);
  return el;
}

/** One message (bubble + inline keyboard) as a DOM node. */
function messageNode(message, pane) {
  const row = document.createElement("div");
  row.className = "msg-row";
  row.dataset.id = message.id;
  row.dataset.testid = "message";
  if (message.service) {
    row.classList.add("service");
    const service = document.createElement("div");
    service.className = "service-text";
    service.textContent = message.service;
    row.appendChild(service);
    return row;
  }
  row.classList.add(message.out ? "out" : "in");
  if (message.from_bot) row.classList.add("from-bot");
  if (message.media && message.media.type === "sticker" && !message.html) row.classList.add("sticker-row");

  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.sender && !message.out) {
    const sender = document.createElement("div");
    sender.className = "sender" + (message.from_bot ? " bot" : "");
    sender.textContent = message.sender;
    bubble.appendChild(sender);
  }
  if (message.forwarded_from) {
    const forwarded = document.createElement("div");
    forwarded.className = "forwarded";
    forwarded.textContent = `Forwarded from ${message.forwarded_from}`;
    bubble.appendChild(forwarded);
  }
  if (message.reply) {
    const quote = document.createElement("div");
    quote.className = "reply-quote" + (message.reply.deleted ? " deleted" : "");
    quote.dataset.target = message.reply.id;
    if (message.reply.sender) {
      const who = document.createElement("b");
      who.textContent = message.reply.sender;
      quote.appendChild(who);
    }
    const what = document.createElement("span");
    what.textContent = message.reply.text;
    quote.appendChild(what);
    bubble.appendChild(quote);
  }
  const media = mediaNode(message.media);
  if (media) bubble.appendChild(media);
  const text = document.createElement("div");
  text.className = "text";
  text.innerHTML = message.html; // rendered and escaped by the server (bot/sandbox/web/render.py)
  const meta = document.createElement("span");
  meta.className = "meta";
  if (message.edited) {
    const edited = document.createElement("span");
    edited.className = "edited";
    edited.textContent = "edited";
    meta.appendChild(edited);
  }
  meta.appendChild(document.createTextNode(timeOf(message.date)));
  text.appendChild(meta);
  bubble.appendChild(text);
  row.appendChild(bubble);

  const actions = document.createElement("div");
  actions.className = "msg-actions";
  const reply = document.createElement("button");
  reply.type = "button";
  reply.title = "Reply";
  reply.textContent = "↩";
  reply.addEventListener("click", () => pane.setContext("reply", message));
  actions.appendChild(reply);
  if (message.out && message.kind === "text") {
    const edit = document.createElement("button");
    edit.type = "button";
    edit.title = "Edit";
    edit.textContent = "✎";
    edit.addEventListener("click", () => pane.setContext("edit", message));
    actions.appendChild(edit);
  }
  row.appendChild(actions);

  if (message.buttons && message.buttons.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "inline-keyboard";
    message.buttons.forEach((cells, r) => {
      const line = document.createElement("div");
      line.className = "inline-row";
      cells.forEach((cell, c) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "inline-button " + cell.kind;
        button.textContent = cell.text;
        button.title = cell.kind === "url" ? cell.url : cell.text;
        button.dataset.testid = "inline-button";
        button.addEventListener("click", () => pane.pressInline(message.id, r, c, button));
        line.appendChild(button);
      });
      keyboard.appendChild(line);
    });
    row.appendChild(keyboard);
  }
  return row;
}

/** Messages in a list, updated in place so new ones slide in, edits flash and deletions fade out. */
class MessageList {
  constructor(element, pane) {
    this.el = element;
    this.pane = pane;
    this.nodes = new Map(); // id -> { node, signature }
    this.first = true;
    element.addEventListener("click", (event) => this.onClick(event));
  }

  render(messages, emptyText) {
    const nearBottom = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 80;
    const seen = new Set();
    let previous = null;
    let added = false;
    const empty = $(this.el, ".empty-chat");
    if (messages.length && empty) empty.remove();
    for (const message of messages) {
      seen.add(message.id);
      const signature = JSON.stringify(message);
      const known = this.nodes.get(message.id);
      let node = known ? known.node : null;
      if (!known || known.signature !== signature) {
        const fresh = messageNode(message, this.pane);
        if (known) {
          fresh.classList.add("flash");
          node.replaceWith(fresh);
        } else if (!this.first) {
          fresh.classList.add("appear");
          added = true;
        }
        node = fresh;
        this.nodes.set(message.id, { node, signature });
      }
      const want = previous ? previous.nextSibling : this.el.firstChild;
      if (want !== node) this.el.insertBefore(node, want);
      previous = node;
    }
    for (const [id, entry] of this.nodes) {
      if (seen.has(id)) continue;
      this.nodes.delete(id);
      entry.node.classList.add("gone");
      entry.node.dataset.testid = "deleted-message";
      setTimeout(() => entry.node.remove(), 450);
    }
    if (!messages.length && !$(this.el, ".empty-chat") && emptyText) {
      const note = document.createElement("div");
      note.className = "empty-chat";
      note.textContent = emptyText;
      this.el.appendChild(note);
    }
    if (this.first || nearBottom || added) {
      this.el.scrollTop = this.el.scrollHeight;
      // pictures arrive after the text: keep the newest message in view once they have a size
      for (const img of this.el.querySelectorAll("img.photo:not([data-sized])")) {
        img.dataset.sized = "1";
        img.addEventListener("load", () => { this.el.scrollTop = this.el.scrollHeight; }, { once: true });
      }
    }
    this.first = false;
  }

  clear() {
    this.nodes.clear();
    this.el.replaceChildren();
    this.first = true;
  }

  onClick(event) {
    const spoiler = event.target.closest(".tg-spoiler");
    if (spoiler && !spoiler.classList.contains("revealed")) {
      spoiler.classList.add("revealed");
      event.preventDefault();
      return;
    }
    const command = event.target.closest(".tg-command");
    if (command) {
      event.preventDefault();
      this.pane.send(command.dataset.command);
      return;
    }
    const link = event.target.closest("a.tg-link");
    if (link) {
      event.preventDefault();
      toast(`Link: ${link.dataset.url}\n(the sandbox does not open links)`, this.pane);
      return;
    }
    const quote = event.target.closest(".tg-expandable");
    if (quote) {
      quote.classList.toggle("expanded");
      return;
    }
    const replyQuote = event.target.closest(".reply-quote");
    if (replyQuote) {
      const target = this.nodes.get(Number(replyQuote.dataset.target));
      if (target) {
        target.node.scrollIntoView({ block: "center", behavior: "smooth" });
        target.node.classList.add("highlight");
        setTimeout(() => target.node.classList.remove("highlight"), 1200);
      }
      return;
    }
    const bubble = event.target.closest(".bubble");
    if (bubble && narrow.matches) bubble.closest(".msg-row").classList.toggle("show-actions");
  }
}

/* panes --------------------------------------------------------------------------------------------- */

/** What phones and the staff room share: fetching, composer, reply/edit context, photo sending. */
class Pane {
  constructor(key, templateId) {
    this.key = key;
    this.section = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
    this.section.dataset.pane = key;
    this.section.id = `pane-${key.replace(":", "-")}`;
    this.device = $(this.section, ".device");
    this.list = new MessageList($(this.section, ".messages"), this);
    this.input = $(this.section, ".composer-input");
    this.context = null;
    this.loading = false;
    this.dirty = false;
    this.view = null;
    this.busyCount = 0;

    $(this.section, ".composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    $(this.section, ".context-cancel").addEventListener("click", () => this.setContext(null));
    const attachMenu = $(this.section, ".attach-menu");
    $(this.section, ".attach-button").addEventListener("click", () => this.toggle(attachMenu));
    $(this.section, ".send-sample-photo").addEventListener("click", () => {
      attachMenu.hidden = true;
      this.sendPhoto(null);
    });
    $(this.section, ".file-input").addEventListener("change", (event) => {
      attachMenu.hidden = true;
      const file = event.target.files[0];
      event.target.value = "";
      if (file) this.sendPhoto(file);
    });
  }

  toggle(popup) {
    const open = popup.hidden;
    this.section.querySelectorAll(".popup").forEach((p) => { p.hidden = true; });
    popup.hidden = !open;
  }

  async refresh() {
    if (this.loading) {
      this.dirty = true;
      return;
    }
    this.loading = true;
    try {
      do {
        this.dirty = false;
        const url = this.viewUrl();
        const view = await api(url);
        if (this.dirty || url !== this.viewUrl()) {
          this.dirty = true; // asked again meanwhile (another topic, another staff person): fetch anew
          continue;
        }
        this.view = view;
        this.render(view);
      } while (this.dirty);
    } catch (error) {
      if (!String(error.message).includes("no such")) toast(`Could not refresh: ${error.message}`);
    } finally {
      this.loading = false;
    }
  }

  async act(path, body, options) {
    this.busyCount += 1;
    this.section.classList.add("busy");
    try {
      return await api(path, body, options);
    } catch (error) {
      toast(error.message, this);
      return null;
    } finally {
      this.busyCount -= 1;
      if (!this.busyCount) this.section.classList.remove("busy");
    }
  }

  setContext(kind, message) {
    const bar = $(this.section, ".context-bar");
    if (!kind) {
      if (this.context && this.context.kind === "edit") this.input.value = "";
      this.context = null;
      bar.hidden = true;
      return;
    }
    this.context = { kind, id: message.id };
    const snippet = message.html ? htmlToText(message.html) : (message.media ? message.media.type : "");
    $(bar, ".context-title").textContent = kind === "edit" ? "Edit message" : `Reply to ${message.sender || (message.out ? "yourself" : app.bot.name)}`;
    $(bar, ".context-snippet").textContent = snippet;
    bar.hidden = false;
    if (kind === "edit") this.input.value = htmlToText(message.html);
    this.input.focus();
  }

  async submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    const context = this.context;
    this.input.value = "";
    this.setContext(null);
    if (context && context.kind === "edit") {
      await this.edit(context.id, text);
    } else {
      await this.send(text, context ? context.id : null);
    }
  }

  activate() {
    setActive(this.key);
  }
}

function htmlToText(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const meta = template.content.querySelector(".meta");
  if (meta) meta.remove();
  return template.content.textContent || "";
}

class PhonePane extends Pane {
  constructor(key, info) {
    super(`phone:${key}`, "phone-template");
    this.phoneKey = key;
    this.info = info;
    this.keyboardHidden = false;
    this.section.dataset.testid = "phone";
    this.section.dataset.phone = key;
    $(this.section, ".start-button").addEventListener("click", () => this.start());
    const commandsMenu = $(this.section, ".commands-menu");
    $(this.section, ".commands-button").addEventListener("click", () => this.toggle(commandsMenu));
    const chatMenu = $(this.section, ".chat-menu");
    $(this.section, ".chat-menu-button").addEventListener("click", () => this.toggle(chatMenu));
    $(this.section, ".block-bot").addEventListener("click", () => {
      chatMenu.hidden = true;
      this.act(`/api/phones/${key}/block`, { blocked: !(this.view && this.view.blocked) });
    });
    $(this.section, ".keyboard-toggle").addEventListener("click", () => {
      this.keyboardHidden = !this.keyboardHidden;
      if (this.view) this.renderKeyboard(this.view);
    });
    this.updateOwner(info);
  }

  get label() {
    const icon = this.info.role === "staff" ? "🧑‍💼" : "📱";
    return `${icon} ${this.info.name} · ${this.info.language}`;
  }

  updateOwner(info) {
    this.info = info;
    $(this.section, ".owner").textContent = `${info.name} · ${info.language}`;
  }

  viewUrl() {
    return `/api/phones/${this.phoneKey}`;
  }

  render(view) {
    $(this.section, ".chat-name").textContent = view.bot.name;
    const status = $(this.section, ".chat-status");
    status.textContent = view.typing ? "typing…" : "bot";
    status.classList.toggle("typing", view.typing);
    if (view.typing) {
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => this.refresh(), 5500);
    }
    this.list.render(view.messages, view.started ? "No messages here yet." : `${view.bot.name}\n\nPress START to talk to the bot.`);
    const start = $(this.section, ".start-button");
    const composer = $(this.section, ".composer");
    const waiting = !view.started || view.blocked;
    start.hidden = !waiting;
    start.textContent = view.blocked ? "RESTART" : "START";
    composer.hidden = waiting;
    $(this.section, ".block-bot").textContent = view.blocked ? "✅ Unblock bot" : "🚫 Block bot";
    this.input.placeholder = view.placeholder || "Message";
    const commands = $(this.section, ".commands-menu");
    commands.replaceChildren();
    for (const command of view.commands) {
      const button = document.createElement("button");
      button.type = "button";
      const name = document.createElement("b");
      name.textContent = `/${command.command}`;
      button.append(name, document.createTextNode(command.description));
      button.addEventListener("click", () => {
        commands.hidden = true;
        this.send(`/${command.command}`);
      });
      commands.appendChild(button);
    }
    $(this.section, ".commands-button").hidden = !view.commands.length;
    this.renderKeyboard(view);
  }

  renderKeyboard(view) {
    const keyboard = $(this.section, ".reply-keyboard");
    const toggle = $(this.section, ".keyboard-toggle");
    const rows = view.reply_keyboard ? view.reply_keyboard.rows : [];
    toggle.hidden = !rows.length || !view.started || view.blocked;
    keyboard.hidden = !rows.length || this.keyboardHidden || !view.started || view.blocked;
    keyboard.replaceChildren();
    rows.forEach((cells, r) => {
      const line = document.createElement("div");
      line.className = "kb-row";
      cells.forEach((cell, c) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = cell.text;
        button.dataset.testid = "keyboard-button";
        button.addEventListener("click", () => this.pressKeyboard(r, c, cell));
        line.appendChild(button);
      });
      keyboard.appendChild(line);
    });
  }

  async start() {
    await this.act(`/api/phones/${this.phoneKey}/start`, {});
  }

  async send(text, replyTo = null) {
    await this.act(`/api/phones/${this.phoneKey}/send`, { text, reply_to: replyTo });
  }

  async edit(messageId, text) {
    await this.act(`/api/phones/${this.phoneKey}/edit`, { message_id: messageId, text });
  }

  async pressInline(messageId, row, col, button) {
    button.classList.add("pressed");
    const result = await this.act(`/api/phones/${this.phoneKey}/press`, { message_id: messageId, row, col });
    button.classList.remove("pressed");
    showAnswer(result, this);
  }

  async pressKeyboard(row, col, cell) {
    if (cell.request === "contact" && !window.confirm("Share your phone number with the bot?")) return;
    if (cell.request === "location" && !window.confirm("Share your location with the bot?")) return;
    await this.act(`/api/phones/${this.phoneKey}/keyboard`, { row, col });
  }

  async sendPhoto(file) {
    const caption = this.input.value.trim();
    this.input.value = "";
    if (file) {
      const form = new FormData();
      form.append("photo", file);
      form.append("caption", caption);
      await this.act(`/api/phones/${this.phoneKey}/photo`, undefined, { form });
    } else {
      await this.act(`/api/phones/${this.phoneKey}/photo`, { text: caption });
    }
  }
}

class StaffPane extends Pane {
  constructor() {
    super("staff", "staff-template");
    this.topic = "general";
    this.as = null;
    this.lastSeen = new Map();
    this.section.dataset.testid = "staff-room";
    const select = $(this.section, ".staff-select");
    select.addEventListener("change", () => {
      this.as = select.value;
      this.refresh();
    });
    $(this.section, ".staff-phone").addEventListener("click", async () => {
      if (!this.as) return;
      const result = await this.act(`/api/staff/${this.as}/phone`, {});
      if (result) await syncState(`phone:${result.key}`);
    });
    const form = $(this.section, ".add-staff-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = $(form, ".add-staff-name").value.trim();
      if (!name) return;
      const result = await this.act("/api/staff", {
        name,
        admin: $(form, ".add-staff-admin").checked,
        language: $(form, ".add-staff-language").value,
      });
      if (result) {
        $(form, ".add-staff-name").value = "";
        $(this.section, ".add-staff").open = false;
        this.as = result.key;
        await syncState();
      }
    });
  }

  get label() {
    return "👥 Staff room";
  }

  viewUrl() {
    const params = new URLSearchParams({ topic: this.topic });
    if (this.as) params.set("as", this.as);
    return `/api/staff-room?${params}`;
  }

  setStaff(staff) {
    const select = $(this.section, ".staff-select");
    if (!staff.some((person) => person.key === this.as)) this.as = staff.length ? staff[0].key : null;
    select.replaceChildren();
    for (const person of staff) {
      const option = document.createElement("option");
      option.value = person.key;
      option.textContent = person.status === "member" ? person.name : `${person.name} (${person.status === "creator" ? "owner" : "admin"})`;
      select.appendChild(option);
    }
    if (this.as) select.value = this.as;
  }

  render(view) {
    $(this.section, ".room-title").textContent = view.title;
    this.setStaff(view.staff);
    const list = $(this.section, ".topic-list");
    list.replaceChildren();
    for (const topic of view.topics) {
      const item = document.createElement("li");
      item.dataset.testid = "topic";
      const id = String(topic.id);
      if (id === String(view.topic.id)) {
        item.classList.add("selected");
        this.lastSeen.set(id, topic.last_id);
      } else if ((this.lastSeen.get(id) ?? 0) < topic.last_id && this.lastSeen.has(id)) {
        item.classList.add("unread");
      } else if (!this.lastSeen.has(id)) {
        this.lastSeen.set(id, topic.last_id);
      }
      const button = document.createElement("button");
      button.type = "button";
      const dot = document.createElement("span");
      dot.className = "topic-dot";
      dot.style.background = topic.color;
      const title = document.createElement("span");
      title.className = "topic-title";
      title.textContent = (topic.closed ? "🔒 " : "") + topic.name;
      const last = document.createElement("span");
      last.className = "topic-last";
      last.textContent = topic.last;
      button.append(dot, title, last);
      button.addEventListener("click", () => this.openTopic(id));
      item.appendChild(button);
      list.appendChild(item);
    }
    $(this.section, ".topic-name").textContent = view.topic.name;
    const selected = view.topics.find((t) => String(t.id) === String(view.topic.id));
    $(this.section, ".chat-header .topic-dot").style.background = selected ? selected.color : "#8e8e93";
    const status = $(this.section, ".topic-status");
    status.textContent = view.typing ? `${app.bot.name} is typing…` : `${view.title} · ${view.staff.length} staff`;
    status.classList.toggle("typing", view.typing);
    if (String(view.topic.id) !== String(this.topic)) {
      this.topic = String(view.topic.id);
      this.list.clear();
    }
    this.list.render(view.messages, "No messages in this topic yet.");
    const person = view.staff.find((p) => p.key === this.as);
    const canWrite = !view.topic.closed || (person && person.status !== "member");
    $(this.section, ".composer").hidden = !canWrite || !person;
    $(this.section, ".closed-note").hidden = canWrite;
  }

  openTopic(id) {
    if (String(id) === String(this.topic)) return;
    this.topic = String(id);
    this.list.clear();
    this.setContext(null);
    this.refresh();
  }

  async send(text, replyTo = null) {
    await this.act("/api/staff-room/send", { as: this.as, topic: this.topic, text, reply_to: replyTo });
  }

  async edit(messageId, text) {
    await this.act("/api/staff-room/edit", { as: this.as, message_id: messageId, text });
  }

  async pressInline(messageId, row, col, button) {
    button.classList.add("pressed");
    const result = await this.act("/api/staff-room/press", { as: this.as, message_id: messageId, row, col });
    button.classList.remove("pressed");
    showAnswer(result, this);
  }

  async sendPhoto(file) {
    const caption = this.input.value.trim();
    this.input.value = "";
    const query = new URLSearchParams({ as: this.as || "", topic: this.topic });
    if (file) {
      const form = new FormData();
      form.append("photo", file);
      form.append("caption", caption);
      await this.act(`/api/staff-room/photo?${query}`, undefined, { form });
    } else {
      await this.act(`/api/staff-room/photo?${query}`, { text: caption });
    }
  }
}

/* layout: panes, tabs, the active pane on a phone-sized screen --------------------------------------- */

function renderTabs() {
  tabsEl.replaceChildren();
  for (const key of app.order) {
    const pane = app.panes.get(key);
    const tab = document.createElement("button");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.dataset.pane = key;
    tab.dataset.testid = "tab";
    tab.textContent = pane.label;
    tab.setAttribute("aria-selected", String(key === app.active));
    if (pane.unread) tab.classList.add("unread");
    tab.addEventListener("click", () => setActive(key));
    tabsEl.appendChild(tab);
  }
}

function setActive(key, { scroll = true } = {}) {
  if (!app.panes.has(key)) return;
  app.active = key;
  for (const [paneKey, pane] of app.panes) {
    const active = paneKey === key;
    pane.section.classList.toggle("active", active);
    if (active) pane.unread = false;
  }
  renderTabs();
  const pane = app.panes.get(key);
  if (scroll && !narrow.matches) pane.section.scrollIntoView({ behavior: "smooth", inline: "nearest", block: "nearest" });
}

function visible(pane) {
  return !narrow.matches || pane.key === app.active;
}

async function syncState(activate) {
  const state = await api("/api/state");
  app.bot = state.bot;
  app.staff = state.staff;
  const wanted = ["staff", ...state.phones.map((phone) => `phone:${phone.key}`)];
  // phones first (a member's view is the usual start), the staff room after them
  wanted.push(wanted.shift());
  for (const [key, pane] of app.panes) {
    if (!wanted.includes(key)) {
      pane.section.remove();
      app.panes.delete(key);
    }
  }
  for (const phone of state.phones) {
    const key = `phone:${phone.key}`;
    if (app.panes.has(key)) {
      app.panes.get(key).updateOwner(phone);
    } else {
      const pane = new PhonePane(phone.key, phone);
      app.panes.set(key, pane);
      pane.refresh();
    }
  }
  if (!app.panes.has("staff")) {
    const pane = new StaffPane();
    app.panes.set("staff", pane);
  }
  app.panes.get("staff").setStaff(state.staff);
  app.panes.get("staff").refresh();
  app.order = wanted;
  for (const key of wanted) panesEl.appendChild(app.panes.get(key).section);
  if (activate && app.panes.has(activate)) app.active = activate;
  if (!app.active || !app.panes.has(app.active)) app.active = wanted[0];
  setActive(app.active, { scroll: Boolean(activate) });
}

async function resetPage() {
  for (const pane of app.panes.values()) pane.section.remove();
  app.panes.clear();
  app.active = null;
  await syncState();
}

/* live updates -------------------------------------------------------------------------------------- */

function connect() {
  const source = new EventSource("/api/events");
  let first = true;
  source.addEventListener("hello", () => {
    if (!first) resetPage(); // reconnected: something may have been missed
    first = false;
  });
  source.addEventListener("reset", () => resetPage());
  source.addEventListener("change", async (event) => {
    const { panes } = JSON.parse(event.data);
    if (panes.includes("*")) {
      await syncState();
      for (const pane of app.panes.values()) pane.refresh();
      return;
    }
    for (const key of panes) {
      const pane = app.panes.get(key);
      if (!pane) continue;
      pane.refresh();
      if (!visible(pane)) {
        pane.unread = true;
        renderTabs();
      }
    }
  });
}

/* top bar ------------------------------------------------------------------------------------------- */

document.getElementById("add-phone").addEventListener("submit", async (event) => {
  event.preventDefault();
  const language = document.getElementById("add-phone-language").value;
  try {
    const result = await api("/api/phones", { language });
    await syncState(`phone:${result.key}`);
  } catch (error) {
    toast(error.message);
  }
});

document.getElementById("reset").addEventListener("click", async (event) => {
  if (!window.confirm("Reset the sandbox? Every chat and the sandbox database start afresh.")) return;
  const button = event.currentTarget;
  button.disabled = true;
  try {
    await api("/api/reset", {});
    await resetPage();
    toast("The sandbox starts afresh.");
  } catch (error) {
    toast(error.message);
  } finally {
    button.disabled = false;
  }
});

document.addEventListener("click", (event) => {
  if (!event.target.closest(".popup, .attach-button, .commands-button, .chat-menu-button")) {
    document.querySelectorAll(".popup").forEach((popup) => { popup.hidden = true; });
  }
});

narrow.addEventListener("change", () => { if (app.active) setActive(app.active); });

syncState()
  .then(connect)
  .catch((error) => toast(`The sandbox is not answering: ${error.message}`));
