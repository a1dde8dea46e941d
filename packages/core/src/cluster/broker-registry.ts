/**
 * Brokers by name, for seed 000's `manager.setMessageBroker({ type: "redis", url, prefix })`:
 * a broker package registers its factory when imported (`@agentsocket/redis` registers "redis"),
 * so core names no broker package and imports no client.
 */
import type { MessageBroker } from "./broker.ts";
import { createMemoryBroker } from "./memory-broker.ts";

/** A broker described by configuration: `type` names a registered factory, the rest is its options. */
export interface BrokerConfig {
  type: string;
  [option: string]: unknown;
}

const factories = new Map<string, (options: Record<string, unknown>) => MessageBroker>([
  ["memory", () => createMemoryBroker()],
]);

/**
 * Makes `setMessageBroker({ type })` able to build brokers of `type`.
 * @example registerBrokerType("nats", (options) => createNatsBroker(options));
 */
export function registerBrokerType(
  type: string,
  factory: (options: Record<string, unknown>) => MessageBroker,
): void {
  if (typeof type !== "string" || type === "" || typeof factory !== "function")
    throw new TypeError("registerBrokerType: give a non-empty type and a factory function");
  factories.set(type, factory);
}

/** @throws {TypeError} for an unknown `type` (naming the package to import). */
export function createBrokerFromConfig(config: BrokerConfig): MessageBroker {
  const { type, ...options } = config ?? {};
  const factory = typeof type === "string" ? factories.get(type) : undefined;
  if (factory === undefined) {
    const hint = type === "redis" ? ': import "@agentsocket/redis" first' : "";
    throw new TypeError(`No message broker of type ${JSON.stringify(type)} is registered${hint}`);
  }
  return factory(options);
}
