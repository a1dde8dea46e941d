/**
 * @agentsocket/core/agent — an agent backend served over wire protocol v1: one transport-free
 * service, mounted over WebSocket (`createAgentWebSocketHandler`) and over HTTP/SSE
 * (`createAgentHttpHandler`).
 */
export { createAgentService, isAgentService } from "./service.ts";
export type {
  AgentErrorContext,
  AgentIdentity,
  AgentOptions,
  AgentService,
  ResolvedAgentOptions,
  StreamRequest,
} from "./service.ts";
export { createAgentWebSocketHandler } from "./ws-handler.ts";
export type { AgentWebSocketHandler } from "./ws-handler.ts";
export type {
  AgentResumeOption,
  AgentResumeOptions,
  ResolvedResumeOptions,
} from "./resume/resume-options.ts";
export type { ResumableStreamInfo, ResumePayload } from "./resume/resume-support.ts";
// For transports other than wire protocol v1 (the Socket.IO binding): the owner's log writer.
export { createOwnedStream } from "./resume/owned-stream.ts";
export type { OwnedStream } from "./resume/owned-stream.ts";
export { admitStream, streamLimit, withBrokerLimits } from "./stream-rate.ts";
export { createAgentHttpHandler } from "./http-handler.ts";
export type { AgentHttpHandler, AgentHttpHandlerOptions } from "./http-handler.ts";
export type {
  AgentSchemas,
  CancelPayload,
  PromptPayload,
  PromptRequestOptions,
  ToolCallPayload,
} from "./schemas.ts";
export type {
  AgentBackend,
  AgentConversationMessage,
  AgentGenerateResult,
  AgentRequestOptions,
  AgentStreamChunk,
  AgentStreamResult,
  AgentToolCall,
  AgentToolInfo,
  TokenUsage,
} from "./backend.ts";
export { createMemoryConversationStore } from "./conversations/memory-store.ts";
export { createEnhancedChatService } from "./chat-service.ts";
export type {
  ChatResult,
  ChatSession,
  ChatSessionMessage,
  ChatSessionOptions,
  EnhancedChatService,
  EnhancedChatServiceOptions,
  StreamChatOptions,
} from "./chat-service.ts";
export { createConversationHttpHandler } from "./conversations/http.ts";
export type {
  ConversationHttpHandler,
  ConversationHttpHandlerOptions,
} from "./conversations/http.ts";
export { ANONYMOUS_USER } from "./conversations/turns.ts";
export type {
  AgentConversationOptions,
  AgentConversationsOption,
  ResolvedConversationOptions,
} from "./conversations/turns.ts";
export {
  checkMessagesLimit,
  conversationFromRow,
  conversationRecord,
  decodeCursor,
  encodeCursor,
  expiryOf,
  isoTime,
  jsonColumn,
  listPosition,
  messageFromRow,
  messageRecord,
  pageOf,
  resolveConversationStoreOptions,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
} from "./conversations/records.ts";
export type {
  ConversationRecord,
  ConversationRow,
  ListPosition,
  MessageRecord,
  MessageRow,
} from "./conversations/records.ts";
export type {
  AppendOptions,
  Conversation,
  ConversationMessage,
  ConversationPage,
  ConversationRole,
  ConversationStore,
  ConversationStoreOptions,
  ConversationToolCall,
  ListConversationsOptions,
  MessagesOptions,
  NewConversation,
  NewConversationMessage,
} from "./conversations/store.ts";
export { createChatWebSocketHandler } from "./chat/chat-handler.ts";
export type { ChatWebSocketHandler } from "./chat/chat-handler.ts";
export type {
  ChatErrorContext,
  ChatHandlerOptions,
  ResolvedChatHandlerOptions,
} from "./chat/chat-options.ts";
export type {
  ChatBackend,
  ChatStreamRequest,
  UIChunkLike,
  UIMessageLike,
} from "./chat/chat-backend.ts";
export { isChatBackend } from "./chat/chat-backend.ts";
export { chatBackendFromAgent, messageText } from "./chat/agent-chat-backend.ts";
export type { AgentChatBackendOptions } from "./chat/agent-chat-backend.ts";
export { toUIChunks, uiFinishReason } from "./chat/ui-chunks.ts";
export type { ToUIChunksOptions } from "./chat/ui-chunks.ts";
