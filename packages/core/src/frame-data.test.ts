/**
 * A fan-out message encoded once (`PreparedFrame`): byte for byte the frame `ws` itself builds
 * for a server-sent message, at each edge of the three length encodings (RFC 6455 §5.2).
 */
import { expect, it } from "vitest";
import * as ws from "ws";
import { PreparedFrame } from "./frame-data.ts";

// `ws`'s own framing (untyped in @types/ws): the oracle.
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } };

/** The frame `ws` sends for `data`: FIN, text or binary, unmasked, uncompressed. */
function wsFrame(data: string | Uint8Array): Uint8Array {
  const binary = typeof data !== "string";
  const payload = Buffer.from(data);
  const options = { fin: true, opcode: binary ? 2 : 1, mask: false, readOnly: false, rsv1: false };
  return Buffer.concat(Sender.frame(payload, options));
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);

it.each([0, 1, 125, 126, 127, 65_535, 65_536, 300_000])(
  "frames a %i-byte payload as ws does, text and binary",
  (size) => {
    const binary = new PreparedFrame(bytes(size));
    expect(Buffer.from(binary.bytes).equals(wsFrame(bytes(size)))).toBe(true);
    expect(binary.payloadLength).toBe(size);
    const text = "x".repeat(size);
    const framed = new PreparedFrame(text);
    expect(Buffer.from(framed.bytes).equals(wsFrame(text))).toBe(true);
    expect(framed.data).toBe(text);
  },
);

it("counts a string's payload in UTF-8 bytes and encodes it as UTF-8", () => {
  const text = '{"type":"héllo","emoji":"😀✓"}';
  const frame = new PreparedFrame(text);
  expect(frame.payloadLength).toBe(Buffer.byteLength(text));
  expect(Buffer.from(frame.bytes).equals(wsFrame(text))).toBe(true);
  expect(frame.bytes[0]).toBe(0x81); // FIN + text
});

it("takes an ArrayBuffer or a view into a larger buffer, and copies the payload", () => {
  const backing = bytes(64);
  const view = new Uint8Array(backing.buffer, 10, 5);
  const expected = [0x82, 5, ...backing.slice(10, 15)];
  const frame = new PreparedFrame(view);
  expect([...frame.bytes]).toEqual(expected);
  view.fill(0); // changing the caller's bytes afterwards does not change the frame
  expect([...frame.bytes]).toEqual(expected);
  const fromBuffer = new PreparedFrame(bytes(3).buffer);
  expect([...fromBuffer.bytes]).toEqual([0x82, 3, ...bytes(3)]);
});
