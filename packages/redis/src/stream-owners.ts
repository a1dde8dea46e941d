/**
 * The owners of streams on Redis: each node that listens for cancel requests (the instance running
 * its streams) keeps an alive key refreshed by an unref'd heartbeat, so readers on any instance can
 * tell a stream whose owner died (`STREAM_INTERRUPTED`) from one that is only slow; cancel requests
 * are published on the owner's channel.
 */
import { ownerChannel } from "./stream-scripts.ts";

/** Milliseconds an owner's alive key lives; it is refreshed every third of it. */
const OWNER_TTL_MS = 15_000;

type Send = (args: string[]) => Promise<unknown>;
type Listen = (channel: string, listener: (message: string) => void) => Promise<() => void>;

export function createOwnerRegistry(
  send: Send,
  listen: Listen,
  prefix: string,
  sharded: () => boolean,
) {
  const aliveKey = (ownerNode: string) => `${ownerChannel(prefix, ownerNode)}:alive`;
  /** Listener counts per owner node, and their heartbeats. */
  const owners = new Map<string, { count: number; timer: ReturnType<typeof setInterval> }>();
  const beat = (ownerNode: string) =>
    send(["SET", aliveKey(ownerNode), "1", "PX", String(OWNER_TTL_MS)]).catch(() => {});

  return {
    async requestCancel(ownerNode: string, streamId: string): Promise<void> {
      await send([sharded() ? "SPUBLISH" : "PUBLISH", ownerChannel(prefix, ownerNode), streamId]);
    },

    async alive(ownerNode: string): Promise<boolean> {
      return Number(await send(["EXISTS", aliveKey(ownerNode)])) === 1;
    },

    onCancel(ownerNode: string, listener: (streamId: string) => void): () => void {
      let owner = owners.get(ownerNode);
      if (owner === undefined) {
        const timer = setInterval(() => void beat(ownerNode), OWNER_TTL_MS / 3);
        timer.unref?.();
        owners.set(ownerNode, (owner = { count: 0, timer }));
        void beat(ownerNode);
      }
      owner.count++;
      let stopped = false;
      let unlisten: (() => void) | undefined;
      listen(ownerChannel(prefix, ownerNode), listener).then(
        (stop) => (stopped ? stop() : (unlisten = stop)),
        () => {},
      );
      return () => {
        if (stopped) return;
        stopped = true;
        unlisten?.();
        if (--owner.count > 0) return;
        clearInterval(owner.timer);
        owners.delete(ownerNode);
        send(["DEL", aliveKey(ownerNode)]).catch(() => {});
      };
    },

    /** Stops every heartbeat (the alive keys expire on their own). */
    close(): void {
      for (const { timer } of owners.values()) clearInterval(timer);
      owners.clear();
    },
  };
}
