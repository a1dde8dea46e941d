/**
 * @agentsocket/core/adapter — what an adapter author needs to bind core to a server: the upgrade
 * contract (`manager.authorizeUpgrade` → `manager.accept` → {@link ConnectionEvents}), glue for
 * `ws`-shaped sockets, request helpers and the one JSON refusal every adapter answers with.
 * Hono, Express and Fastify bindings use nothing else; a fourth adapter needs nothing more.
 */
export type {
  ConnectionEvents,
  UpgradeAccepted,
  UpgradeDecision,
  UpgradeRejected,
} from "./adapter-types.ts";
export type { HeaderSource, UpgradeRequest } from "./auth/types.ts";
export type { SocketLike, WebSocketData } from "./types.ts";
export { OPEN } from "./types.ts";
export { acceptNodeWebSocket } from "./node-socket.ts";
export { terminateNodeWebSocket } from "./node-terminate.ts";
export {
  writeChunkFrame,
  writePreparedFrame,
  writesPreparedFrames,
  writeTextFrame,
} from "./node-frames.ts";
export type { ChunkPrefix } from "./chunk-frame.ts";
export type { PreparedFrame } from "./frame-data.ts";
export type { TerminableWebSocket } from "./node-terminate.ts";
export type { NodeWebSocketLike } from "./node-socket.ts";
export { parseRequestUrl, readHeader } from "./request.ts";
export { originProblem, requestOriginProblem, SAME_ORIGIN } from "./origin-policy.ts";
export {
  JSON_CONTENT_TYPE,
  jsonResponse,
  refusalBody,
  refusalStatus,
  rejectionResponse,
} from "./http-response.ts";
export type { Refusal } from "./http-response.ts";
export { answerUpgrade } from "./upgrade-socket.ts";
// For transports that are not a `SocketLike` (Socket.IO): the per-connection message rate.
export { createMessageRate } from "./limits/message-rate.ts";
export type { MessageRate } from "./limits/message-rate.ts";
export { perMessageDeflate, wsServerOptions } from "./compression.ts";
export type { CompressionOptions, PerMessageDeflateOptions } from "./compression.ts";
export type { UpgradeSocket } from "./upgrade-socket.ts";
