import { asSchema, generateId } from "ai";
import type { ToolSet } from "ai";
import type { AgentToolInfo } from "@agentsocket/core";
import { AgentToolError, describeError } from "./errors.ts";

/** Runs one tool outside a model turn, as a `tool_call` frame asks. */
export async function executeTool(
  tools: ToolSet,
  toolName: string,
  args: unknown,
  options: Record<string, unknown> = {},
): Promise<unknown> {
  // `toolName` comes from a client: an own-property check keeps "constructor" or "__proto__" out.
  const tool = Object.hasOwn(tools, toolName) ? tools[toolName] : undefined;
  if (tool === undefined) {
    throw new AgentToolError(`Unknown tool "${toolName}"`, { code: "TOOL_NOT_FOUND", toolName });
  }
  if (tool.execute === undefined) {
    throw new AgentToolError(`Tool "${toolName}" cannot be run on the server (it has no execute)`, {
      code: "TOOL_FAILED",
      toolName,
    });
  }
  const validate = asSchema(tool.inputSchema).validate;
  const checked =
    validate === undefined ? { success: true as const, value: args } : await validate(args);
  if (!checked.success) {
    throw new AgentToolError(
      `Invalid input for tool "${toolName}": ${describeIssues(checked.error)}`,
      {
        code: "VALIDATION_FAILED",
        toolName,
        cause: checked.error,
      },
    );
  }
  try {
    const output: unknown = await tool.execute(checked.value, {
      toolCallId: typeof options.toolCallId === "string" ? options.toolCallId : generateId(),
      messages: [],
      abortSignal: options.abortSignal instanceof AbortSignal ? options.abortSignal : undefined,
    });
    return isAsyncIterable(output) ? await lastValue(output) : output;
  } catch (error) {
    throw new AgentToolError(describeError(error, `Tool "${toolName}" failed`), {
      code: "TOOL_FAILED",
      toolName,
      cause: error,
    });
  }
}

/** The public description of every tool. */
export function listTools(tools: ToolSet): AgentToolInfo[] {
  return Object.entries(tools).map(([name, tool]) => ({ name, description: tool.description }));
}

// Schema libraries (zod, valibot, …) report Standard Schema `issues`; zod's own message is their
// JSON. Listed as core lists a frame's issues: `city: Invalid input; days: Too big`.
function describeIssues(error: Error): string {
  const issues: unknown[] | undefined =
    "issues" in error && Array.isArray(error.issues) ? error.issues : undefined;
  if (issues === undefined || issues.length === 0) return error.message;
  return issues.slice(0, 5).map(describeIssue).join("; ");
}

function describeIssue(issue: unknown): string {
  if (typeof issue !== "object" || issue === null) return String(issue);
  const message = "message" in issue && typeof issue.message === "string" ? issue.message : "";
  const path: unknown[] = "path" in issue && Array.isArray(issue.path) ? issue.path : [];
  const keys = path.map((key) =>
    typeof key === "object" && key !== null && "key" in key ? String(key.key) : String(key),
  );
  return `${keys.length > 0 ? keys.join(".") : "input"}: ${message || "invalid"}`;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

// A streaming tool (`async *execute`) yields preliminary outputs; its result is the last one.
async function lastValue(outputs: AsyncIterable<unknown>): Promise<unknown> {
  let last: unknown;
  for await (const output of outputs) last = output;
  return last;
}
