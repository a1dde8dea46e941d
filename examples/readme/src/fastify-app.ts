// README "Into an existing app → Fastify".
import type { AuthenticatedUser } from "@agentsocket/core";

declare function lookupUser(token: string): Promise<AuthenticatedUser | null>;
// #region readme
import Fastify from "fastify";
import { WebSocketConnectionManager } from "@agentsocket/core";
import agentsocket from "@agentsocket/fastify";

const app = Fastify();
app.get("/", async () => ({ app: "mine" }));

const manager = new WebSocketConnectionManager({
  auth: { strategy: "bearer", validate: async (token) => lookupUser(token) },
});
manager.registerHandler("/ws", {
  onMessage: (conn, msg) => manager.send(conn.id, `echo: ${msg.data}`),
});

await app.register(agentsocket, { manager }); // your onRequest hooks run before the upgrade
await app.listen({ port: 3000 });
// #endregion
