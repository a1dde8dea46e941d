/**
 * The manager's `rateLimit` on a Socket.IO client, with core's per-connection bucket: every event
 * the client sends takes a token. One that finds the bucket empty is not handled and is answered
 * with `RATE_LIMITED` — `chat:error` for a `chat:*` event, `ai:stream:error` for an `ai:stream`
 * that names its `streamId`, else `ai:error` — as `/ws` answers a refused frame with an `error`
 * frame. A client that keeps flooding is disconnected (`/ws`: close 1008).
 */
import { WebSocketConnectionError, type RateLimitOptions } from "@agentsocket/core";
import { createMessageRate } from "@agentsocket/core/adapter";
import type { Socket } from "socket.io";

const MESSAGE = "Too many messages: slow down";

/**
 * Checks `options` up front.
 * @throws {TypeError} naming the bad `rateLimit` field.
 */
export function checkEventRate(options: RateLimitOptions | undefined): void {
  createMessageRate(options);
}

/** Limits the events of `socket`; `report` hears a flood before the client is disconnected. */
export function limitEventRate(
  socket: Socket,
  options: RateLimitOptions | undefined,
  report: (error: Error) => void,
): void {
  const rate = createMessageRate(options);
  if (rate === undefined) return;
  socket.use(([event, payload], next) => {
    const now = Date.now();
    if (rate.take(now)) return next();
    if (rate.refused(now)) {
      const message = "Rate limit exceeded: the client kept sending too fast";
      report(
        new WebSocketConnectionError(message, { code: "RATE_LIMITED", connectionId: socket.id }),
      );
      socket.disconnect(true);
      return;
    }
    const streamId = (payload as { streamId?: unknown } | null)?.streamId;
    if (String(event).startsWith("chat:")) {
      socket.emit("chat:error", { message: MESSAGE, code: "RATE_LIMITED" });
    } else if (event === "ai:stream" && typeof streamId === "string") {
      socket.emit("ai:stream:error", { streamId, error: MESSAGE, code: "RATE_LIMITED" });
    } else socket.emit("ai:error", { error: MESSAGE, code: "RATE_LIMITED" });
  });
}
