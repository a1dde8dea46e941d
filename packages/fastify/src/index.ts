/**
 * @agentsocket/fastify — a Fastify plugin that serves a {@link WebSocketConnectionManager}.
 * Upgrade requests travel Fastify's router and hook chain like any request, so the app's own
 * `onRequest` hooks (auth, rate limits, logging) run before core authorizes the handshake; a
 * refusal is an HTTP status on the handshake, never a `101` followed by a close.
 */
import websocket from "@fastify/websocket";
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from "fastify";
import fp from "fastify-plugin";
import { CloseCode, type WebSocketConnectionManager } from "@agentsocket/core";
import {
  acceptNodeWebSocket,
  refusalBody,
  refusalStatus,
  type Refusal,
  type UpgradeAccepted,
  wsServerOptions,
} from "@agentsocket/core/adapter";

/** Options of the {@link agentsocket} plugin. */
export interface AgentSocketFastifyOptions {
  /**
   * The connection manager whose handlers serve the connections. One `GET` route is added for
   * each of `manager.paths()` at registration time, so register its handlers first.
   */
  manager: WebSocketConnectionManager;
}

async function agentsocketPlugin(
  fastify: FastifyInstance,
  options: AgentSocketFastifyOptions,
): Promise<void> {
  const { manager } = options;
  if (typeof manager?.authorizeUpgrade !== "function") {
    throw new TypeError('The "manager" option must be a WebSocketConnectionManager');
  }
  const ownsWebsocket = !fastify.hasDecorator("websocketServer");
  if (ownsWebsocket) {
    await fastify.register(websocket, {
      options: {
        ...wsServerOptions(manager.config),
        maxPayload: manager.maxFrameSize(),
        clientTracking: false,
      },
    });
  }

  const accepted = new WeakMap<
    FastifyRequest,
    { decision: UpgradeAccepted; reply: FastifyReply }
  >();

  const decide = (request: FastifyRequest) =>
    manager.authorizeUpgrade({
      url: request.url,
      headers: request.headers,
      rawHeaders: request.raw.rawHeaders,
      remoteAddress: request.ip,
    });
  // Written over the upgrade socket as a plain HTTP response, which is then destroyed.
  const refuse = (reply: FastifyReply, refusal: Refusal) =>
    reply.code(refusalStatus(refusal)).header("connection", "close").send(refusalBody(refusal));

  // Callback style, as the onRequest hook below: an async hook is a promise and its reactions on
  // every handshake, garbage that on Node 24 stays resident as young-generation pages.
  function authorize(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    // A plain GET is left to @fastify/websocket, which answers 404.
    if (!request.ws) return done();
    decide(request).then(
      (decision) => {
        if (!decision.ok) return refuse(reply, decision.error);
        accepted.set(request, { decision, reply });
        done();
      },
      (error: Error) => done(error),
    );
  }

  // Upgrades no route will take — another protocol (h2c), or an unknown path — get core's answer
  // (400 or 404 with { error, code }) instead of ws's text/html or Fastify's own 404 body.
  // Callback style, as `authorize`.
  fastify.addHook("onRequest", (request, reply, done) => {
    if (!request.ws) return done();
    if (!request.is404 && request.headers.upgrade?.toLowerCase() === "websocket") return done();
    decide(request).then(
      (decision) => (decision.ok ? done() : refuse(reply, decision.error)),
      (error: Error) => done(error),
    );
  });

  for (const path of manager.paths()) {
    fastify.route({
      method: "GET",
      url: path,
      preValidation: authorize,
      // Not an upgrade: `Upgrade: websocket` with `Connection: keep-alive` is core's 400, a plain
      // GET a JSON 404.
      handler: async (request, reply) => {
        const decision = request.headers.upgrade === undefined ? undefined : await decide(request);
        refuse(reply, decision?.ok === false ? decision.error : NO_HANDSHAKE);
      },
      wsHandler: (socket, request) => {
        const handshake = accepted.get(request);
        if (handshake === undefined) {
          socket.close(CloseCode.INTERNAL_ERROR, "Handshake was not authorized");
          return;
        }
        accepted.delete(request);
        const { decision, reply } = handshake;
        // Core closes its connections with 1001 on `app.close()`; left in a tracking ws server's
        // set, @fastify/websocket's own preClose would close them first, without a code (1005).
        fastify.websocketServer.clients?.delete(socket);
        releaseHandshake(reply, socket, ownsWebsocket);
        acceptNodeWebSocket(manager, socket, decision);
      },
    });
  }

  // @fastify/websocket destroys a refused upgrade's socket only when `request.ws` is set, which
  // its own onRequest hook does; an app hook that runs before it and replies leaves the socket
  // open, and `app.close()` then waits for it forever.
  fastify.addHook("onResponse", async (request) => {
    const { connection = "", upgrade } = request.headers;
    if (upgrade !== undefined && /\bupgrade\b/i.test(connection)) request.raw.socket.destroy();
  });

  fastify.addHook("preClose", async () => {
    await manager.closeAll();
  });
}

/**
 * Lets go of what @fastify/websocket keeps of the handshake for the socket's life (the request,
 * the reply and their Node request and response: heap snapshots of idle connections). The Node
 * response stays attached to the TCP socket (`assignSocket`) unless detached; and the plugin's
 * own 'error' listener holds the request and reply. Ours, with its default error handler (log,
 * terminate — `ws` has destroyed the socket already), can go: core reports the error to the
 * path's onError. An app's own @fastify/websocket keeps its error handler.
 */
function releaseHandshake(
  reply: FastifyReply,
  socket: { removeAllListeners(event: "error"): unknown },
  ownsWebsocket: boolean,
): void {
  const response = reply.raw;
  if (response.socket) response.detachSocket(response.socket);
  if (ownsWebsocket) socket.removeAllListeners("error");
}

const NO_HANDSHAKE = {
  code: "NOT_FOUND",
  message: "Not found: this path serves WebSocket handshakes",
};

/**
 * Serves the manager's WebSocket endpoints on a Fastify app. Registers `@fastify/websocket`
 * (with `maxPayload` set to `manager.maxFrameSize()`, and permessage-deflate when
 * `manager.config.compression` is on) unless the app already has; core closes oversize frames
 * with 1009 either way. `app.close()` closes every connection with 1001
 * before the server stops.
 *
 * @throws {TypeError} at registration when the `manager` option is missing.
 *
 * @example
 * const manager = new WebSocketConnectionManager({ auth: { strategy: "bearer", jwt: { secret } } });
 * manager.registerHandler("/ws", { onMessage: (conn, msg) => manager.send(conn.id, msg.data) });
 * const app = Fastify();
 * await app.register(agentsocket, { manager });
 * await app.listen({ port: 3000 });
 */
export const agentsocket = fp(agentsocketPlugin, {
  fastify: "5.x",
  name: "@agentsocket/fastify",
});

export default agentsocket;
