/**
 * The logs of `agentsocket serve`: one JSON line (pino) per HTTP request, WebSocket handshake and
 * closed WebSocket, at `LOG_LEVEL`. Credentials never reach a line: URLs go through `redactUrl`
 * (`?token=`, `?apiKey=`, `?ticket=`…), headers are not logged, and pino's `redact` blanks the
 * credential headers of anything else logged with a `req` or `headers`.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { pino, type DestinationStream, type Logger } from "pino";
import { CREDENTIAL_HEADERS, REDACTED, redactUrl } from "@agentsocket/core";

/** The levels `LOG_LEVEL` may name, quietest last. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** What a log line says about a request: never its headers, its URL with credentials redacted. */
export interface LoggedRequest {
  method: string | undefined;
  url: string;
  remoteAddress: string | undefined;
  origin?: string;
  userAgent?: string;
}

/** The loggable part of a Node request. */
export function describeRequest(request: IncomingMessage): LoggedRequest {
  const { origin, "user-agent": userAgent } = request.headers;
  return {
    method: request.method,
    url: redactUrl(request.url ?? "/"),
    remoteAddress: request.socket?.remoteAddress,
    ...(origin ? { origin } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
}

const REDACT_PATHS = CREDENTIAL_HEADERS.flatMap((name) => [
  `req.headers["${name}"]`,
  `headers["${name}"]`,
]);

/**
 * The logger of `serve`, writing JSON lines to `destination`.
 * @param level `LOG_LEVEL`. @default "info"
 * @throws {TypeError} naming `LOG_LEVEL` for a level pino does not know.
 */
export function createServeLogger(level: string | undefined, destination: DestinationStream) {
  const chosen = level || "info";
  if (!(LOG_LEVELS as readonly string[]).includes(chosen)) {
    throw new TypeError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(level)})`,
    );
  }
  return pino(
    {
      level: chosen,
      base: { name: "agentsocket", pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: {
        req: (request: IncomingMessage | LoggedRequest) =>
          "socket" in request
            ? describeRequest(request)
            : { ...request, url: redactUrl(request.url) },
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}

/** A 4xx is the client's doing (warn), a 5xx the server's (error). */
function levelOf(status: number): "info" | "warn" | "error" {
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

/** Logs every request and WebSocket handshake `server` answers, and every WebSocket it closes. */
export function logRequests(server: Server, logger: Logger): void {
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    response.once("close", () => {
      const status = response.statusCode;
      const fields = {
        req: describeRequest(request),
        res: { statusCode: status },
        responseTime: Math.round(performance.now() - started),
        ...(response.writableFinished ? {} : { aborted: true }),
      };
      logger[levelOf(status)](fields, "request");
    });
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex) =>
    logUpgrade(request, socket, logger),
  );
}

/**
 * Logs a handshake by the status line the server writes on the socket (101, or the refusal a
 * binding wrote), then the WebSocket's end: the same on every framework, whoever answers.
 */
function logUpgrade(request: IncomingMessage, socket: Duplex, logger: Logger): void {
  const started = performance.now();
  let status: number | undefined;
  const write = socket.write;
  const end = socket.end;
  const sniff = (chunk: unknown) => {
    if (status !== undefined) return;
    const head =
      typeof chunk === "string"
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(16, chunk.byteLength)).toString(
              "latin1",
            )
          : "";
    status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
    socket.write = write;
    socket.end = end;
    const fields = { req: describeRequest(request), res: { statusCode: status } };
    if (status === 101) logger.info(fields, "websocket opened");
    else logger[levelOf(status)](fields, "upgrade refused");
  };
  socket.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
    sniff(chunk);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Duplex["write"];
  socket.end = function (this: Duplex, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== "function" && chunk !== undefined) sniff(chunk);
    return (end as (...args: unknown[]) => Duplex).call(this, chunk, ...rest);
  } as Duplex["end"];
  socket.once("close", () => {
    const durationMs = Math.round(performance.now() - started);
    if (status === 101)
      logger.info({ req: describeRequest(request), durationMs }, "websocket closed");
    else if (status === undefined)
      logger.warn({ req: describeRequest(request), durationMs }, "upgrade dropped unanswered");
  });
}
