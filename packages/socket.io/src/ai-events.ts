/**
 * Seed 002's vocabulary: `ai:stream` → `ai:stream:start`, `ai:token`…, then `ai:stream:complete`
 * and `ai:done`, or `ai:stream:cancelled` (after `ai:cancel`), or `ai:stream:error`; several
 * streams per client, named by `streamId`. Also `ai:heartbeat` → `ai:heartbeat:ack`,
 * `ai:reconnect` → `ai:reconnect:success` (the previous client's rooms and streams move here) or
 * `ai:error`, and `ai:backpressure` once each time a stream's client falls behind.
 */
import type { AiDonePayload } from "./events.ts";
import {
  isRecord,
  optionalId,
  runClientStream,
  validatePrompt,
  type ClientContext,
} from "./client-context.ts";
import { queuedBytes, totalTokensOf, type StreamFrame } from "./event-writer.ts";
import type { ParkedClient } from "./known-clients.ts";
import { tokenEmitter } from "./token-packets.ts";

const keyOf = (streamId: string) => `ai:${streamId}`;
/** The chat turn's key among a client's streams (chat-events.ts). */
const CHAT_KEY = "chat";

/** `ai:reconnect`'s `streams`: the `tokenCount` of the last `ai:token` of each stream. */
function tokenCounts(value: unknown): Record<string, number> | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return false;
  for (const count of Object.values(value)) {
    if (!Number.isInteger(count) || (count as number) < 0) return false;
  }
  return value as Record<string, number>;
}

