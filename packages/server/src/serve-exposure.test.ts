/**
 * What `agentsocket serve` says about who can reach it: one warning line when it listens beyond
 * loopback without auth, none otherwise; and `AGENTSOCKET_ALLOWED_ORIGINS` refused when an item is
 * not an origin (a path or a bare host would never match what browsers send).
 */
import { afterEach, describe, expect, it } from "vitest";
import { main } from "./cli.ts";
import { recorder as record } from "./cli-recorder.ts";
import type { AgentServer } from "./create-server.ts";
import { parseServeOptions } from "./serve-options.ts";

const recorder = () => record({ logs: { write: () => {} } });

const DB = { AGENTSOCKET_DB: ":memory:" };

describe("agentsocket serve exposure", () => {
  let server: AgentServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it("warns once when it listens on every interface without auth", async () => {
    const { output, runtime } = recorder();
    server = await main(["serve", "--port", "0", "--host", "0.0.0.0"], DB, runtime);
    expect(server).toBeDefined();
    expect(output.error).toEqual([
      "agentsocket: warning: listening on 0.0.0.0 without auth — anyone who can reach this port can use the agent; set AGENTSOCKET_API_KEYS or AGENTSOCKET_JWT_SECRET",
    ]);
  });

  it.each([
    ["on loopback", ["--host", "127.0.0.1"], {}],
    ["with auth", ["--host", "0.0.0.0"], { AGENTSOCKET_API_KEYS: "k1" }],
    ["when HOST is localhost", [], { HOST: "localhost" }],
  ])("does not warn %s", async (_case, args, env) => {
    const { output, runtime } = recorder();
    server = await main(["serve", "--port", "0", ...args], { ...DB, ...env }, runtime);
    expect(server).toBeDefined();
    expect(output.error).toEqual([]);
  });

  it("lets HOST choose the interface, and --host win over it", () => {
    expect(parseServeOptions([], { HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(parseServeOptions(["--host", "::1"], { HOST: "0.0.0.0" }).host).toBe("::1");
    expect(parseServeOptions([], {}).host).toBe("127.0.0.1");
  });

  it("allows its own page, the listed origins (as browsers spell them) and Socket.IO's", () => {
    const env = {
      AGENTSOCKET_ALLOWED_ORIGINS: "https://App.example, http://localhost:5173",
      AGENTSOCKET_SOCKETIO: "1",
      AGENTSOCKET_SOCKETIO_CORS: "http://127.0.0.1:8080",
    };
    expect(parseServeOptions([], env).allowedOrigins).toEqual([
      "same-origin",
      "https://app.example",
      "http://localhost:5173",
      "http://127.0.0.1:8080",
    ]);
    expect(parseServeOptions([], {}).allowedOrigins).toEqual(["same-origin"]);
  });

  it.each(["app.example", "https://app.example/", "https://app.example/path", "ftp://x.example"])(
    "refuses AGENTSOCKET_ALLOWED_ORIGINS=%s with a usage error",
    async (value) => {
      const { output, runtime } = recorder();
      const env = { ...DB, AGENTSOCKET_ALLOWED_ORIGINS: value };
      expect(await main(["serve", "--port", "0"], env, runtime)).toBeUndefined();
      expect(output.exitCode).toBe(2);
      expect(output.error[0]).toContain("AGENTSOCKET_ALLOWED_ORIGINS must list origins");
    },
  );
});
