/**
 * @agentsocket/core/testing — the conformance suite every adapter passes, and the test client it
 * uses. Run it from a vitest file:
 *
 * @example
 * import { WebSocket } from "ws";
 * import { runConformanceSuite } from "@agentsocket/core/testing";
 * runConformanceSuite({ name: "my-adapter", WebSocket, start: async (manager) => ({ url, stop }) });
 */
import { describe } from "vitest";
import { authCases } from "./auth-cases.ts";
import { connectionCases } from "./connection-cases.ts";
import { createHarness, type ConformanceTarget } from "./harness.ts";
import { limitCases } from "./limit-cases.ts";
import { serverCases } from "./server-cases.ts";

/** Registers the whole conformance suite for one target with vitest. */
export function runConformanceSuite(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    const harness = createHarness(target);
    describe("connections", () => connectionCases(harness));
    describe("auth", () => authCases(harness));
    describe("limits", () => limitCases(harness));
    if (target.server) describe("server", () => serverCases(harness));
  });
}

export { createHarness, deferred } from "./harness.ts";
export type { ConformanceServer, ConformanceTarget, Harness, Served } from "./harness.ts";
export { TestClient, connect, tryConnect, within } from "./client.ts";
export type {
  ConnectOptions,
  ConnectResult,
  Frame,
  WsClient,
  WsClientConstructor,
} from "./client.ts";
