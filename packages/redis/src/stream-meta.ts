/**
 * A stream's meta as a Redis HASH and back. Field names are short (one meta per stream, kept for
 * `metaTtlMs`): `e` epoch, `o` owner, `u` user, `c` scope, `s` session, `n` connection, `st`
 * state (`a`/`d`), `l` last offset, `b` bytes, `mf`/`mb` bounds, `at`/`ct`/`mt` lifetimes, `ca`
 * created, `ua` updated, `lu` log expiry, `r` reader seen.
 */
import type { StreamMeta } from "@agentsocket/core";

const OPTIONAL = { userId: "u", scope: "c", sessionId: "s", connectionId: "n" } as const;

/** The field/value pairs of a new stream's meta HASH. */
export function toHashArgs(meta: StreamMeta, now: number): string[] {
  const { retention } = meta;
  const args = [
    "e", meta.epoch,
    "o", meta.ownerNode,
    "st", "a",
    "l", "0",
    "b", "0",
    "mf", String(retention.maxFrames),
    "mb", String(retention.maxBytes),
    "at", String(retention.activeTtlMs),
    "ct", String(retention.completedTtlMs),
    "mt", String(retention.metaTtlMs),
    "ca", String(now),
    "ua", String(now),
    "lu", String(now + retention.activeTtlMs),
  ]; // prettier-ignore
  for (const [key, field] of Object.entries(OPTIONAL)) {
    const value = meta[key as keyof typeof OPTIONAL];
    if (value !== undefined) args.push(field, value);
  }
  return args;
}

/** The meta of a HASH reply (array or map, RESP2 or RESP3), or `undefined` when it is empty. */
export function metaFromHash(
  streamId: string,
  reply: string[] | Record<string, string> | Map<string, string>,
  now: number,
): StreamMeta | undefined {
  const hash = toRecord(reply);
  if (hash.e === undefined) return undefined;
  const number = (field: string) => Number(hash[field] ?? 0);
  const meta: StreamMeta = {
    streamId,
    epoch: hash.e,
    ownerNode: hash.o ?? "",
    state: number("lu") <= now ? "expired" : hash.st === "d" ? "done" : "active",
    lastOffset: number("l"),
    bytes: number("b"),
    retention: {
      maxFrames: number("mf"),
      maxBytes: number("mb"),
      activeTtlMs: number("at"),
      completedTtlMs: number("ct"),
      metaTtlMs: number("mt"),
    },
    createdAt: number("ca"),
    updatedAt: number("ua"),
  };
  if (meta.state === "expired") meta.bytes = 0;
  for (const [key, field] of Object.entries(OPTIONAL)) {
    if (hash[field] !== undefined) meta[key as keyof typeof OPTIONAL] = hash[field];
  }
  if (hash.r !== undefined) meta.readerSeenAt = Number(hash.r);
  return meta;
}

function toRecord(reply: unknown): Record<string, string> {
  if (reply instanceof Map) return Object.fromEntries(reply) as Record<string, string>;
  if (!Array.isArray(reply)) return (reply ?? {}) as Record<string, string>;
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = String(reply[i + 1]);
  return record;
}
