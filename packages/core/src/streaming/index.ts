/**
 * @agentsocket/core/streaming — the streaming channel (coalescing, backpressure, stall detection)
 * and its transports: a WebSocket, or a Server-Sent Events body.
 */
export { createStreamingChannel } from "./channel.ts";
export type { StreamingChannel, StreamingChannelOptions, StreamTarget } from "./channel.ts";
export { createSocketWriter } from "./frame-writer.ts";
export type { FrameWriter } from "./frame-writer.ts";
export { createSseStream, SSE_HEADERS } from "./sse.ts";
export type { SseStream } from "./sse.ts";
