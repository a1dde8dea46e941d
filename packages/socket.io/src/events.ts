/**
 * The two event vocabularies served on one namespace, exactly as the seeds' clients use them:
 * seed 001's `chat:*` (one chat stream per connection) and seed 002's `ai:*` (several streams
 * per connection, told apart by `streamId`). Typed so a `socket.io-client` app can write
 * `io(url) as Socket<AgentServerEvents, AgentClientEvents>`.
 */
import type { TokenUsage } from "@agentsocket/core/agent";

/** `chat:start`: one chat turn. `userId` is accepted and ignored: the user comes from the token. */
export interface ChatStartPayload {
  message: string;
  userId?: string;
  /** Continue a conversation; without it (or `null`) a new id comes back in `chat:conversation`. */
  conversationId?: string | null;
  model?: string | null;
  maxTokens?: number | null;
  temperature?: number | null;
}

/** `ai:stream`: one streamed answer. `useOrchestrator` and `agentContext` are accepted and ignored. */
export interface AiStreamPayload {
  prompt: string;
  model?: string | null;
  temperature?: number | null;
  maxTokens?: number | null;
  /** Names the stream for `ai:cancel`; generated (and sent in `ai:stream:start`) when absent. */
  streamId?: string;
  useOrchestrator?: boolean;
  agentContext?: Record<string, unknown>;
}

/** Events a client sends. */
export interface AgentClientEvents {
  "chat:start": (payload: ChatStartPayload) => void;
  "chat:stop": (payload?: unknown) => void;
  "ai:stream": (payload: AiStreamPayload) => void;
  "ai:cancel": (payload: { streamId: string }) => void;
  "ai:heartbeat": (payload?: unknown) => void;
  /**
   * Takes over a previous client of the same user: its rooms and (with `agent.resume`) its
   * streams move here. `streams` names the last `tokenCount` seen of each stream, for
   * exactly-once delivery; without it, they go on after what the server last sent.
   */
  "ai:reconnect": (payload: { previousClientId: string; streams?: Record<string, number> }) => void;
}

/** `chat:end`: the assistant's answer is complete. */
export interface ChatEndPayload {
  messageId: string;
  conversationId: string;
  /** The backend's reported total (`usage.total`), else the number of `chat:message` events. */
  totalTokens: number;
  /** The model asked for, else the server's default model (`requestDefaults.model`), else `"default"`. */
  model: string;
  /** The backend's finish reason, `"stop"` when it reports none. */
  finishReason: string;
}

/** `ai:done`: the last event of a completed `ai:stream`. */
export interface AiDonePayload {
  streamId: string;
  /** The backend's reported total (`usage.total`), else the number of `ai:token` events. */
  totalTokens: number;
  /** Milliseconds from `ai:stream` arriving to the answer's end. */
  duration: number;
}

/** Events the server sends. */
export interface AgentServerEvents {
  "chat:conversation": (payload: { conversationId: string }) => void;
  "chat:user-message": (payload: { messageId: string; content: string }) => void;
  "chat:message": (payload: { content: string; isComplete: false }) => void;
  "chat:end": (payload: ChatEndPayload) => void;
  "chat:stopped": (payload: { messageId: string; conversationId: string }) => void;
  /** `code` is one of docs/errors.md (e.g. `VALIDATION_FAILED`, `TOO_MANY_STREAMS`, `PROVIDER_ERROR`). */
  "chat:error": (payload: { message: string; code: string }) => void;
  "ai:connected": (payload: {
    clientId: string;
    maxConcurrentStreams: number;
    /** Bytes queued for this client before its streams wait (`streaming.bufferSize`). */
    backpressureThreshold: number;
  }) => void;
  "ai:stream:start": (payload: { streamId: string }) => void;
  /** `data` holds the text that arrived in one event-loop turn: one token, or a few together. */
  "ai:token": (payload: { streamId: string; data: string; tokenCount: number }) => void;
  "ai:stream:complete": (payload: {
    streamId: string;
    finishReason?: string;
    usage?: TokenUsage;
  }) => void;
  "ai:done": (payload: AiDonePayload) => void;
  "ai:stream:cancelled": (payload: { streamId: string }) => void;
  "ai:stream:error": (payload: { streamId: string; error: string; code: string }) => void;
  "ai:error": (payload: { error: string; code: string; details?: string }) => void;
  "ai:backpressure": (payload: { streamId: string; message: string; queueSize: number }) => void;
  "ai:heartbeat:ack": (payload: {
    timestamp: number;
    activeStreams: number;
    /** Bytes queued for this client, not yet written to the network. */
    queueSize: number;
  }) => void;
  "ai:reconnect:success": (payload: {
    previousClientId: string;
    newClientId: string;
    /** The previous client's rooms of the namespace, which this client is now in. */
    rooms: string[];
    /** The `streamId`s of the previous client's `ai:stream`s that go on here. */
    streams: string[];
  }) => void;
}
