/**
 * Seed 002's vocabulary: `ai:stream` → `ai:stream:start`, `ai:token`…, then `ai:stream:complete`
 * and `ai:done`, or `ai:stream:cancelled` (after `ai:cancel`), or `ai:stream:error`; several
 * streams per client, named by `streamId`. Also `ai:heartbeat` → `ai:heartbeat:ack`, and
 * `ai:backpressure` once each time a stream's client falls behind (`ai:reconnect`:
 * reconnect-events.ts).
 */
import { emitAiFrame } from "./ai-frames.ts";
import {
  isRecord,
  optionalId,
  runClientStream,
  validatePrompt,
  type ClientContext,
} from "./client-context.ts";
import { queuedBytes, type StreamFrame } from "./event-writer.ts";
import { tokenEmitter } from "./token-packets.ts";

const keyOf = (streamId: string) => `ai:${streamId}`;

/** Adds the `ai:*` handlers to one client. */
export function serveAiEvents(client: ClientContext, backpressureThreshold: number): void {
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
    const frame = (frame: StreamFrame) => emitAiFrame(out, streamId, frame, tokens, started);
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

  const heartbeat = () =>
    socket.emit("ai:heartbeat:ack", {
      timestamp: Date.now(),
      activeStreams: client.streams.size,
      queueSize: queuedBytes(socket),
    });

  const handlers: Record<string, (data: unknown) => void> = {
    "ai:stream": stream,
    "ai:cancel": cancel,
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
