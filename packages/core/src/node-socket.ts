/**
 * Glue for sockets with the `ws` interface (an EventEmitter with message/pong/close/error
 * events), which is what Express, Fastify and Hono on Node all hand out. Typed structurally, so
 * core still imports no `ws`.
 */
import type { ConnectionEvents, UpgradeAccepted } from "./adapter-types.ts";
import type { WebSocketConnectionManager } from "./connection-manager.ts";
import type { PreparedFrame } from "./frame-data.ts";
import type { ChunkPrefix } from "./chunk-frame.ts";
import {
  writeChunkFrame,
  writePreparedFrame,
  writesPreparedFrames,
  writeTextFrame,
} from "./node-frames.ts";
import { terminateNodeWebSocket } from "./node-terminate.ts";
import { ForwardingSocket } from "./socket-with-send.ts";
import type { SocketLike, WebSocketData } from "./types.ts";

type Bytes = Uint8Array | ArrayBuffer;

/** A socket shaped like a `ws` `WebSocket`. */
export interface NodeWebSocketLike extends SocketLike {
  on(event: "message", listener: (data: Bytes | Bytes[], isBinary: boolean) => void): unknown;
  on(event: "pong", listener: () => void): unknown;
  on(event: "close", listener: (code: number, reason: Uint8Array) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

const decoder = new TextDecoder();

function concat(parts: Bytes[]): Uint8Array {
  const chunks = parts.map((part) => (part instanceof ArrayBuffer ? new Uint8Array(part) : part));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** `socket` as core sees it: the same methods, and a terminate that does not stall the loop. */
class NodeSocket extends ForwardingSocket {
  // Whether frames can be written to `ws`'s TCP socket as they are (not with permessage-deflate).
  readonly #framed: boolean;

  constructor(inner: SocketLike) {
    super(inner);
    this.#framed = writesPreparedFrames(inner);
    // Fan-out frames go out pre-encoded where `ws` allows it.
    if (this.#framed) {
      this.sendFrame = NodeSocket.prototype.sendFrame;
      this.sendChunk = NodeSocket.prototype.sendChunk;
    }
  }

  send(data: WebSocketData): void {
    if (this.#framed && typeof data === "string") writeTextFrame(this.inner, data);
    else this.inner.send(data);
  }

  override sendFrame(frame: PreparedFrame): void {
    writePreparedFrame(this.inner, frame);
  }

  override sendChunk(prefix: ChunkPrefix, seq: number, content: string): number {
    return writeChunkFrame(this.inner, prefix, seq, content);
  }

  // Always there: terminateNodeWebSocket destroys the transport even without `terminate()`.
  override terminate(): void {
    terminateNodeWebSocket(this.inner);
  }
}

/**
 * Registers a `ws`-style socket with the manager and forwards its events.
 * @example
 * wss.handleUpgrade(req, socket, head, (ws) => acceptNodeWebSocket(manager, ws, decision));
 */
export function acceptNodeWebSocket(
  manager: WebSocketConnectionManager,
  socket: NodeWebSocketLike,
  decision: UpgradeAccepted,
): ConnectionEvents {
  const events = manager.accept(new NodeSocket(socket), decision);
  socket.on("message", (data, isBinary) => {
    events.message(Array.isArray(data) ? concat(data) : data, isBinary);
  });
  socket.on("pong", () => events.pong());
  socket.on("close", (code, reason) => events.close(code, decoder.decode(reason)));
  socket.on("error", (error) => events.error(error));
  return events;
}
