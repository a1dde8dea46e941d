/**
 * Resume tokens: a signed token verifies with its claims; one past its `exp` is `expired`; one
 * with a changed body, a changed signature or another key's signature is `invalid`.
 */
import { describe, expect, it } from "vitest";
import { TokenSigner } from "./token.ts";

const key = (fill: number) => new Uint8Array(32).fill(fill);

describe("TokenSigner", () => {
  const signer = new TokenSigner(key(1));
  const now = 1_700_000_000_000;

  it("verifies what it signed, until exp", () => {
    const token = signer.sign({ sid: "s1", uid: "alice", exp: now + 1000 });
    expect(signer.verify(token, now)).toEqual({
      ok: true,
      claims: { sid: "s1", uid: "alice", exp: now + 1000 },
    });
    expect(signer.verify(token, now + 1000)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses changed and foreign tokens", () => {
    const token = signer.sign({ sid: "s1", uid: "alice", exp: now + 1000 });
    const [body, mac] = token.split(".") as [string, string];
    const otherBody = signer.sign({ sid: "s1", uid: "bob", exp: now + 1000 }).split(".")[0];
    expect(signer.verify(`${otherBody}.${mac}`, now)).toEqual({ ok: false, reason: "invalid" });
    expect(signer.verify(`${body}.${mac.slice(1)}`, now)).toEqual({ ok: false, reason: "invalid" });
    expect(new TokenSigner(key(2)).verify(token, now)).toEqual({ ok: false, reason: "invalid" });
    for (const junk of ["", ".", "abc", `${body}.`, `${body}.!!`, 42, null])
      expect(signer.verify(junk, now)).toEqual({ ok: false, reason: "invalid" });
  });
});
