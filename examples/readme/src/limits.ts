// README "Limits and tickets": abuse limits and single-use tickets on a complete server.
import { createDemoAgent } from "@agentsocket/server";

const neurolink = createDemoAgent();
// #region readme
import { createServer } from "@agentsocket/server";

const server = await createServer(neurolink, {
  framework: "hono",
  config: {
    port: 3000,
    websocket: {
      auth: { strategy: "bearer", jwt: { secret: process.env.JWT_SECRET! } },
      // 20 frames/s sustained, 40 at once; past it RATE_LIMITED, a flood is closed with 1008.
      rateLimit: { messagesPerSecond: 20, burst: 40 },
      maxConnectionsPerUser: 5, // the 6th handshake of a user gets 429
      maxConnectionsPerIp: 50,
      tickets: { ttlMs: 30_000 }, // POST /api/auth/websocket → { ticket, expiresAt }
    },
    agent: { maxStreamsPerMinute: 30 }, // per user, over WebSocket and HTTP
  },
});
await server.start();
// #endregion
await server.stop();
