/**
 * A tiny OpenAI Responses API server on 127.0.0.1, for tests and offline runs: NeuroLink's
 * `openai-compatible` provider (the AI SDK's OpenAI Responses model) talks to it over real HTTP.
 * It answers `POST /v1/responses` as JSON or, with `stream: true`, as SSE events shaped like
 * OpenAI's (the fields `@ai-sdk/openai` validates), and `GET /v1/models`. Every request is
 * recorded with its outcome, so a test can see that a cancel reached the provider's HTTP request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Options of {@link startOpenAIStub}. */
export interface OpenAIStubOptions {
  /** The answer, token by token. @default ["Hello", " from", " the", " stub", " model", "."] */
  tokens?: string[];
  /** Delay before each streamed token, in ms. @default 0 */
  tokenDelayMs?: number;
  /** Model id reported in responses and by `/v1/models`. @default "stub-model" */
  model?: string;
  /** `usage.input_tokens` reported for every request. @default 8 */
  inputTokens?: number;
}

/** One request to `/v1/responses`. */
export interface StubRequest {
  /** The parsed JSON body the client sent. */
  body: Record<string, unknown>;
  stream: boolean;
  /** `"completed"` once the whole answer was written, `"aborted"` if the client went away first. */
  outcome: Promise<"completed" | "aborted">;
}

/** A listening stub. */
export interface OpenAIStub {
  /** e.g. `http://127.0.0.1:43123/v1`: the value for `OPENAI_COMPATIBLE_BASE_URL`. */
  baseURL: string;
  /** The answer's full text (the tokens joined). */
  text: string;
  model: string;
  /** The `usage` every response reports. */
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
  /** Every `/v1/responses` request so far, oldest first. */
  requests: StubRequest[];
  close(): Promise<void>;
}

const DEFAULTS = {
  tokens: ["Hello", " from", " the", " stub", " model", "."],
  tokenDelayMs: 0,
  model: "stub-model",
  inputTokens: 8,
};

/**
 * Starts the stub on 127.0.0.1 and a free port.
 * @example
 * const stub = await startOpenAIStub({ tokenDelayMs: 50 });
 * process.env.OPENAI_COMPATIBLE_BASE_URL = stub.baseURL;
 */
export async function startOpenAIStub(options: OpenAIStubOptions = {}): Promise<OpenAIStub> {
  const settings = { ...DEFAULTS, ...options };
  const text = settings.tokens.join("");
  const requests: StubRequest[] = [];
  const usage = {
    input_tokens: settings.inputTokens,
    output_tokens: settings.tokens.length,
    total_tokens: settings.inputTokens + settings.tokens.length,
  };
  let counter = 0;

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === "GET" && req.url === "/v1/models") {
        return sendJson(res, { object: "list", data: [{ id: settings.model, object: "model" }] });
      }
      if (req.method !== "POST" || req.url !== "/v1/responses") {
        return sendJson(res, { error: { message: "Not found", type: "invalid_request" } }, 404);
      }
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const outcome = new Promise<"completed" | "aborted">((resolve) => {
        res.on("close", () => resolve(res.writableFinished ? "completed" : "aborted"));
      });
      const stream = body.stream === true;
      requests.push({ body, stream, outcome });
      const ids = { response: `resp_${++counter}`, message: `msg_${counter}` };
      const created_at = Math.floor(Date.now() / 1000);
      const part = { type: "output_text", text, annotations: [] };
      const message = { type: "message", id: ids.message, role: "assistant", status: "completed" };
      const response = { id: ids.response, object: "response", created_at, model: settings.model };
      if (!stream) {
        return sendJson(res, {
          ...response,
          status: "completed",
          output: [{ ...message, content: [part] }],
          incomplete_details: null,
          usage,
        });
      }

      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      let sequence = 0;
      const send = (type: string, data: Record<string, unknown>) =>
        res.write(
          `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`,
        );
      const at = { item_id: ids.message, output_index: 0, content_index: 0 };
      send("response.created", { response: { ...response, status: "in_progress", output: [] } });
      send("response.output_item.added", {
        output_index: 0,
        item: { ...message, status: "in_progress", content: [] },
      });
      send("response.content_part.added", { ...at, part: { ...part, text: "" } });
      for (const delta of settings.tokens) {
        if (settings.tokenDelayMs > 0) await delay(settings.tokenDelayMs);
        if (res.destroyed) return; // the client went away: `outcome` says "aborted"
        send("response.output_text.delta", { ...at, delta });
      }
      send("response.output_text.done", { ...at, text });
      send("response.content_part.done", { ...at, part });
      send("response.output_item.done", { output_index: 0, item: { ...message, content: [part] } });
      send("response.completed", {
        response: { ...response, status: "completed", incomplete_details: null, usage },
      });
      res.end();
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, { error: { message: String(error), type: "stub" } }, 500);
      else res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    text,
    model: settings.model,
    usage,
    requests,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  req.setEncoding("utf8");
  let body = "";
  for await (const chunk of req) body += chunk as string;
  return body || "{}";
}

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
