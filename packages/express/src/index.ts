/**
 * @agentsocket/express — serves a {@link WebSocketConnectionManager} on any Node `http.Server`,
 * such as the one an Express app listens on. Other routes and other `upgrade` listeners (a dev
 * server's hot reload, another WebSocket library) keep working.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { WebSocketConnectionManager } from "@agentsocket/core";
import {
  acceptNodeWebSocket,
  answerUpgrade,
  parseRequestUrl,
  wsServerOptions,
} from "@agentsocket/core/adapter";

/**
 * Adds the manager's WebSocket endpoints to an existing HTTP server.
 *
 * Upgrade requests for the manager's paths are authenticated and upgraded; others are left to
 * the server's other `upgrade` listeners (or, when there are none, answered 404 `NOT_FOUND`, or
 * 400 `INVALID_HANDSHAKE` for another protocol such as h2c). A refusal is JSON `{ error, code }`
 * with its status, and its socket is destroyed once written.
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
    ...wsServerOptions(manager.config),
    maxPayload: manager.maxFrameSize(),
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = request.url ?? "/";
    const ours =
      request.headers.upgrade?.toLowerCase() === "websocket" &&
      manager.handlesPath(parseRequestUrl(url).pathname);
    // Somebody else's upgrade (another path or protocol): answered, 404 or 400, only when nobody
    // else is listening; core decides which.
    if (!ours && server.listenerCount("upgrade") > 1) return;
    // A client may reset the connection while auth is pending; that must not crash the process.
    const ignore = () => {};
    socket.on("error", ignore);
    void manager
      .authorizeUpgrade({
        url,
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        remoteAddress: request.socket.remoteAddress,
      })
      .then((decision) => {
        if (socket.destroyed) return;
        // The refusal is written whole, then the socket is destroyed: never left half-open.
        if (!decision.ok || !ours)
          return answerUpgrade(socket, decision.ok ? NOT_FOUND : decision.error);
        wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off("error", ignore);
          acceptNodeWebSocket(manager, ws, decision);
        });
      })
      .catch(() => {
        // Never a hung handshake: whatever failed, the client gets an answer and the socket goes.
        if (!socket.destroyed) void answerUpgrade(socket, INTERNAL_ERROR);
      });
  };

  server.on("upgrade", onUpgrade);
  return () => {
    server.off("upgrade", onUpgrade);
    wss.close();
  };
}

const NOT_FOUND = { code: "NOT_FOUND", message: "Not found" };
const INTERNAL_ERROR = { code: "INTERNAL_ERROR", message: "Internal error" };
