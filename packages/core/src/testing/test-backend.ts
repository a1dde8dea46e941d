/**
 * A scripted agent backend for the conformance suite. It is a real backend (the handler cannot
 * tell it from NeuroLink) that also records what happened to it: requests seen, chunks pulled,
 * when its abort signal fired. Prompts pick the script:
 *
 * - anything else: streams {@link TEST_TEXT} token by token;
 * - `"forever"`: streams tokens until aborted;
 * - `"fail-before"`: rejects before streaming; `"fail-mid"`: throws after three tokens;
 * - `"hold"` (generate): answers only once its abort signal fires, so calls pile up.
 */
import type { AgentBackend, AgentRequestOptions, AgentStreamChunk } from "../agent/backend.ts";

export const TEST_TEXT =
  "The quick brown fox jumps over the lazy dog. Streams are bounded, cancels reach upstream, and no token is lost. ";

/** The secret a failing provider leaks in its error message; clients must never see it. */
export const PROVIDER_SECRET = "sk-test-provider-secret";

export interface TestBackendState {
  requests: AgentRequestOptions[];
  /** Names of the tools `executeTool` was asked to run. */
  toolCalls: string[];
  /** Chunks the consumer pulled from the stream iterators. */
  pulled: number;
  /** When each request's abort signal fired (ms since epoch), by prompt order. */
  abortedAt: number[];
  /** Resolves the next time any request's abort signal fires. */
  nextAbort(): Promise<number>;
  /** `generate` calls running now, and the most that ever ran at once. */
  activeGenerates: number;
  peakGenerates: number;
}

export interface TestBackend extends AgentBackend {
  state: TestBackendState;
}

export interface TestBackendOptions {
  /** Milliseconds between tokens; 0 yields each token on the next macrotask. @default 0 */
  tokenDelay?: number;
  /** Yield tokens with no pause at all: the fastest producer there can be. @default false */
  burst?: boolean;
}

const aborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    if (signal === undefined || signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });

const pause = (ms: number) =>
  new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

export function createTestBackend(options: TestBackendOptions = {}): TestBackend {
  const tokenDelay = options.tokenDelay ?? 0;
  const waiters: ((at: number) => void)[] = [];
  const state: TestBackendState = {
    requests: [],
    toolCalls: [],
    pulled: 0,
    abortedAt: [],
    nextAbort: () => new Promise((resolve) => waiters.push(resolve)),
    activeGenerates: 0,
    peakGenerates: 0,
  };
  const watch = (signal: AbortSignal | undefined) =>
    signal?.addEventListener("abort", () => {
      const at = Date.now();
      state.abortedAt.push(at);
      for (const wake of waiters.splice(0)) wake(at);
    });

  return {
    state,
    async generate(request) {
      state.requests.push(request);
      watch(request.abortSignal);
      const prompt = request.input.text;
      if (prompt.startsWith("fail")) throw new Error(`upstream 500 (key ${PROVIDER_SECRET})`);
      state.peakGenerates = Math.max(state.peakGenerates, ++state.activeGenerates);
      try {
        if (prompt === "hold") await aborted(request.abortSignal);
      } finally {
        state.activeGenerates--;
      }
      return {
        content: `echo: ${prompt}`,
        provider: "test",
        model: "test-1",
        usage: { input: 1, output: 2, total: 3 },
        finishReason: "stop",
      };
    },
    async stream(request) {
      state.requests.push(request);
      watch(request.abortSignal);
      const prompt = request.input.text;
      if (prompt === "fail-before") throw new Error(`upstream 500 (key ${PROVIDER_SECRET})`);
      const signal = request.abortSignal;
      const result: {
        usage?: { input: number; output: number; total: number };
        finishReason?: string;
      } = {};
      async function* produce(): AsyncGenerator<AgentStreamChunk> {
        yield { content: "" }; // NeuroLink-style empty sentinel: must not become a chunk frame
        const tokens = TEST_TEXT.match(/\S+\s*/g)!;
        for (let i = 0; ; i++) {
          if (prompt !== "forever" && i >= tokens.length) break;
          if (prompt === "fail-mid" && i === 3)
            throw new Error(`stream broke (key ${PROVIDER_SECRET})`);
          if (!options.burst) await pause(tokenDelay);
          if (signal?.aborted) return;
          state.pulled++;
          yield { content: tokens[i % tokens.length]! };
        }
        result.usage = { input: 3, output: tokens.length, total: tokens.length + 3 };
        result.finishReason = "stop";
      }
      return Object.assign(result, { stream: produce(), provider: "test", model: "test-1" });
    },
    async executeTool(toolName, args) {
      state.toolCalls.push(toolName);
      if (toolName === "echo") return { echoed: args };
      if (toolName === "internal") return { secret: PROVIDER_SECRET };
      if (toolName === "explode") throw new Error(`tool crashed (key ${PROVIDER_SECRET})`);
      throw Object.assign(new Error(`Tool '${toolName}' not found`), { code: "TOOL_NOT_FOUND" });
    },
  };
}
