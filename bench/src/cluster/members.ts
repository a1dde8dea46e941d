/**
 * The room members of the cluster scenario, one per connection, over agentsocket's wire protocol
 * (`ws`, `join` frame → `joined`) or Socket.IO (`socket.io-client`, acknowledged `join` event).
 * Every notice is counted by its member and, while the tally records, timed from its publish.
 */
import { io } from "socket.io-client";
import WebSocket from "ws";
import { epochNow } from "../fake-backend.ts";
import { SampleLog } from "../tally.ts";
import { withTimeout } from "../timeout.ts";
import type { Notice } from "./publish.ts";

/** Counts shared by every member of one system's run. */
export class NoticeTally {
  received = 0;
  /** Publish → receipt in ms; filled only while {@link NoticeTally.recording}. */
  readonly latencies = new SampleLog();
  recording = false;

  /** @param clockOffsets per instance: its clock minus ours, in ms. */
  constructor(readonly clockOffsets: number[]) {}

  count(notice: Notice, receivedAt: number): void {
    this.received++;
    if (this.recording)
      this.latencies.push(receivedAt - (notice.sentAt - this.clockOffsets[notice.node]!));
  }
}

/** A member that has joined its room. */
export interface Member {
  readonly room: string;
  /** Notices this member received. */
  readonly received: number;
  close(): void;
}

/** Which protocol the members speak. */
export type MemberKind = "agentsocket" | "socketio";

/** Connects to the instance on `port`, joins `room`, and resolves once the join is confirmed. */
export function joinMember(
  kind: MemberKind,
  port: number,
  room: string,
  tally: NoticeTally,
): Promise<Member> {
  return withTimeout(
    kind === "agentsocket" ? wireMember(port, room, tally) : socketIoMember(port, room, tally),
    30_000,
    `${kind} member join`,
  );
}

function wireMember(port: number, room: string, tally: NoticeTally): Promise<Member> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
  let received = 0;
  const member: Member = {
    room,
    get received() {
      return received;
    },
    close: () => socket.terminate(),
  };
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("close", () => reject(new Error("closed before joining")));
    socket.on("message", (data) => {
      const receivedAt = epochNow();
      const frame = JSON.parse(String(data)) as { type: string } & Partial<Notice>;
      if (frame.type === "notice") {
        received++;
        return tally.count(frame as Notice, receivedAt);
      }
      if (frame.type === "connected")
        socket.send(JSON.stringify({ type: "join", requestId: "j", payload: { room } }));
      else if (frame.type === "joined") resolve(member);
      else if (frame.type === "error") reject(new Error(`join refused: ${String(data)}`));
    });
  });
}

async function socketIoMember(port: number, room: string, tally: NoticeTally): Promise<Member> {
  const socket = io(`http://127.0.0.1:${port}`, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
  });
  let received = 0;
  socket.on("notice", (notice: Notice) => {
    received++;
    tally.count(notice, epochNow());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  await socket.emitWithAck("join", room);
  return {
    room,
    get received() {
      return received;
    },
    close: () => socket.disconnect(),
  };
}
