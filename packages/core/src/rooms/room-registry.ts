/**
 * Local room membership: which connections of this instance are in which room, with the
 * per-connection limit and the name check. It tells its owner when a room gains its first local
 * member or loses its last one (that is when a broker subscribes or unsubscribes).
 */
import type { WebSocketConnection } from "../types.ts";
import type { ResolvedRoomsOptions } from "./options.ts";

/** A room as this instance sees it. */
export interface RoomInfo {
  name: string;
  /** Connections of this instance in the room. */
  memberCount: number;
  /** Distinct authenticated users among them. */
  userCount: number;
  /** When the room got its first member here (ms since epoch). */
  createdAt: number;
}

/** Why a join did not happen. */
export type JoinOutcome = "joined" | "already" | "invalid" | "limit";

interface Room {
  readonly members: Map<string, WebSocketConnection>;
  readonly createdAt: number;
}

export interface RoomRegistryEvents {
  /** `room` got its first local member. */
  opened(room: string): void;
  /** `room` lost its last local member. */
  closed(room: string): void;
}

export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();
  readonly #byConnection = new Map<string, Set<string>>();

  constructor(
    private readonly options: ResolvedRoomsOptions,
    private readonly events: RoomRegistryEvents,
  ) {}

  /** Whether `room` is an acceptable room name. */
  isValidName(room: unknown): room is string {
    return (
      typeof room === "string" && room.length > 0 && room.length <= this.options.maxRoomNameLength
    );
  }

  join(connection: WebSocketConnection, room: string): JoinOutcome {
    if (!this.isValidName(room)) return "invalid";
    let mine = this.#byConnection.get(connection.id);
    if (mine?.has(room)) return "already";
    if ((mine?.size ?? 0) >= this.options.maxRoomsPerConnection) return "limit";
    if (mine === undefined) this.#byConnection.set(connection.id, (mine = new Set()));
    mine.add(room);
    let entry = this.#rooms.get(room);
    const opened = entry === undefined;
    if (entry === undefined)
      this.#rooms.set(room, (entry = { members: new Map(), createdAt: Date.now() }));
    entry.members.set(connection.id, connection);
    if (opened) this.events.opened(room);
    return "joined";
  }

  /** @returns whether the connection was in the room. */
  leave(connectionId: string, room: string): boolean {
    const mine = this.#byConnection.get(connectionId);
    if (!mine?.delete(room)) return false;
    if (mine.size === 0) this.#byConnection.delete(connectionId);
    this.#drop(connectionId, room);
    return true;
  }

  /** Removes a connection from every room (it closed). @returns the rooms it was in. */
  leaveAll(connectionId: string): string[] {
    const mine = this.#byConnection.get(connectionId);
    if (mine === undefined) return [];
    this.#byConnection.delete(connectionId);
    for (const room of mine) this.#drop(connectionId, room);
    return [...mine];
  }

  /** The local members of `room` (live view; do not mutate). */
  members(room: string): ReadonlyMap<string, WebSocketConnection> | undefined {
    return this.#rooms.get(room)?.members;
  }

  roomsOf(connectionId: string): string[] {
    return [...(this.#byConnection.get(connectionId) ?? [])];
  }

  rooms(): string[] {
    return [...this.#rooms.keys()];
  }

  /** Every (room, connection) pair of this instance, for presence refreshes. */
  *memberships(): IterableIterator<{ room: string; connection: WebSocketConnection }> {
    for (const [room, entry] of this.#rooms)
      for (const connection of entry.members.values()) yield { room, connection };
  }

  info(room: string): RoomInfo | undefined {
    const entry = this.#rooms.get(room);
    if (entry === undefined) return undefined;
    const users = new Set<string>();
    for (const connection of entry.members.values())
      if (connection.user) users.add(connection.user.id);
    return {
      name: room,
      memberCount: entry.members.size,
      userCount: users.size,
      createdAt: entry.createdAt,
    };
  }

  #drop(connectionId: string, room: string): void {
    const entry = this.#rooms.get(room);
    if (entry === undefined) return;
    entry.members.delete(connectionId);
    if (entry.members.size > 0) return;
    this.#rooms.delete(room);
    this.events.closed(room);
  }
}
