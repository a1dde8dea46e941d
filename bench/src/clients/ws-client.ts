/**
 * A wire-protocol-v1 client over `ws`, for agentsocket and the ws floor. Open means the server's
 * `connected` frame has arrived: the connection is authenticated and usable.
 */
import WebSocket from "ws";
import { epochNow } from "../fake-backend.ts";
import { withTimeout } from "../timeout.ts";
import type { BenchClient, ConnectOptions, PendingStream } from "./bench-client.ts";

interface Frame {
  type: string;
  requestId?: string;
  content?: string;
  error?: string;
}

/**
 * Connects with the token in the `Authorization` header and resolves on the `connected` frame.
 * @throws {Error} when the handshake is refused or times out.
 */
export function connectWsClient(options: ConnectOptions): Promise<BenchClient> {
  const { port, token, tally } = options;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
  });
  const streams = new Map<string, PendingStream>();

  const opened = new Promise<BenchClient>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("unexpected-response", (_request, response) =>
      reject(new Error(`Handshake refused: HTTP ${response.statusCode}`)),
    );
    socket.once("close", () => reject(new Error("Closed before the connected frame")));
    socket.on("message", (data) => {
      const receivedAt = epochNow();
      const frame = JSON.parse(String(data)) as Frame;
      switch (frame.type) {
        case "chunk":
          return tally.text(frame.content!, receivedAt);
        case "stream_complete":
        case "error": {
          const stream = streams.get(frame.requestId ?? "");
          streams.delete(frame.requestId ?? "");
          if (frame.type === "error") stream?.reject(new Error(frame.error));
          else stream?.resolve();
          return;
        }
        case "notice":
          tally.broadcasts++;
          return;
        case "connected":
          socket.removeAllListeners("close");
          socket.on("close", () => {
            for (const stream of streams.values()) stream.reject(new Error("Connection closed"));
          });
          socket.on("error", () => {});
          return resolve(client);
      }
    });
  });

  const client: BenchClient = {
    stream(requestId, prompt) {
      return new Promise((resolve, reject) => {
        streams.set(requestId, { resolve, reject });
        socket.send(JSON.stringify({ type: "stream", requestId, payload: { prompt } }));
      });
    },
    close: () => socket.close(),
  };

  return withTimeout(opened, options.timeout ?? 30_000, "ws connect").catch((error: unknown) => {
    socket.terminate();
    throw error;
  });
}
