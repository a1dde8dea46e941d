/**
 * A counting {@link FrameWriter} for the streaming unit tests (the one bench/src/coalescing.ts
 * measures with): it records every frame with its SSE event type and every close, and a test sets
 * `open` and `bufferedAmount`. Not exported from `@agentsocket/core/testing`.
 */
import type { FrameWriter } from "../streaming/frame-writer.ts";

export interface WrittenFrame {
  /** The `type` the channel passed alongside the JSON (SSE's event name). */
  type: string;
  frame: Record<string, unknown>;
}

export interface CountingWriter extends FrameWriter {
  open: boolean;
  bufferedAmount: number;
  readonly writes: WrittenFrame[];
  readonly closes: { code: number; reason: string }[];
  /** The `chunk` frames written. */
  chunks(): Record<string, unknown>[];
  /** The text of each `chunk` frame. */
  contents(): string[];
}

export function countingWriter(): CountingWriter {
  const writes: WrittenFrame[] = [];
  const chunks = () => writes.filter((w) => w.type === "chunk").map((w) => w.frame);
  return {
    open: true,
    bufferedAmount: 0,
    writes,
    closes: [],
    write(json, type) {
      writes.push({ type, frame: JSON.parse(json) as Record<string, unknown> });
    },
    close(code, reason) {
      this.closes.push({ code, reason });
      this.open = false;
    },
    chunks,
    contents: () => chunks().map((frame) => frame.content as string),
  };
}

/** Resolves after the end-of-turn callbacks already scheduled have run (real timers only). */
export const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
