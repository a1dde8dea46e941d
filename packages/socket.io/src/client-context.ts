/**
 * What the `chat:*` and `ai:*` handlers of one client share: its socket, the agent, who it is
 * (from the token, never from a payload), its running streams; and the two steps both
 * vocabularies take — validating a prompt with the agent's own schema, and running a stream
 * through core's streaming channel into seed events.
 */
import type { AgentIdentity, AgentService, PromptPayload } from "@agentsocket/core/agent";
import type { Socket } from "socket.io";
import type { ClientStreams } from "./client-streams.ts";
import { createEventWriter, type StreamEvents } from "./event-writer.ts";
import type { HeldStream, ResumableStreams } from "./resumable-streams.ts";

export interface ClientContext {
  readonly socket: Socket;
  readonly agent: AgentService;
  readonly identity: AgentIdentity;
  readonly streams: ClientStreams;
  /** With `agent.resume` on: where streams are logged, so they can move to a new client. */
  readonly resumable: ResumableStreams | undefined;
  /** The client's streams that move to the client that names it in `ai:reconnect`. */
  readonly held: Map<string, HeldStream>;
  /** Hands an unexpected failure to the agent's `onError` (or the console). */
  report(error: unknown, type: string): void;
}

/** The client options both vocabularies carry at the top level of their payload. */
const OPTION_FIELDS = ["model", "maxTokens", "temperature"] as const;

/** Longest accepted `streamId` / `conversationId`, like a `/ws` `requestId`. */
export const MAX_ID_LENGTH = 128;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An optional id field: absent (or `null`), or a string of 1–128 characters. */
export function optionalId(value: unknown): string | undefined | false {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" && value !== "" && value.length <= MAX_ID_LENGTH ? value : false;
}

/**
 * The prompt and its options, validated by the agent's `stream` schema (prompt length,
 * `maxTokens`, `allowedModels`…). `null` options count as absent. Issues name the client's
 * own fields (`message: …`, `model: …`).
 */
export function validatePrompt(
  agent: AgentService,
  payload: Record<string, unknown>,
  promptField: "message" | "prompt",
): { ok: true; value: PromptPayload } | { ok: false; message: string } {
  const options: Record<string, unknown> = {};
  for (const field of OPTION_FIELDS) {
    const value = payload[field];
    if (value !== undefined && value !== null) options[field] = value;
  }
  const candidate = {
    prompt: payload[promptField],
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
  const result = agent.schemas.stream.safeParse(candidate);
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.filter((part) => part !== "options").map(String);
      const field = path[0] === "prompt" ? [promptField, ...path.slice(1)] : path;
      return `${field.length ? field.join(".") : promptField}: ${issue.message}`;
    })
    .join("; ");
  return { ok: false, message };
}

/**
 * Streams `payload` through the agent into `events`, one wire frame at a time, ending with
 * exactly one terminal frame; forgets the stream afterwards. Never rejects.
 */
export async function runClientStream(
  client: ClientContext,
  key: string,
  controller: AbortController,
  payload: PromptPayload,
  events: StreamEvents,
): Promise<void> {
  const { socket, identity } = client;
  let held: HeldStream | undefined;
  try {
    const logged = await client.resumable?.open(socket, identity.userId, key, controller, events);
    held = logged?.held;
    if (held) client.held.set(key, held);
    // Gone while its log was created: nobody could take the stream over.
    if (!socket.connected) controller.abort();
    const writer = logged?.target ?? createEventWriter(socket, events);
    await client.agent.stream(payload, identity, writer, { requestId: key, controller });
  } catch (error) {
    controller.abort();
    client.report(error, "stream");
  } finally {
    client.streams.end(key, controller);
    if (held !== undefined && client.held.get(key) === held) client.held.delete(key);
  }
}
