/**
 * Writing a route outcome to a Node `ServerResponse` (Express and Fastify), streams included,
 * and the request-side context those frameworks share.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { flattenHeaders, type RouteContext, type RouteOutcome } from "./routes.ts";

/** The context of a Node request; `signal` aborts when the client disconnects before the end. */
export function nodeRouteContext(
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  body: unknown,
): RouteContext {
  const url = new URL(req.url ?? "/", "http://localhost");
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    params,
    query: Object.fromEntries(url.searchParams),
    headers: flattenHeaders(req.headers),
    body,
    signal: controller.signal,
  };
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
