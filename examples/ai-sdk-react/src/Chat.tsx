/**
 * A chat on the AI SDK's `useChat`, over one WebSocket to `agentsocket serve`'s `/chat` path.
 * `WebSocketChatTransport` keeps an answer going through a dropped connection (it reconnects and
 * resumes where the answer was), and `stop()` stops the model on the server.
 */
import { useChat } from "@ai-sdk/react";
import { WebSocketChatTransport } from "@agentsocket/client/ai-sdk";
import { useState, type FormEvent } from "react";

// One transport (one socket) for the page; with auth, add `params: () => ({ token })`.
const transport = new WebSocketChatTransport({
  url: import.meta.env.VITE_CHAT_URL ?? "ws://127.0.0.1:3000/chat",
});

export function Chat() {
  const { messages, sendMessage, status, stop, error } = useChat({ transport });
  const [input, setInput] = useState("");
  const answering = status === "submitted" || status === "streaming";

  function submit(event: FormEvent) {
    event.preventDefault();
    if (input.trim() === "" || answering) return;
    void sendMessage({ text: input });
    setInput("");
  }

  return (
    <main>
      {messages.map((message) => (
        <p key={message.id} className={`message ${message.role}`}>
          <b>{message.role === "user" ? "You" : "Agent"}:</b>{" "}
          <span className="text">
            {message.parts.map((part) => (part.type === "text" ? part.text : "")).join("")}
          </span>
        </p>
      ))}
      {error && <p role="alert">{error.message}</p>}
      <form onSubmit={submit}>
        <input
          value={input}
          onChange={(event) => setInput(event.target.value)}
          placeholder="Ask the agent"
          aria-label="Prompt"
        />
        {answering ? (
          <button type="button" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="submit">Send</button>
        )}
      </form>
      <p className="status">status: {status}</p>
    </main>
  );
}
