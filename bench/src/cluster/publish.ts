/**
 * The publishing side of the cluster scenario, shared by both cluster servers: the
 * orchestrator's `broadcast` command names the rooms; each call publishes one notice to the next
 * room in turn, stamped with this instance's number and clock at the moment of publishing.
 */
import { epochNow } from "../fake-backend.ts";

/** What a member receives: which instance published it, and when (that instance's clock). */
export interface Notice {
  type: "notice";
  node: number;
  sentAt: number;
}

/** The `broadcast` data the orchestrator sends: the rooms to publish to, in turn. */
export const publishOrder = (rooms: string[]): string => JSON.stringify({ rooms });

/**
 * A `broadcast` implementation for {@link serveControl}: `send(room, notice)` publishes once.
 * Returns 1 per publish (members on other instances are not this instance's to count).
 */
export function roomPublisher(
  node: number,
  send: (room: string, notice: Notice) => void,
): (data: string) => number {
  let lastData: string | undefined;
  let rooms: string[] = [];
  let next = 0;
  return (data) => {
    if (data !== lastData)
      [lastData, rooms] = [data, (JSON.parse(data) as { rooms: string[] }).rooms];
    send(rooms[next++ % rooms.length]!, { type: "notice", node, sentAt: epochNow() });
    return 1;
  };
}
