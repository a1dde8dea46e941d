/**
 * `createMemoryBroker()`: the default broker of a single process. There are no other nodes, so
 * publishing goes nowhere and presence is this process's own membership.
 */
import type {
  BrokerNode,
  BrokerTopic,
  MessageBroker,
  PresenceMember,
  PresenceNode,
  PresenceStore,
} from "./broker.ts";

/**
 * The in-process broker (the default when `WebSocketConfig.broker` is not set).
 * @example
 * new WebSocketConnectionManager({ broker: createMemoryBroker() }); // same as no broker
 */
export function createMemoryBroker(): MessageBroker {
  let node: BrokerNode | undefined;
  const presence: PresenceStore = {
    add: async (_member: PresenceMember) => {},
    remove: async (_member: PresenceMember) => {},
    async roomInfo(room) {
      const users = new Set<string>();
      let memberCount = 0;
      for (const member of node?.memberships() ?? []) {
        if (member.room !== room) continue;
        memberCount++;
        if (member.userId !== undefined) users.add(member.userId);
      }
      return { memberCount, userCount: users.size };
    },
    async nodes(): Promise<PresenceNode[]> {
      if (node === undefined) return [];
      return [{ id: node.nodeId, connections: node.connectionCount(), lastSeen: Date.now() }];
    },
  };
  return {
    state: "ready",
    presence,
    async start(served) {
      node = served;
    },
    publish: async (_topic: BrokerTopic) => {},
    subscribe: async (_topic: BrokerTopic) => {},
    unsubscribe: async (_topic: BrokerTopic) => {},
    async close() {
      node = undefined;
    },
  };
}
