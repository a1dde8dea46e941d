/**
 * Prepared frames on a real `ws` server socket: written as they are, in order with the socket's
 * own sends, the frames of one turn in one write to the TCP socket (issue 14); never on a
 * connection that negotiated permessage-deflate. Text frames encoded straight into one buffer
 * and written in one write, whatever their length's header form; chunk frames encoded piece by
 * piece into the same JSON their text form has.
 */
import { once } from "node:events";
import { afterEach, expect, it } from "vitest";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { ChunkPrefix } from "./chunk-frame.ts";
import { PreparedFrame } from "./frame-data.ts";
import {
  writeChunkFrame,
  writePreparedFrame,
  writesPreparedFrames,
  writeTextFrame,
} from "./node-frames.ts";

let wss: WebSocketServer | undefined;
const clients: WebSocket[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.terminate();
  wss?.close();
});

interface Transport {
  writableLength: number;
  _write(...args: unknown[]): void;
  _writev(...args: unknown[]): void;
}

/** A connected pair; `writes` counts the server TCP socket's writes to the kernel. */
async function pair(perMessageDeflate = false) {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate });
  await once(wss, "listening");
  const { port } = wss.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  clients.push(client);
  const [server] = (await once(wss, "connection")) as [WebSocket];
  await once(client, "open");
  const received: (string | number[])[] = [];
  client.on("message", (data: RawData, isBinary) => {
    const bytes = data as Buffer;
    received.push(isBinary ? [...bytes] : bytes.toString());
  });
  const transport = (server as unknown as { _socket: Transport })._socket;
  const counter = { writes: 0 };
  for (const method of ["_write", "_writev"] as const) {
    const original = transport[method].bind(transport);
    transport[method] = (...args: unknown[]) => (counter.writes++, original(...args));
  }
  const until = async (count: number) => {
    while (received.length < count) await once(client, "message");
  };
  return { server, client, transport, received, counter, until };
}

it("writes the frames of one turn to the TCP socket at once, in order with plain sends", async () => {
  const { server, client, transport, received, counter, until } = await pair();
  expect(writesPreparedFrames(server)).toBe(true);
  expect(writesPreparedFrames(client)).toBe(false); // a client's frames must be masked
  const text = new PreparedFrame('{"type":"héllo"}');
  const binary = new PreparedFrame(new Uint8Array([1, 2, 3]));
  for (let i = 0; i < 50; i++) writePreparedFrame(server, i % 2 ? binary : text);
  server.send("plain"); // the socket's own frame, behind the prepared ones
  writePreparedFrame(server, text);
  expect(counter.writes).toBe(0); // held until the end of the turn
  expect(transport.writableLength).toBeGreaterThan(0);
  await until(52);
  expect(counter.writes).toBe(1);
  expect(received.slice(0, 2)).toEqual(['{"type":"héllo"}', [1, 2, 3]]);
  expect(received.slice(48)).toEqual(['{"type":"héllo"}', [1, 2, 3], "plain", '{"type":"héllo"}']);
});

it("writes at once past 16 KiB held, so a turn's fan-out never holds much", async () => {
  const { server, transport, counter, until } = await pair();
  const frame = new PreparedFrame("y".repeat(6000));
  for (let i = 0; i < 20; i++) {
    writePreparedFrame(server, frame);
    expect(transport.writableLength).toBeLessThanOrEqual(16 * 1024 + 6010);
  }
  expect(counter.writes).toBeGreaterThanOrEqual(6);
  await until(20);
});

it("is not offered on a permessage-deflate connection, a client's end, or a socket that is not ws", async () => {
  const { server, client } = await pair({ threshold: 0 } as never);
  expect(server.extensions).toMatch(/^permessage-deflate/);
  expect(writesPreparedFrames(server)).toBe(false);
  expect(writesPreparedFrames(client)).toBe(false);
  expect(writesPreparedFrames({ send() {}, readyState: 1 })).toBe(false);
});

it("hands frames for a socket that is no longer open to its own send", async () => {
  const { server, client } = await pair();
  client.close();
  await once(server, "close");
  const errors: unknown[] = [];
  const send = server.send.bind(server);
  server.send = ((data: string) => send(data, (error) => errors.push(error))) as never;
  writePreparedFrame(server, new PreparedFrame("late"));
  writeTextFrame(server, "late too");
  await new Promise((resolve) => setImmediate(resolve));
  expect(errors).toHaveLength(2); // ws answered both sends: the socket is closed
});

