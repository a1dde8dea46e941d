/**
 * Seed 000's programmatic chat API on the conversation store: `createEnhancedChatService()` with
 * `streamChat()`, and `createSession()` → `addMessage`, `generateResponse`, `getHistory`,
 * `getTokenUsage`. Sessions are conversations, so the server's HTTP routes list them too.
 */
import { toError } from "../errors.ts";
import type { AgentBackend, TokenUsage } from "./backend.ts";
import { createMemoryConversationStore } from "./conversations/memory-store.ts";
import type {
  ConversationMessage,
  ConversationRole,
  ConversationStore,
} from "./conversations/store.ts";
import { ANONYMOUS_USER, createConversationTurns } from "./conversations/turns.ts";

/** Options of {@link createEnhancedChatService}. */
export interface EnhancedChatServiceOptions {
  /** Anything NeuroLink-shaped: a NeuroLink instance, `fromAISDK(...)`, the demo agent. */
  provider: AgentBackend;
  /** Where sessions live; a SQLite or PostgreSQL store keeps them across restarts. @default createMemoryConversationStore() */
  store?: ConversationStore;
  /** Whose sessions these are. @default "anonymous" */
  userId?: string;
  /** Accepted as in seed 000; transports are the server's business (`createServer`). @default true */
  enableSSE?: boolean;
  /** Accepted as in seed 000; transports are the server's business (`createServer`). @default true */
  enableWebSocket?: boolean;
  /** Accepted as in seed 000; a server's coalescing is `agent.streaming`. @default {} */
  streamingConfig?: Record<string, unknown>;
}

/** What `streamChat` reports when the answer is complete. */
export interface ChatResult {
  text: string;
  usage?: TokenUsage;
  finishReason?: string;
  /** The session (conversation) the turn was stored in, when one was named. */
  sessionId?: string;
}

/** Options of {@link EnhancedChatService.streamChat}. */
export interface StreamChatOptions {
  prompt: string;
  /** Continue this session (made with `createSession`); without one the turn stands alone. */
  sessionId?: string;
  temperature?: number;
  maxTokens?: number;
  signal?: AbortSignal;
  onChunk?: (chunk: string) => void;
  onComplete?: (result: ChatResult) => void;
  onError?: (error: Error) => void;
}

/** Options of {@link EnhancedChatService.createSession}. */
export interface ChatSessionOptions {
  /** The most earlier messages sent to the model with each response. @default 50 */
  maxHistory?: number;
  /** Accepted as in seed 000: persistence is the service's `store`. @default false */
  persistToDisk?: boolean;
  /** Ms a session lives untouched before it expires. @default undefined (never) */
  sessionTimeout?: number;
}

/** A message of a session, as seed 000 shows it. */
export interface ChatSessionMessage {
  role: ConversationRole;
  content: string;
  timestamp: Date;
}

/** A chat session: a conversation with a local view of its history. */
export interface ChatSession {
  readonly id: string;
  /** Resolves once the stored history (of a session that existed) is loaded. */
  readonly ready: Promise<void>;
  addMessage(message: { role: ConversationRole; content: string; timestamp?: Date }): void;
  generateResponse(options?: {
    temperature?: number;
    maxTokens?: number;
  }): Promise<{ content: string; usage?: TokenUsage }>;
  getHistory(): ChatSessionMessage[];
  getTokenUsage(): { input: number; output: number; total: number };
}

/** The chat service of seed 000. */
export interface EnhancedChatService {
  streamChat(options: StreamChatOptions): Promise<ChatResult | undefined>;
  createSession(sessionId: string, options?: ChatSessionOptions): ChatSession;
}

/**
 * Creates seed 000's chat service.
 * @throws {TypeError} when `provider` is not NeuroLink-shaped.
 * @example
 * const chat = createEnhancedChatService({ provider: neurolink, store });
 * const session = chat.createSession("user-123-session", { maxHistory: 50 });
 * session.addMessage({ role: "user", content: "Hello, AI!", timestamp: new Date() });
 * const response = await session.generateResponse({ temperature: 0.7 });
 */
