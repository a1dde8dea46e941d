/**
 * The `session_resume` client frame (wire protocol v1, issue 10): a system frame, answered by core
 * in front of the path's handler like `join`/`leave`, when the manager has `sessions` on. The
 * answer is one `session` frame — `recovered: true` with the rooms, streams and the count of kept
 * frames that were dropped, then the kept frames in order; or `recovered: false` with a reason.
 * Never an error frame, never a close.
 */
import { WebSocketError, toError } from "../errors.ts";
import { parseEnvelope } from "../protocol.ts";
import { OPEN, type WebSocketConnection, type WebSocketHandler } from "../types.ts";
import type { SessionRegistry, SessionResumeOutcome } from "./registry.ts";

/** Longer frames are never `session_resume` frames (a token is a few hundred characters). */
const MAX_RESUME_FRAME = 2048;

function resumeFrame(data: unknown): { requestId: string; token: unknown } | undefined {
  if (
    typeof data !== "string" ||
    data.length > MAX_RESUME_FRAME ||
    !data.includes('"session_resume"')
  )
    return undefined;
  const parsed = parseEnvelope(data);
  if (!parsed.ok || parsed.envelope.type !== "session_resume") return undefined;
  const { payload, requestId } = parsed.envelope;
  return {
    requestId: requestId ?? crypto.randomUUID(),
    token: (payload as { token?: unknown })?.token,
  };
}

async function answer(
  sessions: SessionRegistry,
  connection: WebSocketConnection,
  frame: { requestId: string; token: unknown },
): Promise<void> {
  const { socket } = connection;
  const deliver = (outcome: SessionResumeOutcome) => {
    if (socket.readyState !== OPEN) return;
    if (!outcome.recovered) {
      const { reason } = outcome;
      return socket.send(
        JSON.stringify({ type: "session", requestId: frame.requestId, recovered: false, reason }),
      );
    }
    const { frames, ...fields } = outcome;
    socket.send(JSON.stringify({ type: "session", requestId: frame.requestId, ...fields }));
    for (const kept of frames) socket.send(kept);
  };
  try {
    await sessions.resume(connection, frame.token, deliver);
  } catch (error) {
    throw new WebSocketError(`The session streams provider failed: ${toError(error).message}`, {
      code: "HANDLER_ERROR",
      connectionId: connection.id,
      cause: error,
    });
  }
}

/** `handler` with `session_resume` answered in front of it (one wrapper per handler, cached). */
export function sessionFrameWrapper(
  sessions: SessionRegistry,
): (handler: WebSocketHandler) => WebSocketHandler {
  const wrapped = new WeakMap<WebSocketHandler, WebSocketHandler>();
  const wrap = (handler: WebSocketHandler): WebSocketHandler => {
    const outer: WebSocketHandler = {
      ...handler,
      onMessage(connection, message) {
        const frame = resumeFrame(message.data);
        if (frame !== undefined) return answer(sessions, connection, frame);
        return handler.onMessage?.(connection, message);
      },
    };
    return outer;
  };
  return (handler) => {
    if (sessions.options === undefined) return handler;
    let found = wrapped.get(handler);
    if (found === undefined) wrapped.set(handler, (found = wrap(handler)));
    return found;
  };
}
