/**
 * What the clients of one scenario received, counted as it arrives: tokens (by their spaces),
 * frames, broadcasts, and — in the latency scenario — yield-to-receipt latency of every token.
 */
import { countTokens, epochNow, readStamps } from "./fake-backend.ts";

/** Counters shared by every client of a scenario. */
export class Tally {
  tokens = 0;
  /** Frames (or Socket.IO events) that carried text. */
  frames = 0;
  broadcasts = 0;
  /** Milliseconds from yield to receipt, one per token; only when latency is recorded. */
  readonly latencies: number[] = [];

  /**
   * @param clockOffset when set, latencies are recorded: server clock minus ours, in ms.
   */
  constructor(readonly clockOffset?: number) {}

  /** Zeroes every counter (after a warm-up). */
  reset(): void {
    this.tokens = this.frames = this.broadcasts = 0;
    this.latencies.length = 0;
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
