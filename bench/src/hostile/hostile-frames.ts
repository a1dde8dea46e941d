/**
 * The fuzz script's frames, from a seeded generator so a failing run can be replayed: random
 * bytes, invalid UTF-8, random text, truncated and deeply nested JSON, prototype-pollution keys,
 * a wrong-typed value in every field of every message type (each combination in turn), odd
 * requestIds, unknown types, JSON that is not an object, and frames over `maxMessageSize`.
 */

/** What a frame tries. */
export type FrameKind =
  | "random-bytes"
  | "invalid-utf8"
  | "random-text"
  | "truncated-json"
  | "nested-json"
  | "prototype-keys"
  | "wrong-type"
  | "request-id"
  | "unknown-type"
  | "non-object"
  | "oversize";

/** One frame to send: text (`binary: false`, possibly bytes that are not UTF-8) or binary. */
export interface HostileFrame {
  kind: FrameKind;
  data: string | Buffer;
  binary: boolean;
}

/** The kinds after which the server must close the connection, and with which code. */
export const CLOSING_KINDS: Partial<Record<FrameKind, number>> = {
  "invalid-utf8": 1007, // RFC 6455 §8.1
  oversize: 1009,
};

/** How often each kind comes up, per 10,000 frames. */
const WEIGHTS: Record<FrameKind, number> = {
  "wrong-type": 3600,
  "truncated-json": 1200,
  "prototype-keys": 1000,
  "random-bytes": 900,
  "random-text": 900,
  "request-id": 800,
  "unknown-type": 700,
  "non-object": 500,
  "nested-json": 300,
  "invalid-utf8": 98,
  oversize: 2,
};

/** A seeded PRNG (mulberry32): the same seed gives the same frames. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A valid message of every type (`options.model` is left out: with no `allowedModels` every
 * model is refused); `wrong-type` frames replace one field at a time.
 */
const TEMPLATES: Record<string, { [key: string]: Json }> = {
  generate: {
    type: "generate",
    requestId: "g",
    payload: { prompt: "hello", options: { temperature: 0.5, maxTokens: 8 } },
  },
  stream: {
    type: "stream",
    requestId: "s",
    payload: { prompt: "hello", options: { temperature: 0.5, maxTokens: 8 } },
  },
  tool_call: {
    type: "tool_call",
    requestId: "t",
    payload: { toolName: "calculator", args: { expression: "1+1" } },
  },
  cancel: { type: "cancel", requestId: "c", payload: { requestId: "s" } },
  ping: { type: "ping", timestamp: 1, payload: { timestamp: 1 } },
  pong: { type: "pong", timestamp: 1 },
  frobnicate: { type: "frobnicate", requestId: "u", payload: { anything: true } },
};

/** Values of the wrong type or out of range for some field (each is tried in every field). */
const WRONG_VALUES: Json[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  "",
  " \t\n",
  "x".repeat(40_000), // over maxPromptLength and the requestId limit
  "\u0000",
  "\ud800", // a lone surrogate
  "__proto__",
  [],
  ["hello"],
  {},
  { prompt: "hello" },
];

/** Every object path of `value`, the root included (where keys can be added). */
function objectPaths(value: Json, path: string[] = []): string[][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  return [path, ...Object.entries(value).flatMap(([key, v]) => objectPaths(v, [...path, key]))];
}

/** Every field path of `value` (leaves and objects, not the root). */
function fieldPaths(value: Json, path: string[] = []): string[][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [path];
  const inner = Object.entries(value).flatMap(([key, v]) => fieldPaths(v, [...path, key]));
  return path.length === 0 ? inner : [path, ...inner];
}

/** A deep copy of `value` with `path` set to `replacement`. */
function withField(value: Json, path: string[], replacement: Json): Json {
  const copy = structuredClone(value) as { [key: string]: Json };
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as { [key: string]: Json };
  target[path.at(-1)!] = replacement;
  return copy;
}

/** Every (message type, field, wrong value) combination, in a fixed order. */
const WRONG_TYPE_FRAMES: string[] = Object.values(TEMPLATES).flatMap((template) =>
  fieldPaths(template).flatMap((path) =>
    WRONG_VALUES.map((value) => JSON.stringify(withField(template, path, value))),
  ),
);