it("writes a text frame in one write, intact at every header size and in order", async () => {
  const { server, received, counter, until } = await pair();
  const sends: unknown[] = [];
  const send = server.send.bind(server);
  server.send = ((data: string) => (sends.push(data), send(data))) as never;
  // Payload byte lengths at the edges of the 7-bit, 16-bit and 64-bit length forms, and text of
  // 1-, 2-, 3- and 4-byte characters (a surrogate pair is one 4-byte character).
  const texts = [
    "",
    "a".repeat(125),
    "a".repeat(126),
    "é".repeat(62) + "a", // 125 bytes from 63 characters
    "é".repeat(63), // 126 bytes
    "a".repeat(65_535),
    "a".repeat(65_536),
    "⟨1.5⟩hello 😀 " + "€".repeat(30_000),
  ];
  for (const text of texts) {
    const before = counter.writes;
    writeTextFrame(server, text);
    expect(counter.writes - before).toBe(1);
  }
  writePreparedFrame(server, new PreparedFrame("prepared")); // corked until the end of the turn
  writeTextFrame(server, "behind it");
  server.send("plain");
  await until(texts.length + 3);
  expect(sends).toEqual(["plain"]); // only the socket's own frame went through ws's send
  expect(received).toEqual([...texts, "prepared", "behind it", "plain"]);
});

it("writes a chunk frame in one write, the same JSON as the frame's text, and its byte size", async () => {
  const { server, received, counter, until } = await pair();
  const sends: unknown[] = [];
  const send = server.send.bind(server);
  server.send = ((data: string) => (sends.push(data), send(data))) as never;
  const prefix = new ChunkPrefix('req-"é"-1');
  // Text with nothing to escape (also DEL and U+2028, which JSON.stringify leaves as they are)
  // and text with escapes, 2-, 3- and 4-byte characters, a lone surrogate (JSON.stringify escapes
  // it), the 16-bit length form, and seq numbers of one to sixteen digits.
  const chunks: [number, string][] = [
    [1, "hello "],
    [2, "⟨1764770000000.125⟩wörd \u007f \u2028 "],
    [9, 'quote " backslash \\ newline \n tab \t nul \u0000'],
    [10, "⟨1764770000000.125⟩wörd 😀 "],
    [1234567, "lone \ud800 surrogate"],
    [2 ** 53 - 1, "€".repeat(3000)],
    [11, "a".repeat(70_000)], // the 64-bit length form
  ];
  const sizes: number[] = [];
  for (const [seq, content] of chunks) {
    const before = counter.writes;
    sizes.push(writeChunkFrame(server, prefix, seq, content));
    expect(counter.writes - before).toBe(1);
  }
  server.send("plain");
  await until(chunks.length + 1);
  expect(sends).toEqual(["plain"]);
  const texts = chunks.map(([seq, content]) => prefix.frame(seq, content));
  expect(received).toEqual([...texts, "plain"]);
  expect(sizes).toEqual(texts.map((text) => Buffer.byteLength(text)));
  expect(JSON.parse(received[4] as string)).toEqual({
    type: "chunk",
    requestId: 'req-"é"-1',
    seq: 1234567,
    content: "lone \ud800 surrogate",
  });
});

it("sends a chunk frame through ws, in order, while its sender is busy, and after close", async () => {
  const { server, client, received, until } = await pair();
  const prefix = new ChunkPrefix("r");
  server.send(new Blob(["blob first"])); // ws's sender is busy until the blob's bytes are read
  const sends: unknown[] = [];
  const send = server.send.bind(server);
  server.send = ((data: string) => (sends.push(data), send(data))) as never;
  expect(writeChunkFrame(server, prefix, 1, "é")).toBe(Buffer.byteLength(prefix.frame(1, "é")));
  expect(sends).toEqual([prefix.frame(1, "é")]);
  await until(2);
  expect(received).toEqual([[..."blob first"].map((c) => c.charCodeAt(0)), prefix.frame(1, "é")]);
  client.close();
  await once(server, "close");
  const errors: unknown[] = [];
  server.send = ((data: string) => send(data, (error) => errors.push(error))) as never;
  writeChunkFrame(server, prefix, 2, "late");
  await new Promise((resolve) => setImmediate(resolve));
  expect(errors).toHaveLength(1);
});
