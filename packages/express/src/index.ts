/**
 * @agentsocket/express — serves a {@link WebSocketConnectionManager} on any Node `http.Server`,
 * such as the one an Express app listens on. Other routes and other `upgrade` listeners (a dev
 * server's hot reload, another WebSocket library) keep working.
 */
import type { IncomingMessage, Server } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { WebSocketConnectionManager } from "@agentsocket/core";
import {
  acceptNodeWebSocket,
  parseRequestUrl,
  type UpgradeRejected,
} from "@agentsocket/core/adapter";

/**
 * Adds the manager's WebSocket endpoints to an existing HTTP server.
 *
 * Upgrade requests for the manager's paths are authenticated and upgraded; others are left to
 * the server's other `upgrade` listeners (or answered 404 when there are none).
 *
 * @param server the `http.Server` (e.g. `app.listen(3000)` in Express).
 * @param manager the connection manager whose handlers serve the connections.
 * @returns a function that detaches the endpoint; open connections stay until closed.
 * @example
 * const app = express();
 * const server = app.listen(3000);
 * const manager = new WebSocketConnectionManager({ auth: { strategy: "bearer", jwt: { secret } } });
 * attachWebSocket(server, manager);
 */
export function attachWebSocket(
  server: Server | HttpsServer,
  manager: WebSocketConnectionManager,
): () => void {
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: manager.config.maxMessageSize,
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = request.url ?? "/";
    if (!manager.handlesPath(parseRequestUrl(url).pathname)) {
      // Somebody else's endpoint; answer only when nobody else is listening.
      if (server.listenerCount("upgrade") === 1) writeRejection(socket, 404, "Not Found");
      return;
    }
    // A client may reset the connection while auth is pending; that must not crash the process.
    const ignore = () => {};
    socket.on("error", ignore);
    void manager
      .authorizeUpgrade({
        url,
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress,
      })
      .then((decision) => {
        if (socket.destroyed) return;
        if (!decision.ok) return reject(socket, decision);
        wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off("error", ignore);
          acceptNodeWebSocket(manager, ws, decision);
        });
      })
      .catch(() => {
        // Never a hung handshake: whatever failed, the client gets an answer and the socket goes.
        if (!socket.destroyed) writeRejection(socket, 500, "Internal error");
      });
  };

  server.on("upgrade", onUpgrade);
  return () => {
    server.off("upgrade", onUpgrade);
    wss.close();
  };
}

function reject(socket: Duplex, decision: UpgradeRejected): void {
  writeRejection(socket, decision.status, decision.error.message, decision.error.code);
}

/** Answers a handshake with an HTTP error instead of `101 Switching Protocols`. */
function writeRejection(socket: Duplex, status: number, message: string, code?: string): void {
  const body = JSON.stringify(code ? { error: message, code } : { error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n` +
      "Connection: close\r\nContent-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
