/**
 * Channel and key names on Redis, and the envelope a {@link BrokerMessage} travels in.
 *
 * Names embed user input (room and user ids) `encodeURIComponent`ed inside a hash tag, so one
 * room's channel and presence keys live in one Redis Cluster slot and `{`/`}` in a room name
 * cannot break the tag. The envelope is one line of JSON (sender, target, exceptions) then a
 * newline then the frame as clients receive it: a JSON frame is not escaped a second time.
 */
import type { BrokerMessage, BrokerTopic } from "@agentsocket/core";

const tag = (topic: BrokerTopic): string => {
  if (topic === "all") return "{all}";
  const colon = topic.indexOf(":");
  const kind = topic.slice(0, colon);
  return `{${kind[0]}:${encodeURIComponent(topic.slice(colon + 1))}}`;
};

/** The pub/sub channel of a topic: `agentsocket:{r:lobby}`. */
export const channelOf = (prefix: string, topic: BrokerTopic): string => `${prefix}:${tag(topic)}`;

/** The presence keys of a room: members (HASH id→user), expiries (ZSET), users (HASH user→count). */
export const roomKeys = (prefix: string, room: string): [string, string, string] => {
  const base = `${prefix}:${tag(`room:${room}`)}:p`;
  return [`${base}:m`, `${base}:x`, `${base}:u`];
};

/**
 * The limit keys of a user (or of the key a limit counts by): its stream starts (ZSET start id →
 * start ms) and its connection places (ZSET slot → expiry ms), in the user's slot.
 */
export const limitKeys = (prefix: string, key: string): { streams: string; places: string } => {
  const base = `${prefix}:${tag(`user:${key}`)}:l`;
  return { streams: `${base}:s`, places: `${base}:c` };
};

/** The HASH of live nodes: node id → `{"connections":n,"lastSeen":ms}`. */
export const nodesKey = (prefix: string): string => `${prefix}:nodes`;

interface Header {
  s: string;
  r?: string[];
  u?: string;
  c?: string;
  x?: string[];
  /** The body is base64 of a binary frame. */
  b?: 1;
}

export function encodeMessage(message: BrokerMessage): string {
  const { to, data } = message;
  const header: Header = { s: message.src };
  if ("rooms" in to) header.r = to.rooms;
  else if ("user" in to) header.u = to.user;
  else if ("connection" in to) header.c = to.connection;
  if (message.except?.length) header.x = message.except;
  let body: string;
  if (typeof data === "string") body = data;
  else {
    header.b = 1;
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }
  return `${JSON.stringify(header)}\n${body}`;
}

/** @returns the message, or `undefined` for anything that is not one of ours. */
export function decodeMessage(text: string): BrokerMessage | undefined {
  const newline = text.indexOf("\n");
  if (newline < 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(text.slice(0, newline)) as Header;
  } catch {
    return undefined;
  }
  if (typeof header?.s !== "string") return undefined;
  const body = text.slice(newline + 1);
  const to: BrokerMessage["to"] = header.r
    ? { rooms: header.r }
    : header.u !== undefined
      ? { user: header.u }
      : header.c !== undefined
        ? { connection: header.c }
        : { all: true };
  const message: BrokerMessage = {
    src: header.s,
    to,
    data: header.b ? new Uint8Array(Buffer.from(body, "base64")) : body,
  };
  if (header.x) message.except = header.x;
  return message;
}
