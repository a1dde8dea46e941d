/**
 * HTTP requests for the conformance suite whose header lines go out exactly as given (duplicates
 * included, which `fetch` merges) and whose body can be held back, to see what a server answers
 * before it has read a byte it should not need.
 */
import { request, type OutgoingHttpHeaders } from "node:http";

/** What an {@link httpRequest} got back. */
export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An {@link httpRequest}: header lines as `[name, value]` pairs, and body chunks to write. */
export interface HttpRequestInit {
  method?: string;
  headers?: [string, string][];
  /** Written in order, waiting for the socket to drain; the server may answer before the last. */
  chunks?: Uint8Array[];
  /** End the body after the chunks; false leaves it open (the declared length never arrives). @default true */
  end?: boolean;
}

/** Header lines in Node's `rawHeaders` form, plus the `Host` a list of lines does not get. */
const lines = (url: string, headers: [string, string][]) =>
  [["Host", new URL(url).host], ...headers].flat() as unknown as OutgoingHttpHeaders;

/** Sends one request and resolves with the response; the request is dropped once answered. */
export function httpRequest(url: string, init: HttpRequestInit = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, {
      method: init.method ?? "POST",
      headers: lines(url, init.headers ?? []),
    });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => (body += text));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        req.destroy();
      });
      res.on("error", () => {});
    });
    // A server that answers early may reset the upload: that is an outcome, not a failure.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (const chunk of init.chunks ?? []) {
        if (answered || req.destroyed) return;
        if (!req.write(chunk)) await new Promise((drained) => req.once("drain", drained));
      }
      if (init.end ?? true) req.end();
    })().catch(() => {});
  });
}
