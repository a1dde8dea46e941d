/**
 * `maxConnectionsPerUser` across a cluster (issue 13), when the broker keeps a {@link LimitStore}:
 * a handshake that passes this instance's own count takes one of its user's places on the store
 * (one round trip), its connection keeps the place while open and gives it back as it closes. A
 * place taken by a handshake that never became a connection (the client left during the upgrade)
 * is given back after {@link PENDING_MS}. The store failing or timing out admits (fail open).
 */
import type { LimitStore } from "../cluster/broker.ts";

/** How long a handshake's place waits for its connection to register. */
const PENDING_MS = 10_000;

interface Pending {
  slot: string;
  at: number;
}

export class ClusterUserPlaces {
  /** Places taken by handshakes not registered yet, per user, oldest first. */
  readonly #pending = new Map<string, Pending[]>();
  /** The place each registered connection holds. */
  readonly #held = new Map<string, { userId: string; slot: string }>();
  /** Slots are unique across the cluster: a random instance part and a counter. */
  readonly #instance = globalThis.crypto.randomUUID();
  #next = 0;
  #sweep: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: LimitStore,
    private readonly max: number,
  ) {}

  /** @returns whether `userId` may connect: a place was taken, or the store could not answer. */
  async take(userId: string): Promise<boolean> {
    const slot = `${this.#instance}:${++this.#next}`;
    let taken: boolean;
    try {
      taken = await this.store.acquire(userId, slot, this.max);
    } catch {
      taken = true; // fail open: this instance's own count decided
    }
    if (!taken) return false;
    const list = this.#pending.get(userId);
    if (list === undefined) this.#pending.set(userId, [{ slot, at: Date.now() }]);
    else list.push({ slot, at: Date.now() });
    if (this.#sweep === undefined) this.#sweep = this.#armSweep();
    return true;
  }

  /** A connection of `userId` registered: it holds its user's oldest waiting place. */
  opened(connectionId: string, userId: string): void {
    const place = this.#shift(userId);
    if (place !== undefined) this.#held.set(connectionId, { userId, slot: place.slot });
  }

  /** A connection of `userId` was refused as it registered: its place goes back. */
  refused(userId: string): void {
    const place = this.#shift(userId);
    if (place !== undefined) this.store.release(userId, place.slot);
  }

  /** A registered connection went away. */
  closed(connectionId: string): void {
    const held = this.#held.get(connectionId);
    if (held === undefined) return;
    this.#held.delete(connectionId);
    this.store.release(held.userId, held.slot);
  }

  #shift(userId: string): Pending | undefined {
    const list = this.#pending.get(userId);
    const place = list?.shift();
    if (list?.length === 0) this.#pending.delete(userId);
    return place;
  }

  /** One unref'd timer while places wait, not one per handshake. */
  #armSweep(): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#sweep = undefined;
      const oldest = Date.now() - PENDING_MS;
      for (const [userId, list] of this.#pending) {
        while (list.length > 0 && list[0]!.at <= oldest)
          this.store.release(userId, list.shift()!.slot);
        if (list.length === 0) this.#pending.delete(userId);
      }
      if (this.#pending.size > 0) this.#sweep = this.#armSweep();
    }, PENDING_MS);
    timer.unref?.();
    return timer;
  }
}
