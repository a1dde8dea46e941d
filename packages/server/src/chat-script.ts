/**
 * The chat page's browser script (plain JavaScript in a string): the socket with reconnects, the
 * streamed answer, Stop, and the conversation list. `chatPage()` inlines it after `const API`.
 */

// Plain browser JavaScript: no template literals inside, so the TS template above stays literal.
export const CHAT_SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const statusEl = $("status"), list = $("messages"), form = $("composer");
const promptEl = $("prompt"), sendButton = $("send"), stopButton = $("stop");
const conversationList = $("conversations"), newChatButton = $("new-chat");
let socket = null, retries = 0, active = null, nextId = 0, conversationId = null;

function authQuery() {
  const query = new URLSearchParams(location.search), out = new URLSearchParams();
  for (const name of ["token", "apiKey"]) {
    if (query.has(name)) out.set(name, query.get(name));
  }
  return out;
}

function api(path, init) {
  const url = new URL(API + path, location.href);
  for (const [name, value] of authQuery()) url.searchParams.set(name, value);
  return fetch(url, init);
}

// Conversations: the list of past ones, opening one, and remembering the open one in the URL.
async function refreshConversations() {
  const response = await api("/conversations?limit=50").catch(() => null);
  if (!response || !response.ok) return; // conversations off, or not allowed
  const { conversations } = await response.json();
  conversationList.replaceChildren(...conversations.map((conversation) => {
    const item = element("li", "conversation");
    item.dataset.id = conversation.id;
    if (conversation.id === conversationId) item.setAttribute("aria-current", "true");
    const button = item.appendChild(element("button", "open", conversation.title || "Untitled"));
    button.type = "button";
    button.addEventListener("click", () => openConversation(conversation.id));
    return item;
  }));
}

function remember(id) {
  conversationId = id;
  history.replaceState(null, "", location.pathname + location.search + (id ? "#c=" + id : ""));
}

async function openConversation(id) {
  if (active) return;
  const response = await api("/conversations/" + encodeURIComponent(id)).catch(() => null);
  if (!response || !response.ok) return startNewChat();
  const conversation = await response.json();
  remember(id);
  list.replaceChildren();
  for (const message of conversation.messages) {
    if (message.role === "user") list.append(element("li", "message user", message.content));
    if (message.role !== "assistant") continue;
    const item = element("li", "message assistant");
    item.dataset.state = (message.metadata && message.metadata.status) || "completed";
    item.appendChild(element("div", "body")).append(element("span", "text", message.content));
    item.append(element("span", "meta", item.dataset.state));
    list.append(item);
  }
  list.scrollTop = list.scrollHeight;
  refreshConversations();
}

function startNewChat() {
  if (active) return;
  remember(null);
  list.replaceChildren();
  refreshConversations();
}

function socketUrl() {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const query = new URLSearchParams(location.search);
  for (const name of ["token", "apiKey"]) {
    if (query.has(name)) url.searchParams.set(name, query.get(name));
  }
  return url.href;
}

function setStatus(state, text) {
  statusEl.dataset.state = state;
  statusEl.textContent = text || state;
  updateControls();
}

function updateControls() {
  sendButton.disabled = statusEl.dataset.state !== "connected" || active !== null;
  stopButton.disabled = active === null || active.stopping;
}

function connect() {
  setStatus("connecting");
  socket = new WebSocket(socketUrl());
  socket.onmessage = (event) => {
    // Follow the conversation only while the reader is at the bottom of it.
    const following = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    try { handle(JSON.parse(event.data)); } catch (error) { console.error(error); }
    if (following) list.scrollTop = list.scrollHeight;
  };
  socket.onclose = () => {
    socket = null;
    if (active) finish("error", "connection lost");
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
    const delay = Math.min(30000, 500 * 2 ** retries++) * (0.75 + Math.random() / 2);
    setStatus("disconnected", "disconnected, retrying in " + Math.ceil(delay / 1000) + " s");
    setTimeout(connect, delay);
  };
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function appendText(content) {
  const body = active.body;
  if (!body.lastChild || body.lastChild.className !== "text") body.append(element("span", "text"));
  body.lastChild.append(content);
}

function showTool(frame) {
  const block = element("div", "tool");
  block.dataset.toolCallId = frame.toolCallId || "";
  block.append(element("strong", "tool-name", "Tool: " + frame.toolName));
  block.append(element("pre", "tool-args", JSON.stringify(frame.args, null, 2)));
  block.append(element("pre", "tool-result", "running..."));
  active.body.append(block);
}

function showToolResult(frame) {
  const blocks = [...active.body.querySelectorAll(".tool")];
  const id = frame.toolCallId || "";
  const block = blocks.find((candidate) => candidate.dataset.toolCallId === id) || blocks.at(-1);
  const result = JSON.stringify(frame.result, null, 2);
  if (block) block.querySelector(".tool-result").textContent = "Result: " + result;
}

function finish(state, detail) {
  const { item, meta } = active;
  item.dataset.state = state;
  item.setAttribute("aria-busy", "false");
  meta.textContent = detail ? state + " (" + detail + ")" : state;
  active = null;
  updateControls();
}

function handle(frame) {
  if (frame.type === "connected") {
    retries = 0;
    return setStatus("connected");
  }
  if (!active || frame.requestId !== active.requestId) {
    // Errors about no running request (a bad frame, a rate limit) still deserve a word.
    if (frame.type !== "error") return;
    list.append(element("li", "message notice", "Error: " + frame.error));
    return;
  }
  if (frame.type === "stream_start" && frame.conversationId && !conversationId) {
    remember(frame.conversationId);
    refreshConversations();
  }
  if (frame.type === "chunk") appendText(frame.content);
  else if (frame.type === "tool_call") showTool(frame);
  else if (frame.type === "tool_result") showToolResult(frame);
  else if (frame.type === "error") finish("error", frame.code + ": " + frame.error);
  else if (frame.type === "stream_complete") {
    const tokens = frame.usage && frame.usage.total ? frame.usage.total + " tokens" : "";
    finish(frame.status, [frame.finishReason, tokens].filter(Boolean).join(", "));
    refreshConversations();
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const prompt = promptEl.value.trim();
  if (!prompt || sendButton.disabled) return;
  const item = element("li", "message assistant");
  item.dataset.state = "streaming";
  item.setAttribute("aria-busy", "true");
  const body = item.appendChild(element("div", "body"));
  const meta = item.appendChild(element("span", "meta", "streaming..."));
  list.append(element("li", "message user", prompt), item);
  list.scrollTop = list.scrollHeight;
  const requestId = "r" + Date.now().toString(36) + "-" + ++nextId;
  active = { requestId, item, body, meta, stopping: false };
  const payload = conversationId ? { prompt, conversationId } : { prompt };
  socket.send(JSON.stringify({ type: "stream", requestId, payload }));
  promptEl.value = "";
  updateControls();
});

promptEl.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

stopButton.addEventListener("click", () => {
  if (!active || !socket) return;
  active.stopping = true;
  active.meta.textContent = "stopping...";
  socket.send(JSON.stringify({ type: "cancel", payload: { requestId: active.requestId } }));
  updateControls();
});

newChatButton.addEventListener("click", startNewChat);
const opened = /^#c=(.+)$/.exec(location.hash);
if (opened) openConversation(decodeURIComponent(opened[1]));
else refreshConversations();
connect();
`;
