/**
 * The one fake model every server under test streams from. It is NeuroLink-shaped, so
 * `createServer` takes it unchanged, and the ws floor and Socket.IO servers iterate the very same
 * generator. The prompt is the workload: JSON `{ tokens, rate }`.
 *
 * - `rate: 0` yields as fast as it can: an async generator with no await between tokens.
 * - `rate > 0` paces tokens with timers at `rate` tokens per second and prefixes each token with
 *   its yield time (`⟨epoch ms⟩`), so a client can measure yield-to-receipt latency for every
 *   token even when several arrive in one frame.
 *
 * Every token ends with exactly one space and holds no other, so a client counts tokens by
 * counting spaces, whatever the framing.
 */
import type { AgentBackend, AgentStreamChunk } from "@agentsocket/core";

/** What a `stream` prompt asks for. */
export interface Workload {
  /** Tokens to stream. */
  tokens: number;
  /** Tokens per second; 0 = as fast as possible. */
  rate: number;
}

/** Six-character tokens, about the size of a real model's. */
const WORDS = ["hello ", "world ", "agent ", "token ", "async ", "model ", "frame ", "reply "];

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The prompt that asks the fake backend for `workload`. */
export function workloadPrompt(workload: Workload): string {
  return JSON.stringify(workload);
}

/**
 * Reads a workload from a prompt.
 * @throws {TypeError} when the prompt is not a workload.
 */
export function parseWorkload(prompt: string): Workload {
  const value = JSON.parse(prompt) as Partial<Workload>;
  const { tokens, rate } = value;
  if (!Number.isInteger(tokens) || tokens! < 0 || typeof rate !== "number" || rate < 0) {
    throw new TypeError(`Not a workload prompt: ${prompt}`);
  }
  return { tokens: tokens!, rate };
}

const STAMP = /⟨(\d+(?:\.\d+)?)⟩/g;

/** The yield times stamped in a piece of streamed text (several when frames were coalesced). */
export function readStamps(text: string): number[] {
  const stamps: number[] = [];
  for (const match of text.matchAll(STAMP)) stamps.push(Number(match[1]));
  return stamps;
}

/** Tokens in a piece of streamed text: each token carries exactly one space. */
export function countTokens(text: string): number {
  let count = 0;
  for (let i = text.indexOf(" "); i !== -1; i = text.indexOf(" ", i + 1)) count++;
  return count;
}

async function* fastTokens(tokens: number, signal?: AbortSignal) {
  for (let i = 0; i < tokens; i++) {
    if (signal?.aborted) return;
    yield { content: WORDS[i % WORDS.length]! };
  }
}

async function* pacedTokens(tokens: number, rate: number, signal?: AbortSignal) {
  const interval = 1000 / rate;
  const start = performance.now();
  for (let i = 0; i < tokens; i++) {
    // Aim at start + i × interval so timer lateness does not accumulate into a lower rate.
    // Whole milliseconds: Node keeps one timer list per duration, so streams share lists.
    const wait = Math.round(start + i * interval - performance.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (signal?.aborted) return;
    yield { content: `⟨${epochNow().toFixed(3)}⟩${WORDS[i % WORDS.length]!}` };
  }
}

/**
 * Streams the workload of `prompt` as `{ content }` chunks, stopping when `signal` aborts.
 * @throws {TypeError} when the prompt is not a workload.
 */
export function streamWorkload(
  prompt: string,
  signal?: AbortSignal,
): AsyncIterable<AgentStreamChunk> {
  const { tokens, rate } = parseWorkload(prompt);
  return rate > 0 ? pacedTokens(tokens, rate, signal) : fastTokens(tokens, signal);
}

/**
 * The fake backend, as `createServer` takes it.
 * @example
 * const server = await createServer(fakeBackend, { framework: "hono" });
 */
export const fakeBackend: AgentBackend = {
  async generate(request) {
    const { tokens } = parseWorkload(request.input.text);
    return { content: WORDS[0]!.repeat(tokens), finishReason: "stop" };
  },
  async stream(request) {
    return {
      stream: streamWorkload(request.input.text, request.abortSignal),
      finishReason: "stop",
    };
  },
};
