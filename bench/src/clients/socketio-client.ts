/**
 * A Socket.IO client (websocket transport only, token in `auth`). Open means `connect`: the
 * server's middleware accepted the token.
 */
import { io } from "socket.io-client";
import { epochNow } from "../fake-backend.ts";
import { withTimeout } from "../timeout.ts";
import type { BenchClient, ConnectOptions, PendingStream } from "./bench-client.ts";

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

  socket.on("chunk", (frame: { content: string }) => tally.text(frame.content, epochNow()));
  socket.on("stream_complete", (frame: { requestId: string }) => {
    streams.get(frame.requestId)?.resolve();
    streams.delete(frame.requestId);
  });
  socket.on("error_frame", (frame: { requestId: string; error: string }) => {
    streams.get(frame.requestId)?.reject(new Error(frame.error));
    streams.delete(frame.requestId);
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
        socket.emit("stream", { requestId, prompt });
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
