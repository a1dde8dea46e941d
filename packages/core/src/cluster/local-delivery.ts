/**
 * Local delivery for the fan-out: read-only views of the connection registry's indexes, and the
 * loops that send one message to every, a room's, several rooms' (each connection once) or a
 * user's connections of this instance — encoded for the wire once, not once per recipient.
 */
import { PreparedFrame } from "../frame-data.ts";
import type { RoomRegistry } from "../rooms/room-registry.ts";
import { OPEN, type WebSocketConnection, type WebSocketData } from "../types.ts";
import type { PresenceMember } from "./broker.ts";

/**
 * One fan-out message: its frame is built on the first socket that takes prepared frames
 * (`SocketLike.sendFrame`) and reused for every other; other sockets get `data` as it is.
 */
export class Delivery {
  #frame: PreparedFrame | undefined;

  constructor(readonly data: WebSocketData) {}

  /** Sends to one connection. @returns false when its socket is not open. */
  to(connection: WebSocketConnection): boolean {
    const { socket } = connection;
    if (socket.readyState !== OPEN) return false;
    if (socket.sendFrame === undefined) socket.send(this.data);
    else socket.sendFrame((this.#frame ??= new PreparedFrame(this.data)));
    return true;
  }
}

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

  /** Every connection of this instance (parked ones too) but `except` and those `accept` refuses. */
  deliverAll(
    data: WebSocketData,
    except: ReadonlySet<string> | undefined,
    accept: ((connection: WebSocketConnection) => boolean) | undefined,
  ): number {
    const delivery = new Delivery(data);
    let sent = 0;
    for (const { connection } of this.byId.values()) {
      if (except?.has(connection.id) || (accept && !accept(connection))) continue;
      if (delivery.to(connection)) sent++;
    }
    if (this.parked === undefined) return sent;
    for (const connection of this.parked.connections()) {
      if (except?.has(connection.id) || (accept && !accept(connection))) continue;
      if (delivery.to(connection)) sent++;
    }
    return sent;
  }

  /** Each connection once, however many of `rooms` it is in. */
  deliverRooms(
    registry: RoomRegistry,
    rooms: readonly string[],
    data: WebSocketData,
    except: ReadonlySet<string> | undefined,
  ): number {
    const delivery = new Delivery(data);
    let sent = 0;
    const seen = rooms.length > 1 ? new Set<string>() : undefined;
    for (const room of rooms) {
      for (const [id, connection] of registry.members(room) ?? []) {
        if (except?.has(id) || seen?.has(id)) continue;
        seen?.add(id);
        if (delivery.to(connection)) sent++;
      }
    }
    return sent;
  }

  deliverUser(
    userId: string,
    data: WebSocketData,
    except: ReadonlySet<string> | undefined,
  ): number {
    const delivery = new Delivery(data);
    let sent = 0;
    for (const connection of this.userConnections(userId)) {
      if (except?.has(connection.id)) continue;
      if (delivery.to(connection)) sent++;
    }
    return sent;
  }
}
