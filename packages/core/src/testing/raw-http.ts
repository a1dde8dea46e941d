/**
 * Raw HTTP/1.1 over a TCP socket, for what a `ws` client or `fetch` will not send: malformed
 * upgrades, and a client that keeps its side of a refused handshake open.
 */
import { connect, type Socket } from "node:net";
import { within } from "./client.ts";

/** A complete response read off a {@link rawRequest} socket. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The parsed JSON body, or its text when it is not JSON. */
  body: unknown;
  /** The client's socket, still open on its side (`allowHalfOpen`); destroy it when done. */
  socket: Socket;
}

/**
 * Sends `GET`-style request `lines` (request line first, no trailing blank line) to the server of
 * `url` and resolves with its response once `Content-Length` bytes of body have arrived. The
 * client never ends or closes its side: only the server can free the connection.
 */
export function rawRequest(url: string, lines: string[]): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true });
  socket.on("error", () => {});
  const response = new Promise<RawResponse>((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      const [statusLine = "", ...fields] = buffer.subarray(0, end).toString("latin1").split("\r\n");
      const headers: Record<string, string> = {};
      for (const field of fields) {
        const colon = field.indexOf(":");
        headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (buffer.length - end - 4 < length) return;
      const text = buffer.subarray(end + 4, end + 4 + length).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: the text is the body.
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body, socket });
    });
    socket.on("close", () => reject(new Error(`the server closed ${url} without a response`)));
  });
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  return within(response, `a response from ${url}`);
}

/** The request lines of a WebSocket handshake for `path`, plus `extra` header lines. */
export function handshakeLines(path: string, extra: string[] = []): string[] {
  return [
    `GET ${path} HTTP/1.1`,
    "Host: localhost",
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...extra,
  ];
}
