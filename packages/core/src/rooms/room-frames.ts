/**
 * The `join`/`leave` client frames (wire protocol v1). They are system frames: core answers them
 * on every path with system frames on, before the path's handler sees anything, the way it answers
 * `ping`. A join is refused with `FORBIDDEN` unless `rooms.authorizeJoin` allows it.
 */
import { WebSocketError, toError } from "../errors.ts";
import { errorFrame, parseEnvelope, type ServerFrame } from "../protocol.ts";
import {
  OPEN,
  type WebSocketConnection,
  type WebSocketHandler,
  type WebSocketMessage,
} from "../types.ts";
import type { RoomsOptions } from "./options.ts";
import type { JoinOutcome } from "./room-registry.ts";

/** What the frames need from the rooms owner. */
export interface RoomFrameHost {
  readonly authorizeJoin: RoomsOptions["authorizeJoin"];
  readonly maxRoomsPerConnection: number;
  readonly maxRoomNameLength: number;
  isValidName(room: unknown): room is string;
  join(
    connectionId: string,
    room: string,
  ): { outcome: JoinOutcome | "unknown"; settled: Promise<void> };
  leave(connectionId: string, room: string): boolean;
}

/** Longer frames are never room frames (a room name, a requestId and the envelope fit in it). */
const MAX_ROOM_FRAME = 2048;

function roomFrame(
  message: WebSocketMessage,
): { type: "join" | "leave"; payload: unknown; requestId: string } | undefined {
  const text = message.data;
  if (typeof text !== "string" || text.length > MAX_ROOM_FRAME || text.charCodeAt(0) !== 123)
    return undefined;
  if (!text.includes('"join"') && !text.includes('"leave"')) return undefined;
  const parsed = parseEnvelope(text);
  if (!parsed.ok) return undefined; // not ours: the handler answers malformed frames
  const { type, payload, requestId } = parsed.envelope;
  if (type !== "join" && type !== "leave") return undefined;
  return { type, payload, requestId: requestId ?? crypto.randomUUID() };
}

function reply(connection: WebSocketConnection, frame: ServerFrame): void {
  if (connection.socket.readyState === OPEN) connection.socket.send(JSON.stringify(frame));
}

async function answer(
  host: RoomFrameHost,
  connection: WebSocketConnection,
  frame: { type: "join" | "leave"; payload: unknown; requestId: string },
): Promise<void> {
  const { requestId } = frame;
  const room = (frame.payload as { room?: unknown } | undefined)?.room;
  if (!host.isValidName(room)) {
    const error = `payload.room must be a string of 1-${host.maxRoomNameLength} characters`;
    return reply(connection, errorFrame("VALIDATION_FAILED", error, requestId));
  }
  if (frame.type === "leave") {
    host.leave(connection.id, room);
    return reply(connection, { type: "left", requestId, room });
  }
  let allowed = false;
  try {
    allowed = (await host.authorizeJoin?.(connection, room)) === true;
  } catch (error) {
    reply(connection, errorFrame("INTERNAL_ERROR", "Internal error", requestId));
    throw new WebSocketError(`rooms.authorizeJoin failed: ${toError(error).message}`, {
      code: "HANDLER_ERROR",
      connectionId: connection.id,
      cause: error,
    });
  }
  if (!allowed)
    return reply(
      connection,
      errorFrame("FORBIDDEN", `Joining room "${room}" is not allowed`, requestId),
    );
  const { outcome, settled } = host.join(connection.id, room);
  if (outcome === "unknown") return; // closed while authorizeJoin ran
  if (outcome === "limit") {
    const error = `At most ${host.maxRoomsPerConnection} rooms per connection`;
    return reply(connection, errorFrame("TOO_MANY_ROOMS", error, requestId));
  }
  await settled; // subscribed (and in presence) before the client hears it is in
  reply(connection, { type: "joined", requestId, room });
}

/**
 * Wraps a path's handler so `join`/`leave` frames are answered here and everything else reaches
 * `handler` unchanged.
 */
export function withRoomFrames(
  handler: WebSocketHandler | undefined,
  host: RoomFrameHost,
): WebSocketHandler {
  const wrapped: WebSocketHandler = {
    onMessage(connection, message) {
      const frame = roomFrame(message);
      if (frame !== undefined) return answer(host, connection, frame);
      return handler?.onMessage?.(connection, message);
    },
  };
  if (handler?.onOpen) wrapped.onOpen = handler.onOpen;
  if (handler?.onClose) wrapped.onClose = handler.onClose;
  if (handler?.onError) wrapped.onError = handler.onError;
  if (handler?.onDrain) wrapped.onDrain = handler.onDrain;
  if (handler?.onHeartbeat) wrapped.onHeartbeat = handler.onHeartbeat;
  return wrapped;
}

/** {@link withRoomFrames} with one wrapper per handler, reused by every connection of its path. */
export function roomFrameWrapper(
  host: RoomFrameHost,
): (handler: WebSocketHandler | undefined) => WebSocketHandler {
  const wrapped = new WeakMap<WebSocketHandler, WebSocketHandler>();
  let bare: WebSocketHandler | undefined;
  return (handler) => {
    if (handler === undefined) return (bare ??= withRoomFrames(undefined, host));
    let found = wrapped.get(handler);
    if (found === undefined) wrapped.set(handler, (found = withRoomFrames(handler, host)));
    return found;
  };
}
