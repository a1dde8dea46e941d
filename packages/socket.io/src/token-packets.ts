/**
 * The per-token event (`ai:token`, `chat:message`) pre-encoded: its packet is the same text every
 * time but for the token and its count, so the binding writes it as Socket.IO's broadcast does —
 * encoded by us, handed to `client._packet` with `preEncoded` — instead of `socket.emit` encoding
 * a fresh array and object (and walking them for binary) per token. Only where the result is the
 * very packet `socket.emit` would send: the server's encoder, checked once, writes exactly this
 * text; no connection state recovery (its emits are stored by the adapter); and no
 * `onAnyOutgoing` listener (it must see every packet). Otherwise `socket.emit` runs as before.
 */
import type { Socket } from "socket.io";

/** Writes one per-token event of a stream: the token's text and its count. */
export type TokenEmit = (text: string, count: number) => void;

/** What `socket.emit` goes through, below the public types. */
interface Internals {
  client: {
    encoder: { encode(packet: unknown): unknown };
    _packet(packet: unknown, options: { preEncoded: boolean; compress: boolean }): void;
  };
  nsp: { name: string; server: { opts: { connectionStateRecovery?: unknown } } };
  _anyOutgoingListeners?: unknown[];
}

/** Socket.IO's EVENT packet type. */
const EVENT = 2;
/** Whether an encoder writes events as socket.io-parser's default does; one check each. */
const plainEncoders = new WeakMap<object, boolean>();

/**
 * Emits `event` with `{ ...fields, [textKey]: text, [countKey]: count }` on `socket`, in that key
 * order; `fields` hold strings only and do not change for the stream.
 */
export function tokenEmitter(
  socket: Socket,
  event: string,
  fields: Record<string, string>,
  textKey: string,
  countKey?: string,
): TokenEmit {
  const internals = socket as unknown as Internals;
  const emit: TokenEmit =
    countKey === undefined
      ? (text) => void socket.emit(event, { ...fields, [textKey]: text })
      : (text, count) => void socket.emit(event, { ...fields, [textKey]: text, [countKey]: count });
  if (!encodesPlainly(internals, event)) return emit;
  const nsp = internals.nsp.name === "/" ? "" : `${internals.nsp.name},`;
  let head = `${EVENT}${nsp}[${JSON.stringify(event)},{`;
  for (const [key, value] of Object.entries(fields)) {
    head += `${JSON.stringify(key)}:${JSON.stringify(value)},`;
  }
  head += `${JSON.stringify(textKey)}:`;
  const countHead = countKey === undefined ? "" : `,${JSON.stringify(countKey)}:`;
  const options = { preEncoded: true, compress: true };
  const client = internals.client;
  return (text, count) => {
    if (internals._anyOutgoingListeners !== undefined && internals._anyOutgoingListeners.length) {
      return emit(text, count);
    }
    const tail = countKey === undefined ? "}]" : `${countHead}${count}}]`;
    client._packet(`${head}${JSON.stringify(text)}${tail}`, options);
  };
}

/** True when `socket.emit(event, …)` would encode its text payload as one plain JSON string. */
function encodesPlainly(socket: Internals, event: string): boolean {
  const { client, nsp } = socket;
  if (nsp.server.opts.connectionStateRecovery) return false;
  const encoder = client.encoder;
  const known = plainEncoders.get(encoder);
  if (known !== undefined) return known;
  // A probe through the server's own encoder: a custom parser (msgpack…) or a replacer differs.
  const probe = { type: EVENT, nsp: "/", data: [event, { k: "v\u27e8", n: 1 }] };
  let plain = false;
  try {
    const encoded = encoder.encode(probe);
    const expected = `${EVENT}[${JSON.stringify(event)},{"k":"v\u27e8","n":1}]`;
    plain = Array.isArray(encoded) && encoded.length === 1 && encoded[0] === expected;
  } catch {
    plain = false;
  }
  plainEncoders.set(encoder, plain);
  return plain;
}
