/**
 * What the clients of one scenario received, counted as it arrives: tokens (by their spaces),
 * frames, broadcasts, and — in the latency scenario — yield-to-receipt latency of every token.
 */
import { countTokens, epochNow, readStamps } from "./fake-backend.ts";

const CHUNK = 1 << 16;

/**
 * Numbers kept in fixed-size `Float64Array` chunks: their storage is outside the JS heap, so
 * hundreds of thousands of them neither grow the load process's old generation (each major
 * collection there pauses every receipt the bench timestamps) nor get copied as they grow.
 */
export class SampleLog {
  #chunks: Float64Array[] = [];
  #last = new Float64Array(0);
  #used = 0;
  #length = 0;

  /** How many numbers it holds. */
  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#used === this.#last.length) {
      this.#last = new Float64Array(CHUNK);
      this.#chunks.push(this.#last);
      this.#used = 0;
    }
    this.#last[this.#used++] = value;
    this.#length++;
  }

  /** Every number, in ascending order (a copy). */
  sorted(): Float64Array {
    const all = new Float64Array(this.#length);
    this.#chunks.forEach((chunk, i) =>
      all.set(i < this.#chunks.length - 1 ? chunk : chunk.subarray(0, this.#used), i * CHUNK),
    );
    return all.sort();
  }

  clear(): void {
    this.#chunks = [];
    this.#last = new Float64Array(0);
    this.#used = this.#length = 0;
  }
}

/** Counters shared by every client of a scenario. */
export class Tally {
  tokens = 0;
  /** Frames (or Socket.IO events) that carried text. */
  frames = 0;
  broadcasts = 0;
  /** Milliseconds from yield to receipt, one per token; only when latency is recorded. */
  readonly latencies = new SampleLog();

  /**
   * @param clockOffset when set, latencies are recorded: server clock minus ours, in ms.
   */
  constructor(readonly clockOffset?: number) {}

  /** Zeroes every counter (after a warm-up). */
  reset(): void {
    this.tokens = this.frames = this.broadcasts = 0;
    this.latencies.clear();
  }

  /** Counts one frame of streamed text received at `receivedAt` (epoch ms). */
  text(content: string, receivedAt: number = epochNow()): void {
    this.frames++;
    this.tokens += countTokens(content);
    if (this.clockOffset === undefined) return;
    for (const stamp of readStamps(content)) {
      this.latencies.push(receivedAt - (stamp - this.clockOffset));
    }
  }
}
