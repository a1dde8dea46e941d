/**
 * Subscribe and unsubscribe calls to the broker, in the order core makes them, remembering the
 * latest one of each topic still in flight so a client's `join` can wait until its room is
 * subscribed. A broker outage never fails them: the broker resubscribes when it is back.
 */
import type { BrokerTopic, MessageBroker } from "./broker.ts";

export class Subscriptions {
  readonly #pending = new Map<BrokerTopic, Promise<void>>();

  constructor(private readonly broker: () => MessageBroker) {}

  set(topic: BrokerTopic, on: boolean): void {
    let operation: Promise<void>;
    try {
      operation = on ? this.broker().subscribe(topic) : this.broker().unsubscribe(topic);
    } catch {
      operation = Promise.resolve();
    }
    const settled = operation.then(
      () => {},
      () => {},
    );
    this.#pending.set(topic, settled);
    void settled.then(() => {
      if (this.#pending.get(topic) === settled) this.#pending.delete(topic);
    });
  }

  /** Resolves once the latest (un)subscribe of `topic` has settled. */
  settled(topic: BrokerTopic): Promise<void> {
    return this.#pending.get(topic) ?? Promise.resolve();
  }
}
