/**
 * Local delivery for the fan-out: read-only views of the connection registry's indexes, and the
 * loops that send one encoded frame to a room's, several rooms' (each connection once) or a user's
 * connections of this instance.
 */
import type { RoomRegistry } from "../rooms/room-registry.ts";
import type { WebSocketConnection, WebSocketData } from "../types.ts";
import type { PresenceMember } from "./broker.ts";

/** The presence entry of one membership. */
export function toMember(room: string, connection: WebSocketConnection): PresenceMember {
  const member: PresenceMember = { room, connectionId: connection.id };
  if (connection.user) member.userId = connection.user.id;
  return member;
}

export type Entry = { readonly connection: WebSocketConnection };

/** Connections that dropped but whose sessions wait to be resumed (`SessionRegistry`). */
export interface ParkedConnections {
  connection(id: string): WebSocketConnection | undefined;
  connections(): IterableIterator<WebSocketConnection>;
  userConnections(userId: string): IterableIterator<WebSocketConnection>;
}

/** The connection registry's indexes, read-only, and its send. */
export class FanoutHost {
  constructor(
    private readonly byId: ReadonlyMap<string, Entry>,
    private readonly byUser: ReadonlyMap<string, ReadonlySet<Entry>>,
    private readonly sendTo: (id: string, data: WebSocketData) => boolean,
    private readonly parked?: ParkedConnections,
  ) {}
  connection(id: string): WebSocketConnection | undefined {
    return this.byId.get(id)?.connection ?? this.parked?.connection(id);
  }
  *connections(): IterableIterator<WebSocketConnection> {
    for (const entry of this.byId.values()) yield entry.connection;
    if (this.parked) yield* this.parked.connections();
  }
  *userConnections(userId: string): IterableIterator<WebSocketConnection> {
    for (const entry of this.byUser.get(userId) ?? []) yield entry.connection;
    if (this.parked) yield* this.parked.userConnections(userId);
  }
  connectionCount(): number {
    return this.byId.size;
  }
  send(connection: WebSocketConnection, data: WebSocketData): boolean {
    return this.sendTo(connection.id, data);
  }

  /** Each connection once, however many of `rooms` it is in. */
  deliverRooms(
    registry: RoomRegistry,
    rooms: readonly string[],
    data: WebSocketData,
    except: ReadonlySet<string> | undefined,
  ): number {
    let sent = 0;
    const seen = rooms.length > 1 ? new Set<string>() : undefined;
    for (const room of rooms) {
      for (const [id, connection] of registry.members(room) ?? []) {
        if (except?.has(id) || seen?.has(id)) continue;
        seen?.add(id);
        if (this.send(connection, data)) sent++;
      }
    }
    return sent;
  }

  deliverUser(
    userId: string,
    data: WebSocketData,
    except: ReadonlySet<string> | undefined,
  ): number {
    let sent = 0;
    for (const connection of this.userConnections(userId)) {
      if (except?.has(connection.id)) continue;
      if (this.send(connection, data)) sent++;
    }
    return sent;
  }
}
