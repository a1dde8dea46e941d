/**
 * The agent backend contract: anything shaped like a NeuroLink instance. The real
 * `@juspay/neurolink` instance fits unchanged; `fromAISDK()` and `createDemoAgent()` produce one.
 */

/** Token counts as NeuroLink reports them (`input`, `output`, `total`). */
export interface TokenUsage {
  input?: number;
  output?: number;
  total?: number;
  [key: string]: unknown;
}

/** Options handed to `generate` and `stream`. */
export interface AgentRequestOptions {
  input: { text: string };
  temperature?: number;
  maxTokens?: number;
  model?: string;
  systemPrompt?: string;
  /** Who is asking: taken from the authenticated connection, never from the client's payload. */
  context?: { userId?: string; connectionId?: string; [key: string]: unknown };
  /** Fires when the client cancels or disconnects. */
  abortSignal?: AbortSignal;
  /**
   * The conversation so far, oldest first, without the current prompt (which is `input.text`):
   * NeuroLink's own option for prior messages. Set when `agent.conversations` is on.
   */
  conversationMessages?: AgentConversationMessage[];
  [key: string]: unknown;
}

/** An earlier message of the conversation, in NeuroLink's `ChatMessage` shape. */
export interface AgentConversationMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  /** ISO 8601. */
  timestamp: string;
}

/** A tool call the model made. */
export interface AgentToolCall {
  toolCallId?: string;
  toolName: string;
  args: unknown;
}

/** What `generate` resolves to (NeuroLink's `GenerateResult`, the fields agentsocket forwards). */
export interface AgentGenerateResult {
  content: string;
  provider?: string;
  model?: string;
  usage?: TokenUsage;
  finishReason?: string;
  toolCalls?: AgentToolCall[];
  [key: string]: unknown;
}

/**
 * One item of a stream. Text arrives as `{ content }` (NeuroLink may also emit empty or metadata
 * items, which are skipped); tool activity as `tool-call` / `tool-result` items.
 */
export type AgentStreamChunk =
  | { content: string; type?: string }
  | { type: "tool-call"; toolCallId?: string; toolName: string; args: unknown }
  | { type: "tool-result"; toolCallId?: string; toolName: string; result: unknown }
  | { type: string; [key: string]: unknown };

/**
 * What `stream` resolves to (NeuroLink's `StreamResult`). `usage` and `finishReason` may be
 * filled in, or be promises, once the stream has been consumed.
 */
export interface AgentStreamResult {
  stream: AsyncIterable<AgentStreamChunk>;
  provider?: string;
  model?: string;
  usage?: TokenUsage | Promise<TokenUsage | undefined>;
  finishReason?: string | Promise<string | undefined>;
  [key: string]: unknown;
}

/** A tool's public description. */
export interface AgentToolInfo {
  name: string;
  description?: string;
  [key: string]: unknown;
}

/**
 * Anything NeuroLink-shaped. `executeTool` should throw an error with `code: "TOOL_NOT_FOUND"`
 * for unknown tools (NeuroLink's own errors do).
 */
export interface AgentBackend {
  generate(options: AgentRequestOptions): Promise<AgentGenerateResult>;
  stream(options: AgentRequestOptions): Promise<AgentStreamResult>;
  executeTool?(
    toolName: string,
    args?: unknown,
    options?: Record<string, unknown>,
  ): Promise<unknown>;
  getAllAvailableTools?(): Promise<AgentToolInfo[]>;
}
