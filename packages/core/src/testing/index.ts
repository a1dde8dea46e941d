/**
 * @agentsocket/core/testing — the conformance suite every adapter passes, and the test client it
 * uses. Run it from a vitest file:
 *
 * The client class is passed in (`WebSocket` from the `ws` package), so core itself imports no
 * WebSocket implementation.
 *
 * @example
 * runConformanceSuite({ name: "my-adapter", WebSocket, start: async (manager) => ({ url, stop }) });
 */
import { describe } from "vitest";
import { abuseCases } from "./abuse-cases.ts";
import { agentCases } from "./agent-cases.ts";
import { authCases } from "./auth-cases.ts";
import { broadcastCases } from "./broadcast-cases.ts";
import { compressionCases } from "./compression-cases.ts";
import { connectionCases } from "./connection-cases.ts";
import { handshakeCases } from "./handshake-cases.ts";
import { createHarness, type ConformanceTarget } from "./harness.ts";
import { hardeningCases } from "./hardening-cases.ts";
import { requestCases } from "./request-cases.ts";
import { httpAgentCases } from "./http-agent-cases.ts";
import { httpHardeningCases } from "./http-hardening-cases.ts";
import { limitCases } from "./limit-cases.ts";
import { roomCases } from "./room-cases.ts";
import { serverCases } from "./server-cases.ts";
import { ticketCases } from "./ticket-cases.ts";

/** Registers the whole conformance suite for one target with vitest. */
export function runConformanceSuite(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    const harness = createHarness(target);
    describe("connections", () => connectionCases(harness));
    describe("auth", () => authCases(harness));
    describe("handshakes", () => handshakeCases(harness));
    describe("limits", () => limitCases(harness));
    describe("abuse limits", () => abuseCases(harness));
    describe("rooms", () => roomCases(harness));
    describe("broadcast", () => broadcastCases(harness));
    describe("agent", () => agentCases(harness));
    if (target.server) describe("server", () => serverCases(harness));
    describe("requests in flight", () => requestCases(harness));
    describe("hardening", () => hardeningCases(harness));
    describe("compression", () => compressionCases(harness));
    if (target.server) describe("agent over HTTP", () => httpAgentCases(harness));
    if (target.server) describe("HTTP hardening", () => httpHardeningCases(harness));
    if (target.server) describe("tickets", () => ticketCases(harness));
  });
}

export { runConversationStoreSuite } from "./conversation-store-cases.ts";
export type { ConversationStoreTarget } from "./conversation-store-cases.ts";
export { eventually, runStreamStoreSuite } from "./stream-store-cases.ts";
export type { StreamStoreTarget } from "./stream-store-cases.ts";
export { createHarness, deferred, listenForTests, refused } from "./harness.ts";
export { handshakeLines, rawRequest } from "./raw-http.ts";
export type { RawResponse } from "./raw-http.ts";
export type {
  ConformanceServer,
  ConformanceTarget,
  Harness,
  ListenableServer,
  Served,
} from "./harness.ts";
export { createTestBackend, PROVIDER_SECRET, TEST_TEXT } from "./test-backend.ts";
export type { TestBackend, TestBackendOptions, TestBackendState } from "./test-backend.ts";
export { TestClient, connect, tryConnect, within } from "./client.ts";
export { httpRequest } from "./http-request.ts";
export type { HttpReply, HttpRequestInit } from "./http-request.ts";
export type {
  ConnectOptions,
  ConnectResult,
  Frame,
  RefusalResponse,
  WsClient,
  WsClientConstructor,
} from "./client.ts";
