// README "The agent": a real NeuroLink instance behind createServer.
// #region readme
import { NeuroLink } from "@juspay/neurolink";
import { createServer } from "@agentsocket/server";

const server = await createServer(new NeuroLink(), {
  framework: "hono",
  config: {
    port: 3000,
    // NeuroLink picks its provider per call; clients may run no server tool directly by default.
    agent: { requestDefaults: { provider: "openai" }, allowedTools: ["get_weather"] },
  },
});
await server.start();
// #endregion
