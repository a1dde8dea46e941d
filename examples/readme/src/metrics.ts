// README "Metrics and health": Prometheus, readiness checks, heartbeat latency, getStats().
import { createDemoAgent } from "@agentsocket/server";

const neurolink = createDemoAgent();
const probeProvider = async () => true;
// #region readme
import { createServer } from "@agentsocket/server";

const server = await createServer(neurolink, { framework: "express", config: { port: 3000 } });
server.addHealthCheck("aiProviders", async () =>
  (await probeProvider()) ? { status: "healthy" } : { status: "unhealthy", message: "No answer" },
);
server.websocket.registerHandler("/voice", {
  onHeartbeat: (connection, latency) => {
    if (latency > 5000) console.warn(`High latency: ${connection.id} (${latency} ms)`);
  },
});
await server.start(); // GET /api/metrics (Prometheus), /api/ready runs the checks

const { activeConnections, messagesPerSecond, averageLatency } = server.websocket.getStats();
console.log(activeConnections, messagesPerSecond, averageLatency);
// #endregion
await server.stop();
