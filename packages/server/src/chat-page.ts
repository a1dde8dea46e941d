/**
 * The chat page `agentsocket serve` answers at `/`: one HTML document (inline CSS and script, no
 * framework) that talks to `/ws` through `@agentsocket/client` (served at `/chat-client.mjs`), with
 * the caller's past conversations from `{apiBase}/conversations`.
 */
import { CHAT_CLIENT_PATH } from "./chat-client.ts";
import { CHAT_SCRIPT } from "./chat-script.ts";

/** Options of {@link chatPage}. */
export interface ChatPageOptions {
  /** The page title and heading. @default "agentsocket" */
  title?: string;
  /** Where the server's HTTP routes are (its `basePath`), for the conversation list. @default "/api" */
  apiBase?: string;
}

const DEFAULTS = { title: "agentsocket", apiBase: "/api" };

/**
 * Renders the chat page. It connects to `ws(s)://<host>/ws` (forwarding `?token=` or `?apiKey=`
 * from its own URL), reconnects with backoff, resumes an answer cut by a drop (with `agent.resume`
 * on the server), streams answers token by token, shows tool calls,
 * errors and the final status, and cancels a running answer with Stop. With conversations on,
 * it lists past conversations, opens one (also from `#c=<id>` after a reload) and continues it.
 *
 * Stable hooks for tests: `#status[data-state]`, `#prompt`, `#send`, `#stop`,
 * `.message.assistant[data-state="streaming|completed|cancelled|error"]`, `.tool`,
 * `#new-chat`, `#conversations li[data-id]`.
 * @example
 * server.registerRoute({ method: "GET", path: "/", handler: () =>
 *   new Response(chatPage(), { headers: { "content-type": "text/html; charset=utf-8" } }) });
 */
export function chatPage(options: ChatPageOptions = {}): string {
  const title = escapeHtml(options.title ?? DEFAULTS.title);
  const apiBase = JSON.stringify(options.apiBase ?? DEFAULTS.apiBase).replaceAll("<", "\\u003c");
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
<nav aria-label="Conversations">
  <button id="new-chat" type="button">New chat</button>
  <ul id="conversations"></ul>
</nav>
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
<script type="module">
import { createAgentSocketClient } from "${CHAT_CLIENT_PATH}";
const API = ${apiBase};${CHAT_SCRIPT}</script>
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
nav { display: flex; gap: .5rem; align-items: center; overflow-x: auto; padding-bottom: .5rem;
  border-bottom: 1px solid var(--line); }
#conversations { display: flex; gap: .5rem; list-style: none; margin: 0; padding: 0; }
#conversations button { max-width: 12rem; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; padding: .2rem .6rem; font-size: .875rem; }
#conversations li[aria-current="true"] button { border-color: var(--accent); }
`;
