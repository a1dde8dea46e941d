/**
 * Frames and bytes per 1,000 tokens with and without coalescing, for several upstream arrival
 * patterns, measured on the real streaming channel over a counting writer. Run with
 * `pnpm --filter @agentsocket/bench run coalescing`; the figures are in docs/streaming.md.
 */
import {
  createStreamingChannel,
  type FrameWriter,
  type StreamingChannelOptions,
} from "@agentsocket/core/streaming";

type Send = (text: string) => Promise<void> | undefined;
type Producer = (send: Send) => Promise<void>;

const WORDS =
  "The quick brown fox jumps over the lazy dog while streams stay bounded and cancels reach upstream ".match(
    /\S+\s*/g,
  )!;
const TOKENS = 1000;
const token = (i: number) => WORDS[i % WORDS.length]!;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tokens in groups of `size` per event-loop turn (1 = every token alone; TOKENS = one burst). */
const groups =
  (size: number): Producer =>
  async (send) => {
    for (let i = 0; i < TOKENS; i++) {
      await send(token(i));
      if (i % size === size - 1) await turn();
    }
  };

const paced =
  (perSecond: number): Producer =>
  async (send) => {
    for (let i = 0; i < TOKENS; i++) {
      await send(token(i));
      await sleep(1000 / perSecond);
    }
  };

async function measure(options: Partial<StreamingChannelOptions>, produce: Producer) {
  let frames = 0;
  let bytes = 0;
  const writer: FrameWriter = {
    write: (json, type) => {
      if (type !== "chunk") return;
      frames++;
      bytes += Buffer.byteLength(json);
    },
    bufferedAmount: 0,
    open: true,
    close: () => {},
  };
  const channel = createStreamingChannel(writer, { requestId: "req-0123456789", ...options });
  await produce((text) => channel.send(text));
  channel.complete();
  return { frames, bytes };
}

const cases: [string, Producer, Partial<StreamingChannelOptions>][] = [
  ["all tokens back to back", groups(TOKENS), {}],
  ["4 tokens per network read", groups(4), {}],
  ["1 token per event-loop turn", groups(1), {}],
  ["200 tokens/s, latencyTarget 25 ms", paced(200), { latencyTarget: 25 }],
];

console.log("| upstream arrival | frames without | frames with | bytes without | bytes with |");
console.log("| --- | --: | --: | --: | --: |");
for (const [name, produce, options] of cases) {
  const off = await measure({ ...options, coalesce: false }, produce);
  const on = await measure(options, produce);
  console.log(
    `| ${name} | ${off.frames} | ${on.frames} | ${off.bytes.toLocaleString("en")} | ${on.bytes.toLocaleString("en")} |`,
  );
}
