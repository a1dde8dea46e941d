/**
 * The chat page `agentsocket serve` answers at `/`: one self-contained HTML document (inline CSS
 * and script, no external resource, no framework) speaking wire protocol v1 over `/ws`.
 */

/** Options of {@link chatPage}. */
export interface ChatPageOptions {
  /** The page title and heading. @default "agentsocket" */
  title?: string;
}

const DEFAULTS = { title: "agentsocket" };

/**
 * Renders the chat page. It connects to `ws(s)://<host>/ws` (forwarding `?token=` or `?apiKey=`
 * from its own URL), reconnects with backoff, streams answers token by token, shows tool calls,
 * errors and the final status, and cancels a running answer with Stop.
 *
 * Stable hooks for tests: `#status[data-state]`, `#prompt`, `#send`, `#stop`,
 * `.message.assistant[data-state="streaming|completed|cancelled|error"]`, `.tool`.
 * @example
 * server.registerRoute({ method: "GET", path: "/", handler: () =>
 *   new Response(chatPage(), { headers: { "content-type": "text/html; charset=utf-8" } }) });
 */
export function chatPage(options: ChatPageOptions = {}): string {
  const title = escapeHtml(options.title ?? DEFAULTS.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${title}</h1>
  <p id="status" role="status" data-state="connecting">connecting</p>
</header>
<main>
  <ol id="messages" role="log" aria-live="polite" aria-label="Conversation"></ol>
  <form id="composer">
    <label for="prompt">Message</label>
    <textarea id="prompt" rows="3"
      placeholder="Ask something. Enter sends, Shift+Enter adds a line."></textarea>
    <div class="actions">
      <button id="send" type="submit" disabled>Send</button>
      <button id="stop" type="button" disabled>Stop</button>
    </div>
  </form>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  const entities: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
  };
  return text.replace(/[&<>"']/g, (char) => entities[char]!);
}

const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --accent: #2563eb;
  --user: #dbeafe; --tool: #f3f4f6; --bad: #b91c1c; --good: #15803d; }
@media (prefers-color-scheme: dark) { :root { --line: #374151; --user: #1e3a5f; --tool: #1f2937;
  --bad: #f87171; --good: #4ade80; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 48rem; height: 100vh; height: 100dvh; padding: 0 1rem;
  display: flex; flex-direction: column; font: 16px/1.5 system-ui, sans-serif; }
header { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; }
h1 { font-size: 1.25rem; margin: 1rem 0; }
#status { margin: 0; font-size: .875rem; color: var(--muted); }
#status::before { content: "\\25CF  "; }
#status[data-state="connected"]::before { color: var(--good); }
#status[data-state="disconnected"]::before { color: var(--bad); }
main { flex: 1; display: flex; flex-direction: column; min-height: 0; }
#messages { flex: 1; list-style: none; margin: 0; padding: 0; overflow-y: auto; }
.message { margin: .75rem 0; padding: .5rem .75rem; border-radius: .5rem; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.message.user { background: var(--user); margin-left: 20%; }
.message.assistant { border: 1px solid var(--line); }
.message.notice, .message[data-state="error"] .meta { color: var(--bad); }
.meta { display: block; margin-top: .25rem; font-size: .75rem; color: var(--muted); }
.tool { margin: .5rem 0; padding: .5rem; border-radius: .375rem; background: var(--tool);
  font-size: .875rem; }
.tool pre { margin: .25rem 0 0; white-space: pre-wrap; font-size: .8125rem; }
form { display: grid; gap: .5rem; padding: 1rem 0; border-top: 1px solid var(--line); }
label { font-size: .875rem; color: var(--muted); }
textarea { width: 100%; padding: .5rem; font: inherit; resize: vertical; }
.actions { display: flex; gap: .5rem; justify-content: flex-end; }
button { padding: .4rem 1.2rem; font: inherit; border-radius: .375rem; cursor: pointer; }
#send { background: var(--accent); color: white; border: 1px solid var(--accent); }
button:disabled { opacity: .5; cursor: default; }
`;

// Plain browser JavaScript: no template literals inside, so the TS template above stays literal.
const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
const statusEl = $("status"), list = $("messages"), form = $("composer");
const promptEl = $("prompt"), sendButton = $("send"), stopButton = $("stop");
let socket = null, retries = 0, active = null, nextId = 0;

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
  if (frame.type === "chunk") appendText(frame.content);
  else if (frame.type === "tool_call") showTool(frame);
  else if (frame.type === "tool_result") showToolResult(frame);
  else if (frame.type === "error") finish("error", frame.code + ": " + frame.error);
  else if (frame.type === "stream_complete") {
    const tokens = frame.usage && frame.usage.total ? frame.usage.total + " tokens" : "";
    finish(frame.status, [frame.finishReason, tokens].filter(Boolean).join(", "));
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
  socket.send(JSON.stringify({ type: "stream", requestId, payload: { prompt } }));
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

connect();
`;
