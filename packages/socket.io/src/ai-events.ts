/**
 * Seed 002's vocabulary: `ai:stream` → `ai:stream:start`, `ai:token`…, then `ai:stream:complete`
 * and `ai:done`, or `ai:stream:cancelled` (after `ai:cancel`), or `ai:stream:error`; several
 * streams per client, named by `streamId`. Also `ai:heartbeat` → `ai:heartbeat:ack`,
 * `ai:reconnect` → `ai:reconnect:success` or `ai:error`, and `ai:backpressure` once each time a
 * stream's client falls behind.
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
import type { KnownClients } from "./known-clients.ts";

const keyOf = (streamId: string) => `ai:${streamId}`;

/** Adds the `ai:*` handlers to one client. */
export function serveAiEvents(
  client: ClientContext,
  known: KnownClients,
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
    if (controller === "limit") {
      const max = agent.options.maxConcurrentStreams;
      return streamError(
        streamId,
        "TOO_MANY_STREAMS",
        `At most ${max} concurrent streams per connection`,
      );
    }
    let tokens = 0;
    let congested = false;
    const text = (data: string) =>
      void socket.emit("ai:token", { streamId, data, tokenCount: ++tokens });
    const queued = (queueSize: number) => {
      if (!congested && queueSize > backpressureThreshold) {
        congested = true;
        const message = "The client is not reading fast enough; the stream waits for it";
        socket.emit("ai:backpressure", { streamId, message, queueSize });
      } else if (congested && queueSize <= backpressureThreshold / 2) congested = false;
    };
    const frame = (frame: StreamFrame) => {
      switch (frame.type) {
        case "stream_start":
          socket.emit("ai:stream:start", { streamId });
          return;
        case "stream_complete":
          if (frame.status === "cancelled") {
            socket.emit("ai:stream:cancelled", { streamId });
            return;
          }
          socket.emit("ai:stream:complete", {
            streamId,
            ...(frame.finishReason !== undefined ? { finishReason: frame.finishReason } : {}),
            ...(frame.usage !== undefined ? { usage: frame.usage } : {}),
          });
          socket.emit("ai:done", {
            streamId,
            totalTokens: totalTokensOf(frame, tokens),
            duration: Date.now() - started,
          } satisfies AiDonePayload);
          return;
        case "error":
          streamError(streamId, frame.code ?? "INTERNAL_ERROR", frame.error ?? "Internal error");
      }
    };
    void runClientStream(client, keyOf(streamId), controller, prompt.value, {
      text,
      frame,
      queued,
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
    // The same answer for unknown, expired and other users' clients: ids cannot be probed.
    if (!known.claim(previousClientId, client.identity.userId)) {
      return aiError("NOT_FOUND", "Unknown previous client");
    }
    socket.emit("ai:reconnect:success", { previousClientId, newClientId: socket.id });
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