const POLLUTING_KEYS = ["__proto__", "constructor", "prototype"];
const POLLUTING_VALUES: Json[] = [
  { polluted: true },
  { prototype: { polluted: true } },
  { type: "stream", toString: "x", hasOwnProperty: 1 },
];
const ODD_TYPES = ["__proto__", "constructor", "toString", "hasOwnProperty", "GENERATE", ""];
const ODD_IDS: Json[] = [
  "",
  "x".repeat(129),
  "x".repeat(100_000),
  "x".repeat(128), // the longest accepted
  "🔥".repeat(64),
  "__proto__",
  "\u0000",
  1,
  null,
  {},
  [],
];
const NON_OBJECTS = ["", "null", "1", '"generate"', "[]", "true", '[{"type":"generate"}]', " "];
const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xe2, 0x82], // truncated
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
];
/** The default `maxMessageSize` of core (1 MiB). */
const MAX_MESSAGE_SIZE = 1024 * 1024;

/**
 * A source of hostile frames; the same `seed` gives the same sequence.
 * @example const next = createFrameSource(1); socket.send(next().data);
 */
export function createFrameSource(seed: number): () => HostileFrame {
  const random = createRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const template = () => pick(Object.values(TEMPLATES));
  const randomString = (length: number) =>
    String.fromCharCode(...Array.from({ length }, () => int(0x10000)));
  const kinds = Object.entries(WEIGHTS) as [FrameKind, number][];
  const total = kinds.reduce((sum, [, weight]) => sum + weight, 0);
  let wrongTypeIndex = 0;

  const build: Record<FrameKind, () => string | Buffer> = {
    "random-bytes": () => Buffer.from(Array.from({ length: int(4096) }, () => int(256))),
    "invalid-utf8": () => {
      const valid = Buffer.from(JSON.stringify(template()));
      const at = int(valid.length);
      return Buffer.concat([
        valid.subarray(0, at),
        Buffer.from(pick(INVALID_UTF8)),
        valid.subarray(at),
      ]);
    },
    "random-text": () => (random() < 0.5 ? "{" : "") + randomString(1 + int(2000)),
    "truncated-json": () => {
      const text = JSON.stringify(template());
      return text.slice(0, int(text.length));
    },
    "nested-json": () => {
      // Depth from 10 to 100,000, log-uniform: stack-deep parsers fail at a few thousand.
      const depth = Math.round(10 ** (1 + random() * 4));
      const [open, close] = random() < 0.5 ? ["[", "]"] : ['{"a":', "}"];
      const nested = open.repeat(depth) + (open === "[" ? "" : "1") + close.repeat(depth);
      const where = int(3);
      if (where === 0) return nested;
      if (where === 1) return `{"type":"generate","payload":{"prompt":${nested}}}`;
      return `{"type":"tool_call","payload":{"toolName":"calculator","args":${nested}}}`;
    },
    "prototype-keys": () => {
      const message = template();
      const path = pick(objectPaths(message));
      const marker = "@@polluting-key@@";
      const text = JSON.stringify(withField(message, [...path, marker], pick(POLLUTING_VALUES)));
      return text.replace(`"${marker}"`, JSON.stringify(pick(POLLUTING_KEYS)));
    },
    "wrong-type": () => WRONG_TYPE_FRAMES[wrongTypeIndex++ % WRONG_TYPE_FRAMES.length]!,
    "request-id": () => JSON.stringify({ ...template(), requestId: pick(ODD_IDS) }),
    "unknown-type": () =>
      JSON.stringify({
        type: random() < 0.3 ? pick(ODD_TYPES) : randomString(1 + int(64)),
        requestId: "u",
        payload: {},
      }),
    "non-object": () => pick(NON_OBJECTS),
    oversize: () => "x".repeat(MAX_MESSAGE_SIZE + 1 + int(1000)),
  };

  return () => {
    let roll = random() * total;
    const [kind] = kinds.find(([, weight]) => (roll -= weight) < 0) ?? kinds[0]!;
    const data = build[kind]();
    return { kind, data, binary: kind === "random-bytes" };
  };
}

/** How many distinct wrong-type frames there are (the fuzz covers each at least once). */
export const WRONG_TYPE_COMBINATIONS = WRONG_TYPE_FRAMES.length;
