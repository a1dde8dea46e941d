/**
 * The `rooms` options of {@link WebSocketConfig}: limits and who may join from the client side.
 */
import type { WebSocketConnection } from "../types.ts";

/** Options of rooms (`WebSocketConfig.rooms`). */
export interface RoomsOptions {
  /** Rooms one connection may be in at once; `joinRoom` past it returns `false`. @default 100 */
  maxRoomsPerConnection?: number;
  /** Longest room name in characters; a longer (or empty) name is refused. @default 200 */
  maxRoomNameLength?: number;
  /**
   * Decides a client's `{type:"join"}` frame (sync or async). Without it every client join is
   * refused with `FORBIDDEN`; server-side `manager.joinRoom()` is never asked.
   * @default undefined (clients may not join rooms)
   */
  authorizeJoin?: (connection: WebSocketConnection, room: string) => boolean | Promise<boolean>;
}

export type ResolvedRoomsOptions = Required<Omit<RoomsOptions, "authorizeJoin">> &
  Pick<RoomsOptions, "authorizeJoin">;

export const ROOM_DEFAULTS = { maxRoomsPerConnection: 100, maxRoomNameLength: 200 } as const;

/**
 * Merges `options` over {@link ROOM_DEFAULTS} into a new object.
 * @throws {TypeError} naming the first invalid option.
 */
export function resolveRoomsOptions(options: RoomsOptions = {}): ResolvedRoomsOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError('The "rooms" option must be an object');
  const resolved: ResolvedRoomsOptions = { ...ROOM_DEFAULTS };
  for (const key of ["maxRoomsPerConnection", "maxRoomNameLength"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(
        `The "rooms.${key}" option must be an integer >= 1 (got ${String(value)})`,
      );
    resolved[key] = value;
  }
  if (options.authorizeJoin !== undefined) {
    if (typeof options.authorizeJoin !== "function")
      throw new TypeError('The "rooms.authorizeJoin" option must be a function');
    resolved.authorizeJoin = options.authorizeJoin;
  }
  return resolved;
}
