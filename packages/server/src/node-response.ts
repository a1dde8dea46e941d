/**
 * Writing a route outcome to a Node `ServerResponse` (Express and Fastify), streams included,
 * and the request-side context those frameworks share.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { flattenHeaders, type HttpRouteContext, type RouteOutcome } from "./routes.ts";

/** A signal that aborts when the client disconnects before the response has been written. */
function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The context of a Node request; `signal` aborts when the client disconnects before the end. */
export function nodeRouteContext(
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  body: unknown,
): HttpRouteContext {
  const url = new URL(req.url ?? "/", "http://localhost");
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    params,
    query: Object.fromEntries(url.searchParams),
    headers: flattenHeaders(req.headers),
    body,
    signal: disconnectSignal(res),
  };
}

/** A web `Request` over a Node request whose body has not been read (it streams on demand). */
export function toWebRequest(req: IncomingMessage, res: ServerResponse): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", "http://localhost"), {
    method,
    headers,
    signal: disconnectSignal(res),
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

/** Writes the outcome; a streamed body is piped with backpressure and cancelled on disconnect. */
export async function writeOutcome(res: ServerResponse, outcome: RouteOutcome): Promise<void> {
  if (outcome.kind === "empty") {
    res.writeHead(outcome.status).end();
    return;
  }
  if (outcome.kind === "json") {
    const body = JSON.stringify(outcome.body);
    res
      .writeHead(outcome.status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      })
      .end(body);
    return;
  }
  const { response } = outcome;
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body === null) {
    res.end();
    return;
  }
  res.flushHeaders();
  try {
    await pipeline(Readable.fromWeb(response.body as NodeWebStream<Uint8Array>), res);
  } catch {
    // The client went away mid-stream; pipeline has already cancelled the body.
  }
}
