/**
 * The offline demo agent: deterministic answers streamed at a realistic token rate, and two real
 * tools (a calculator and the current time). It needs no network and no API key, so it is the
 * embedded default of `agentsocket serve`. It is a demo, not a model.
 */
import type {
  AgentBackend,
  AgentRequestOptions,
  AgentStreamChunk,
  AgentToolInfo,
} from "../agent/backend.ts";
import { evaluateExpression } from "./calculator.ts";
import { planTool } from "./plan-tool.ts";

/** Options of {@link createDemoAgent}. */
export interface DemoAgentOptions {
  /** Tokens streamed per second; 0 streams as fast as possible. @default 40 */
  tokensPerSecond?: number;
}

const TOOLS: AgentToolInfo[] = [
  { name: "calculator", description: "Evaluates an arithmetic expression: { expression: string }" },
  { name: "current_time", description: "The current date and time: { timeZone?: string }" },
];

class DemoToolError extends Error {
  constructor(
    message: string,
    readonly code: "TOOL_NOT_FOUND" | "VALIDATION_FAILED",
  ) {
    super(message);
  }
}

function runTool(name: string, args: unknown): unknown {
  const input = (args ?? {}) as Record<string, unknown>;
  if (name === "calculator") {
    const expression = String(input.expression ?? "");
    try {
      return { expression, value: evaluateExpression(expression) };
    } catch (error) {
      // A bad expression is the client's mistake: core logs it as one line, not a stack.
      throw new DemoToolError((error as Error).message, "VALIDATION_FAILED");
    }
  }
  if (name === "current_time") {
    const timeZone = typeof input.timeZone === "string" ? input.timeZone : "UTC";
    const now = new Date();
    try {
      const local = now.toLocaleString("en-GB", { timeZone, dateStyle: "full", timeStyle: "long" });
      return { iso: now.toISOString(), timeZone, local };
    } catch {
      throw new DemoToolError(`Unknown time zone "${timeZone}"`, "VALIDATION_FAILED");
    }
  }
  throw new DemoToolError(`Tool '${name}' not found`, "TOOL_NOT_FOUND");
}

/** What the demo remembers of a conversation: how many questions came before, and the first. */
function recall(request: AgentRequestOptions): string {
  const asked = (request.conversationMessages ?? []).filter((m) => m.role === "user");
  if (asked.length === 0) return "";
  const first = asked[0]!.content;
  const shown = first.length > 60 ? `${first.slice(0, 57)}...` : first;
  return `(This is question ${asked.length + 1} of our conversation; the first was "${shown}".) `;
}

function answer(prompt: string, toolResult?: { toolName: string; result: unknown }): string {
  const failure = (toolResult?.result as { error?: unknown } | undefined)?.error;
  if (typeof failure === "string") {
    return `I tried the ${toolResult!.toolName} tool, but it said: ${failure}.`;
  }
  if (toolResult?.toolName === "calculator") {
    const { expression, value } = toolResult.result as { expression: string; value: number };
    return `I used the calculator tool: ${expression} = ${value}. Ask me for another sum, or press Stop to cancel a long answer.`;
  }
  if (toolResult?.toolName === "current_time") {
    const { local } = toolResult.result as { local: string };
    return `I asked the current_time tool. It is ${local}.`;
  }
  const topic = prompt.length > 80 ? `${prompt.slice(0, 77)}...` : prompt;
  return (
    `You asked: "${topic}". I am the agentsocket demo agent, running offline with no model behind me, ` +
    "so my answers are scripted, but every word you see travels the real path: your prompt went over a " +
    "WebSocket, was validated, reached an agent backend through the same interface a NeuroLink or AI SDK " +
    "model uses, and these tokens are streamed back as chunk frames, coalesced when they arrive together " +
    "and paused when your connection cannot keep up. Try asking me to calculate (12 + 30) * 2, or what time " +
    "it is, to see a tool call. Press Stop at any moment and the stream is cancelled upstream."
  );
}

/** Runs a tool the prompt asked for; its failure is an answer, as a model would relay it. */
function runPlannedTool(name: string, args: unknown): unknown {
  try {
    return runTool(name, args);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Splits text into word-sized tokens that concatenate back to it exactly. */
function tokenize(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Creates the demo agent backend.
 * @example
 * const server = await createServer(createDemoAgent(), { framework: "hono" });
 */
export function createDemoAgent(options: DemoAgentOptions = {}): AgentBackend {
  const tokensPerSecond = options.tokensPerSecond ?? 40;
  if (!(tokensPerSecond >= 0)) throw new TypeError('The "tokensPerSecond" option must be >= 0');
  const interval = tokensPerSecond === 0 ? 0 : 1000 / tokensPerSecond;

  const plan = (request: AgentRequestOptions) => {
    const prompt = request.input.text;
    const call = planTool(prompt);
    const toolResult = call
      ? {
          ...call,
          toolCallId: `call_${Math.abs(hash(prompt))}`,
          result: runPlannedTool(call.toolName, call.args),
        }
      : undefined;
    const text = recall(request) + answer(prompt, toolResult);
    const cap = request.maxTokens ?? Infinity;
    const tokens = tokenize(text).slice(0, cap);
    const usage = {
      input: tokenize(prompt).length,
      output: tokens.length,
      total: tokenize(prompt).length + tokens.length,
    };
    return {
      toolResult,
      tokens,
      usage,
      finishReason: tokens.length < tokenize(text).length ? "length" : "stop",
    };
  };

  return {
    async generate(request) {
      const { toolResult, tokens, usage, finishReason } = plan(request);
      await delay(interval * Math.min(tokens.length, 10), request.abortSignal);
      if (request.abortSignal?.aborted)
        throw new DOMException("The operation was aborted", "AbortError");
      return {
        content: tokens.join(""),
        provider: "demo",
        model: "agentsocket-demo-1",
        usage,
        finishReason,
        ...(toolResult
          ? {
              toolCalls: [
                {
                  toolCallId: toolResult.toolCallId,
                  toolName: toolResult.toolName,
                  args: toolResult.args,
                },
              ],
            }
          : {}),
      };
    },
    async stream(request) {
      const { toolResult, tokens, usage, finishReason } = plan(request);
      const signal = request.abortSignal;
      const result = { provider: "demo", model: "agentsocket-demo-1" } as {
        usage?: typeof usage;
        finishReason?: string;
      };
      async function* produce(): AsyncGenerator<AgentStreamChunk> {
        if (toolResult) {
          const { toolCallId, toolName, args, result: output } = toolResult;
          yield { type: "tool-call", toolCallId, toolName, args };
          await delay(interval * 4, signal);
          yield { type: "tool-result", toolCallId, toolName, result: output };
        }
        for (const token of tokens) {
          if (signal?.aborted) return;
          if (interval > 0) await delay(interval, signal);
          if (signal?.aborted) return;
          yield { content: token };
        }
        result.usage = usage;
        result.finishReason = finishReason;
      }
      return Object.assign(result, { stream: produce() });
    },
    async executeTool(toolName, args) {
      return runTool(toolName, args);
    },
    async getAllAvailableTools() {
      return TOOLS.map((tool) => ({ ...tool }));
    },
  };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}