export function createEnhancedChatService(
  options: EnhancedChatServiceOptions,
): EnhancedChatService {
  const { provider } = options ?? {};
  if (typeof provider?.generate !== "function" || typeof provider.stream !== "function")
    throw new TypeError(
      'The "provider" option must have generate() and stream() (NeuroLink-shaped)',
    );
  const store = options.store ?? createMemoryConversationStore();
  const userId = options.userId ?? ANONYMOUS_USER;
  const quiet = () => {};
  const call = <A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A) => {
    try {
      fn?.(...args);
    } catch (error) {
      console.error("[agentsocket] chat callback failed:", error);
    }
  };

  return {
    async streamChat(chat) {
      const turns = createConversationTurns({ store, maxHistory: 50 }, quiet);
      try {
        const turn =
          chat.sessionId === undefined
            ? undefined
            : await turns.begin(chat.prompt, chat.sessionId, userId);
        const result = await provider.stream({
          input: { text: chat.prompt },
          ...(chat.temperature !== undefined ? { temperature: chat.temperature } : {}),
          ...(chat.maxTokens !== undefined ? { maxTokens: chat.maxTokens } : {}),
          ...(chat.signal ? { abortSignal: chat.signal } : {}),
          ...turn?.request,
          context: { userId },
        });
        let text = "";
        for await (const chunk of result.stream) {
          const content = (chunk as { content?: unknown }).content;
          if (typeof content !== "string" || content === "") continue;
          text += content;
          call(chat.onChunk, content);
        }
        const [usage, finishReason] = await Promise.all([result.usage, result.finishReason]);
        const done: ChatResult = { text };
        if (usage) done.usage = usage;
        if (typeof finishReason === "string") done.finishReason = finishReason;
        if (chat.sessionId !== undefined) done.sessionId = chat.sessionId;
        await turn?.finish({ content: text, status: "completed", ...(usage ? { usage } : {}) });
        call(chat.onComplete, done);
        return done;
      } catch (error) {
        call(chat.onError, toError(error));
        return undefined;
      }
    },

    createSession(sessionId, sessionOptions = {}) {
      const maxHistory = sessionOptions.maxHistory ?? 50;
      if (!Number.isInteger(maxHistory) || maxHistory < 1)
        throw new TypeError('The "maxHistory" option must be a positive integer');
      const ttl =
        sessionOptions.sessionTimeout === undefined ? {} : { ttlMs: sessionOptions.sessionTimeout };
      const history: ChatSessionMessage[] = [];
      const usage = { input: 0, output: 0, total: 0 };
      const count = (tokens: TokenUsage | undefined) => {
        usage.input += tokens?.input ?? 0;
        usage.output += tokens?.output ?? 0;
        usage.total += tokens?.total ?? (tokens?.input ?? 0) + (tokens?.output ?? 0);
      };
      const fromStore = (m: ConversationMessage) => {
        history.push({ role: m.role, content: m.content, timestamp: new Date(m.createdAt) });
        count(m.usage);
      };
      const ready = (async () => {
        const stored = await store.messages(sessionId, userId);
        if (stored === undefined) await store.create({ id: sessionId, userId, ...ttl });
        else stored.forEach(fromStore);
      })();
      // Writes go in order behind the load; a failed one surfaces at the next generateResponse,
      // and never as an unhandled rejection.
      let writes: Promise<unknown> = ready;
      const queue = (write: Promise<unknown>) => {
        writes = write;
        write.catch(() => {});
      };
      queue(ready);

      return {
        id: sessionId,
        ready,
        addMessage(message) {
          history.push({
            role: message.role,
            content: message.content,
            timestamp: message.timestamp ?? new Date(),
          });
          const { role, content } = message;
          queue(writes.then(() => store.append(sessionId, userId, { role, content }, ttl)));
        },
        async generateResponse(generateOptions = {}) {
          await writes;
          const recent = history.slice(-maxHistory - 1);
          const prompt = recent.at(-1)?.role === "user" ? recent.pop()!.content : "";
          const result = await provider.generate({
            input: { text: prompt },
            ...generateOptions,
            conversationMessages: recent
              .filter((m) => (m.role === "user" || m.role === "assistant") && m.content !== "")
              .map((m, i) => ({
                id: `${sessionId}-${i}`,
                role: m.role as "user" | "assistant",
                content: m.content,
                timestamp: m.timestamp.toISOString(),
              })),
            context: { userId, sessionId },
          });
          const content = typeof result?.content === "string" ? result.content : "";
          const answer = {
            role: "assistant" as const,
            content,
            ...(result.usage ? { usage: result.usage } : {}),
          };
          history.push({ role: "assistant", content, timestamp: new Date() });
          count(result.usage);
          queue(store.append(sessionId, userId, answer, ttl));
          await writes;
          return { content, ...(result.usage ? { usage: result.usage } : {}) };
        },
        getHistory: () => history.map((m) => ({ ...m })),
        getTokenUsage: () => ({ ...usage }),
      };
    },
  };
}
