/**
 * `importPeer`: a peer that is not installed becomes a `MissingPeerError` naming what to install;
 * an installed one loads; any other failure passes through untouched.
 */
import { describe, expect, it } from "vitest";
import { importPeer, MissingPeerError } from "./import-peer.ts";

describe("importPeer", () => {
  it("loads an installed peer", async () => {
    const ws = await importPeer(() => import("ws"), "The test", ["ws"]);
    expect(typeof ws.WebSocketServer).toBe("function");
  });

  it("names the packages to install when one is missing", async () => {
    const load = () => import("agentsocket-not-installed-peer" as string);
    const failure = importPeer(load, 'The "x" framework', ["agentsocket-not-installed-peer", "ws"]);
    await expect(failure).rejects.toThrow(MissingPeerError);
    await expect(failure).rejects.toThrow(
      'The "x" framework needs agentsocket-not-installed-peer and ws, which are not installed: ' +
        "npm install agentsocket-not-installed-peer ws",
    );
    await expect(failure).rejects.toMatchObject({
      packages: ["agentsocket-not-installed-peer", "ws"],
      cause: { code: "ERR_MODULE_NOT_FOUND" },
    });
  });

  it("passes through a missing package it was not asked about", async () => {
    const load = () => import("agentsocket-not-installed-peer" as string);
    const failure = importPeer(load, "The test", ["ws"]);
    await expect(failure).rejects.not.toThrow(MissingPeerError);
    await expect(failure).rejects.toMatchObject({ code: "ERR_MODULE_NOT_FOUND" });
  });

  it("passes through an error thrown while the peer loads", async () => {
    const broken = new SyntaxError("Unexpected token");
    const failure = importPeer(() => Promise.reject(broken), "The test", ["ws"]);
    await expect(failure).rejects.toBe(broken);
  });
});
