/**
 * Test support for the chat path: the `send` and `resume` frames a `WebSocketChatTransport` sends
 * (`submit-message` with one user message; `resume` after an optional `lastSequence`).
 */

/** A user message of one text part, as `useChat` sends it. */
export const userMessage = (text: string, id = "u1") => ({
  id,
  role: "user",
  parts: [{ type: "text", text }],
});

/** A `send` frame for chat `chatId`: `text` as one user message, unless `messages` are given. */
export const sendFrame = (
  requestId: string,
  chatId: string,
  text: string,
  messages: unknown[] = [userMessage(text)],
) => ({
  type: "send",
  requestId,
  id: chatId,
  trigger: "submit-message",
  messages,
  headers: {},
  body: {},
});

/** A `resume` frame for chat `chatId`: the answer after `lastSequence`, or all of it. */
export const resumeFrame = (requestId: string, chatId: string, lastSequence?: number) => ({
  type: "resume",
  requestId,
  id: chatId,
  ...(lastSequence === undefined ? {} : { lastSequence }),
  headers: {},
  body: {},
});