/** Adds the `ai:*` handlers to one client. */
export function serveAiEvents(
  client: ClientContext,
  claim: (previousClientId: string) => ParkedClient | undefined,
  backpressureThreshold: number,
): void {
  const { socket, agent } = client;
  const aiError = (code: string, error: string, details?: string) =>
    void socket.emit(
      "ai:error",
      details === undefined ? { error, code } : { error, code, details },
    );
  const streamError = (streamId: string, code: string, error: string) =>
    void socket.emit("ai:stream:error", { streamId, error, code });

  const stream = (data: unknown) => {
    const started = Date.now();
    if (!isRecord(data))
      return aiError("VALIDATION_FAILED", "Invalid ai:stream", "payload: Expected an object");
    const given = optionalId(data.streamId);
    if (given === false) {
      const details = "streamId: Expected a string of 1-128 characters";
      return aiError("VALIDATION_FAILED", "Invalid ai:stream", details);
    }
    const streamId = given ?? `stream_${crypto.randomUUID()}`;
    const prompt = validatePrompt(agent, data, "prompt");
    if (!prompt.ok) return streamError(streamId, "VALIDATION_FAILED", prompt.message);
    const controller = client.streams.start(keyOf(streamId));
    if (controller === "duplicate") {
      return streamError(streamId, "INVALID_MESSAGE", `Stream "${streamId}" is already running`);
    }
    if (!(controller instanceof AbortController)) {
      return streamError(streamId, controller.code, controller.message);
    }
    let tokens = 0;
    let congested = false;
    let out = socket; // the client it goes to: another one after ai:reconnect
    const tokenTo = (to: typeof socket) =>
      tokenEmitter(to, "ai:token", { streamId }, "data", "tokenCount");
    let token = tokenTo(out);
    const text = (data: string) => token(data, ++tokens);
    const queued = (queueSize: number) => {
      if (!congested && queueSize > backpressureThreshold) {
        congested = true;
        const message = "The client is not reading fast enough; the stream waits for it";
        out.emit("ai:backpressure", { streamId, message, queueSize });
      } else if (congested && queueSize <= backpressureThreshold / 2) congested = false;
    };
    const moveTo = (next: typeof socket, texts: number) =>
      void ([out, tokens, token] = [next, texts, tokenTo(next)]);
    const frame = (frame: StreamFrame) => {
      switch (frame.type) {
        case "stream_start":
          out.emit("ai:stream:start", { streamId });
          return;
        case "stream_complete":
          if (frame.status === "cancelled") {
            out.emit("ai:stream:cancelled", { streamId });
            return;
          }
          out.emit("ai:stream:complete", {
            streamId,
            ...(frame.finishReason !== undefined ? { finishReason: frame.finishReason } : {}),
            ...(frame.usage !== undefined ? { usage: frame.usage } : {}),
          });
          out.emit("ai:done", {
            streamId,
            totalTokens: totalTokensOf(frame, tokens),
            duration: Date.now() - started,
          } satisfies AiDonePayload);
          return;
        case "error":
          out.emit("ai:stream:error", {
            streamId,
            error: frame.error ?? "Internal error",
            code: frame.code ?? "INTERNAL_ERROR",
          });
      }
    };
    void runClientStream(client, keyOf(streamId), controller, prompt.value, {
      text,
      frame,
      queued,
      moveTo,
    });
  };

  const cancel = (data: unknown) => {
    const streamId = isRecord(data) ? optionalId(data.streamId) : false;
    if (typeof streamId !== "string") {
      return aiError("VALIDATION_FAILED", "Invalid ai:cancel", "streamId: Required");
    }
    // Cancelling a stream that already ended is not an error: the two race by nature.
    client.streams.cancel(keyOf(streamId));
  };

  const reconnect = (data: unknown) => {
    const previousClientId = isRecord(data) ? data.previousClientId : undefined;
    if (typeof previousClientId !== "string" || previousClientId === "") {
      return aiError("VALIDATION_FAILED", "Invalid ai:reconnect", "previousClientId: Required");
    }
    const positions = isRecord(data) ? tokenCounts(data.streams) : undefined;
    if (positions === false) {
      const details = "streams: Expected { [streamId]: tokenCount } with integer counts >= 0";
      return aiError("VALIDATION_FAILED", "Invalid ai:reconnect", details);
    }
    // The same answer for unknown, expired and other users' clients: ids cannot be probed.
    const parked = previousClientId === socket.id ? undefined : claim(previousClientId);
    if (parked === undefined) return aiError("NOT_FOUND", "Unknown previous client");
    if (parked.rooms.length > 0) void socket.join(parked.rooms);
    const moved = parked.streams.filter((held) => {
      if (client.streams.adopt(held.key, held.controller)) return true;
      held.controller.abort(); // its key is taken here by a newer stream of the same name
      return false;
    });
    socket.emit("ai:reconnect:success", {
      previousClientId,
      newClientId: socket.id,
      rooms: parked.rooms,
      streams: moved.filter((held) => held.key !== CHAT_KEY).map((held) => held.key.slice(3)),
    });
    for (const held of moved) {
      client.held.set(held.key, held);
      const had = held.key === CHAT_KEY ? undefined : positions?.[held.key.slice(3)];
      const skip = Math.min(had ?? held.delivered, held.delivered);
      void held
        .moveTo(socket, client.identity.userId, skip)
        .catch((error: unknown) => client.report(error, "ai:reconnect"))
        .finally(() => {
          client.streams.end(held.key, held.controller);
          if (client.held.get(held.key) === held) client.held.delete(held.key);
        });
    }
  };

  const heartbeat = () =>
    socket.emit("ai:heartbeat:ack", {
      timestamp: Date.now(),
      activeStreams: client.streams.size,
      queueSize: queuedBytes(socket),
    });

  const handlers: Record<string, (data: unknown) => void> = {
    "ai:stream": stream,
    "ai:cancel": cancel,
    "ai:reconnect": reconnect,
    "ai:heartbeat": heartbeat,
  };
  for (const [event, handle] of Object.entries(handlers)) {
    socket.on(event, (data: unknown) => {
      try {
        handle(data);
      } catch (error) {
        client.report(error, event);
        aiError("INTERNAL_ERROR", "Internal error");
      }
    });
  }
}
