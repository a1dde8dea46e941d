// README "Rooms and many instances": rooms, a Redis broker, cluster presence.
import { createDemoAgent } from "@agentsocket/server";

const neurolink = createDemoAgent();
// #region readme
import { createServer } from "@agentsocket/server";
import { createRedisBroker } from "@agentsocket/redis";

const server = await createServer(neurolink, {
  framework: "express",
  config: {
    port: Number(process.env.PORT ?? 3000),
    websocket: {
      broker: createRedisBroker({ url: process.env.REDIS_URL!, prefix: "chat" }),
      // Clients send {type:"join", payload:{room}}; refused with FORBIDDEN unless this allows it.
      rooms: { maxRoomsPerConnection: 20, authorizeJoin: (_c, room) => room.startsWith("team:") },
    },
  },
});
await server.start();

const rooms = server.websocket;
rooms.broadcastToRoom("team:support", { type: "notice", text: "deploy at 5" }); // every instance
rooms.sendToUser("alice", { type: "dm", text: "hi" }); // wherever alice is connected
const { memberCount, userCount } = await rooms.cluster.fetchRoomInfo("team:support");
console.log(`team:support: ${memberCount} connections, ${userCount} users, cluster-wide`);
// #endregion
