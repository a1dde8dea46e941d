/**
 * @agentsocket/ai-sdk — serve a Vercel AI SDK model over agentsocket.
 *
 * `fromAISDK({ model, tools, system })` returns an agent backend (the NeuroLink-shaped contract
 * `createAgentWebSocketHandler` and `createServer` take): `generate` runs `generateText`, `stream`
 * runs `streamText` with multi-step tool use, `executeTool` runs one of the tools for a client's
 * `tool_call`.
 */
export { fromAISDK } from "./from-ai-sdk.ts";
export type { FromAISDKOptions } from "./from-ai-sdk.ts";
export { AgentToolError } from "./errors.ts";
export type { AgentToolErrorCode } from "./errors.ts";
