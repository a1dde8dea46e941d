/**
 * A Socket.IO client (websocket transport only, token in `auth`). Open means `connect`: the
 * server's middleware accepted the token. The plain Socket.IO server speaks wire-protocol-like
 * events (`stream` → `chunk`…`stream_complete`); agentsocket's binding speaks seed 002's
 * (`ai:stream` → `ai:token`…`ai:done`).
 */
import { io } from "socket.io-client";
import { epochNow } from "../fake-backend.ts";
import { withTimeout } from "../timeout.ts";
import type { BenchClient, ConnectOptions, PendingStream } from "./bench-client.ts";

/** The event names and fields of one server's vocabulary. */
const VOCABULARIES = {
  plain: {
    stream: "stream",
    id: "requestId",
    text: "chunk",
    content: "content",
    done: "stream_complete",
    failed: "error_frame",
  },
  agent: {
    stream: "ai:stream",
    id: "streamId",
    text: "ai:token",
    content: "data",
    done: "ai:done",
    failed: "ai:stream:error",
  },
} as const;

/**
 * Connects and resolves on `connect`.
 * @throws {Error} when the middleware refuses the token or the connection times out.
 */
export function connectSocketIoClient(options: ConnectOptions): Promise<BenchClient> {
  const { port, token, tally } = options;
  const socket = io(`http://127.0.0.1:${port}`, {
    transports: ["websocket"],
    auth: { token },
    forceNew: true,
    reconnection: false,
    timeout: options.timeout ?? 30_000,
  });
  const streams = new Map<string, PendingStream>();
  const words = VOCABULARIES[options.kind === "socketio-agent" ? "agent" : "plain"];
  type Frame = Record<string, string>;

  socket.on(words.text, (frame: Frame) => tally.text(frame[words.content]!, epochNow()));
  socket.on(words.done, (frame: Frame) => {
    streams.get(frame[words.id]!)?.resolve();
    streams.delete(frame[words.id]!);
  });
  socket.on(words.failed, (frame: Frame) => {
    streams.get(frame[words.id]!)?.reject(new Error(frame.error));
    streams.delete(frame[words.id]!);
  });
  socket.on("broadcast", () => {
    tally.broadcasts++;
  });

  const opened = new Promise<BenchClient>((resolve, reject) => {
    socket.once("connect", () => {
      socket.on("disconnect", () => {
        for (const stream of streams.values()) stream.reject(new Error("Disconnected"));
      });
      resolve(client);
    });
    socket.once("connect_error", reject);
  });

  const client: BenchClient = {
    stream(requestId, prompt) {
      return new Promise((resolve, reject) => {
        streams.set(requestId, { resolve, reject });
        socket.emit(words.stream, { [words.id]: requestId, prompt });
      });
    },
    close: () => void socket.disconnect(),
  };

  return withTimeout(opened, (options.timeout ?? 30_000) + 1000, "Socket.IO connect").catch(
    (error: unknown) => {
      socket.disconnect();
      throw error;
    },
  );
}
