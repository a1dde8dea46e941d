/**
 * Server-Sent Events as a {@link FrameWriter}: the same frames as the WebSocket, with the frame's
 * `type` as the SSE event name, over a web `ReadableStream` any runtime can return as a body.
 */
import type { FrameWriter } from "./frame-writer.ts";

/** An SSE body and the writer that feeds it. */
export interface SseStream {
  /** The response body (`text/event-stream`). */
  body: ReadableStream<Uint8Array>;
  writer: FrameWriter;
  /** Resolves when the client goes away (the body was cancelled) or the stream was closed. */
  closed: Promise<void>;
}

/** Response headers for an SSE stream (no proxy buffering, no caching). */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

const encoder = new TextEncoder();

/** Creates an SSE stream whose `bufferedAmount` counts bytes the client has not yet taken. */
export function createSseStream(): SseStream {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  let onClosed!: () => void;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  const finish = () => {
    open = false;
    onClosed();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      cancel: finish,
    },
    // A high-water mark of 0 makes desiredSize the negated count of queued bytes.
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
  const writer: FrameWriter = {
    write(json, type) {
      if (!open) return;
      controller.enqueue(encoder.encode(`event: ${type}\ndata: ${json}\n\n`));
    },
    get bufferedAmount() {
      return Math.max(0, -(controller.desiredSize ?? 0));
    },
    get open() {
      return open;
    },
    close(code) {
      if (!open) return;
      finish();
      // A normal end lets the client read what is queued; any other (a stall) tears the response
      // down, because a client that does not read would never drain the queue.
      if (code === 1000) controller.close();
      else controller.error(new Error("Stream closed by the server"));
    },
  };
  return { body, writer, closed };
}
