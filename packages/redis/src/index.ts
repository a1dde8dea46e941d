/**
 * @agentsocket/redis — agentsocket across many instances: `createRedisBroker({ url })` carries
 * room, user, connection and broadcast sends between instances over Redis pub/sub (sharded on
 * Redis 7+), keeps cluster presence for `manager.cluster.fetchRoomInfo()`/`fetchStats()`, and keeps
 * WebSocket tickets so one issued by any instance is redeemed on any other.
 */
export { createRedisBroker } from "./redis-broker.ts";
export type { RedisBroker } from "./redis-broker.ts";
export type { RedisBrokerOptions, RedisClusterLike, RedisPresenceOptions } from "./options.ts";
export { createRedisStreamStore } from "./stream-store.ts";
export type { RedisStreamStore } from "./stream-store.ts";
export type { RedisStreamStoreOptions } from "./stream-options.ts";
export type { ParkedClientRecord, RedisReconnectStore } from "./reconnect-store.ts";

import { registerBrokerType } from "@agentsocket/core";
import { createRedisBroker as create } from "./redis-broker.ts";
import type { RedisBrokerOptions as Options } from "./options.ts";

// Seed 000: `manager.setMessageBroker({ type: "redis", url, prefix })` once this package is imported.
registerBrokerType("redis", (options) => create(options as Options));
