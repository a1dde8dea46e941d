/**
 * One stream's `chunk` frames, for a transport that encodes them itself: the frame
 * `{"type":"chunk","requestId":…,"seq":N,"content":…}` is a constant start, a number and the
 * escaped text, so a socket that writes raw frames (node-frames.ts) copies the start's bytes,
 * made once per stream, and encodes only the number and the text per frame (escaping the text
 * only when it holds something JSON escapes).
 *
 * Why (issue 14, perf profile of 1,200 paced streams on Node 24): building the frame as one
 * string joins a one-byte start to two-byte text, and the joined string was copied flat before
 * it could be measured and encoded: about a third of a microsecond per token, more than the
 * floor's `JSON.stringify` of the whole frame. Stringifying the text alone took 150 ns of the
 * 500 left; testing it for characters to escape takes 50.
 */

const encoder = new TextEncoder();
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** The part of a stream's chunk frames that never changes, as text and as bytes. */
export class ChunkPrefix {
  /** `{"type":"chunk","requestId":…,"seq":` */
  readonly text: string;
  /** {@link text} in UTF-8. */
  readonly bytes: Uint8Array;

  constructor(requestId: string) {
    this.text = `{"type":"chunk","requestId":${JSON.stringify(requestId)},"seq":`;
    this.bytes = encoder.encode(this.text);
  }

  /** The whole frame as text. */
  frame(seq: number, content: string): string {
    return `${this.text}${seq},"content":${JSON.stringify(content)}}`;
  }
}

/**
 * Whether `JSON.stringify` would escape something in `text`: a quote, a backslash, a control
 * character or a surrogate (it escapes lone ones; this also sends pairs the long way). Text
 * without any is its own JSON between two quotes, and a test is a third of a stringify.
 */
export function needsEscape(text: string): boolean {
  return ESCAPED.test(text);
}

/** What follows the `seq` number, in UTF-8. */
export const CONTENT_KEY = encoder.encode(',"content":');

/** Decimal digits of a non-negative integer. */
export function digitCount(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Writes the decimal digits of `value` (a non-negative integer) to `bytes` at `offset`. */
export function writeDigits(
  bytes: Uint8Array,
  offset: number,
  value: number,
  digits: number,
): void {
  let rest = value;
  for (let i = offset + digits - 1; i >= offset; i--) {
    bytes[i] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}
