import { WebSocketError } from "@agentsocket/core";

/**
 * The codes an {@link AgentToolError} carries; the same strings as the wire protocol's.
 * @example
 * const status: Record<AgentToolErrorCode, number> = {
 *   TOOL_NOT_FOUND: 404,
 *   VALIDATION_FAILED: 400,
 *   TOOL_FAILED: 500,
 * };
 */
export type AgentToolErrorCode = "TOOL_NOT_FOUND" | "TOOL_FAILED" | "VALIDATION_FAILED";

/**
 * Thrown by `executeTool`: the tool is unknown (`TOOL_NOT_FOUND`), its input does not match its
 * `inputSchema` (`VALIDATION_FAILED`), or it threw (`TOOL_FAILED`). The message is safe to send to
 * a client (the tool's own message, never a stack); the original error is the `cause`.
 * @example
 * try {
 *   await backend.executeTool!("weather", { city: "Paris" });
 * } catch (error) {
 *   if (error instanceof AgentToolError && error.code === "TOOL_NOT_FOUND") console.warn(error.message);
 * }
 */
export class AgentToolError extends WebSocketError {
  declare readonly code: AgentToolErrorCode;
  /** The tool that was asked for. */
  readonly toolName: string;

  constructor(
    message: string,
    options: { code: AgentToolErrorCode; toolName: string; cause?: unknown },
  ) {
    super(message, { code: options.code, cause: options.cause });
    this.name = "AgentToolError";
    this.toolName = options.toolName;
  }
}

/** A message safe to show a client: an error's own message, never its stack. */
export function describeError(error: unknown, fallback: string): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  // Providers may report stream errors as parsed JSON bodies such as `{ message: "..." }`.
  if (typeof error === "object" && error !== null && "message" in error) {
    const { message } = error;
    if (typeof message === "string") return message;
  }
  return fallback;
}
