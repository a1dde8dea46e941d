/**
 * The chat page's browser module (plain JavaScript in a string): `@agentsocket/client` for the
 * socket (reconnects, resumed streams), the streamed answer, Stop, and the conversation list.
 * `chatPage()` inlines it after the client's import and `const API`.
 */

// Plain browser JavaScript: no template literals inside, so the TS template above stays literal.
export const CHAT_SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const statusEl = $("status"), list = $("messages"), form = $("composer");
const promptEl = $("prompt"), sendButton = $("send"), stopButton = $("stop");
const conversationList = $("conversations"), newChatButton = $("new-chat");
let active = null, conversationId = null;

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

function setStatus(state, text) {
  statusEl.dataset.state = state;
  statusEl.textContent = text || state;
  updateControls();
}

function updateControls() {
  sendButton.disabled = statusEl.dataset.state !== "connected" || active !== null;
  stopButton.disabled = active === null || active.stopping;
}

// The client reconnects with backoff and, with resume on the server, continues a cut answer.
const client = createAgentSocketClient({
  url: new URL("/ws", location.href.replace(/^http/, "ws")).href,
  params: () => Object.fromEntries(authQuery()),
});
const STATES = { connecting: "connecting", open: "connected", reconnecting: "disconnected" };
client.on("state", (state) => {
  const shown = STATES[state] || "disconnected";
  setStatus(shown, shown === "disconnected" ? "disconnected, reconnecting" : shown);
});
client.on("message", (frame) => {
  // Errors about no running request (a bad frame, a rate limit) still deserve a word.
  if (frame && frame.type === "error") {
    list.append(element("li", "message notice", "Error: " + frame.error));
  }
});

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

function showTool(event) {
  const block = element("div", "tool");
  block.dataset.toolCallId = event.toolCallId || "";
  block.append(element("strong", "tool-name", "Tool: " + event.toolName));
  block.append(element("pre", "tool-args", JSON.stringify(event.args, null, 2)));
  block.append(element("pre", "tool-result", "running..."));
  active.body.append(block);
}

function showToolResult(event) {
  const blocks = [...active.body.querySelectorAll(".tool")];
  const id = event.toolCallId || "";
  const block = blocks.find((candidate) => candidate.dataset.toolCallId === id) || blocks.at(-1);
  const result = JSON.stringify(event.result, null, 2);
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

function follow(update) {
  // Follow the conversation only while the reader is at the bottom of it.
  const following = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  update();
  if (following) list.scrollTop = list.scrollHeight;
}

function noteConversation(stream) {
  if (!stream.conversationId || conversationId) return;
  remember(stream.conversationId);
  refreshConversations();
}

async function run(stream) {
  try {
    for await (const event of stream.events()) {
      noteConversation(stream);
      follow(() => {
        if (event.type === "text") appendText(event.text);
        else if (event.type === "tool_call") showTool(event);
        else if (event.type === "tool_result") showToolResult(event);
      });
    }
    const result = await stream.result;
    noteConversation(stream);
    const tokens = result.usage && result.usage.total ? result.usage.total + " tokens" : "";
    follow(() => finish(result.status, [result.finishReason, tokens].filter(Boolean).join(", ")));
  } catch (error) {
    follow(() => finish("error", (error.code ? error.code + ": " : "") + error.message));
  }
  refreshConversations();
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
  const stream = client.stream(prompt, conversationId ? { conversationId } : {});
  active = { stream, item, body, meta, stopping: false };
  run(stream);
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
  if (!active) return;
  active.stopping = true;
  active.meta.textContent = "stopping...";
  active.stream.cancel();
  updateControls();
});

newChatButton.addEventListener("click", startNewChat);
const opened = /^#c=(.+)$/.exec(location.hash);
if (opened) openConversation(decodeURIComponent(opened[1]));
else refreshConversations();
`;
