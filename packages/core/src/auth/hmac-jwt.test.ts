/**
 * The synchronous HMAC check gives every token the verdict `jose`'s `jwtVerify` gives it: the
 * same users for valid tokens, a refusal for every token `jwtVerify` throws on.
 */
import { jwtVerify, SignJWT, type JWTVerifyOptions } from "jose";
import { describe, expect, it } from "vitest";
import { createAuthenticator } from "./authenticate.ts";

const secret = "a-secret-long-enough-for-hs512-tokens-0123456789";
const key = new TextEncoder().encode(secret);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** A token with this header and payload, signed with `key` (or another secret). */
async function sign(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  with_ = key,
) {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(with_);
}

/** A token made of these raw parts, its signature over them with HS256 and `key`. */
async function raw(header: string, payload: string): Promise<string> {
  const crypto = await import("node:crypto");
  const mac = crypto.createHmac("sha256", key).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${mac}`;
}

async function tokens(): Promise<[string, string][]> {
  const claims = { sub: "u1", exp: now() + 60, roles: ["a"] };
  const valid = await sign({ alg: "HS256" }, claims);
  const [h, p, s] = valid.split(".") as [string, string, string];
  return [
    ["valid HS256", valid],
    ["valid HS384", await sign({ alg: "HS384" }, claims)],
    ["HS512, not pinned", await sign({ alg: "HS512" }, claims)],
    ["with typ", await sign({ alg: "HS256", typ: "JWT" }, claims)],
    ["expired", await sign({ alg: "HS256" }, { sub: "u1", exp: now() - 120 })],
    ["expired within the tolerance", await sign({ alg: "HS256" }, { sub: "u1", exp: now() - 5 })],
    ["not yet valid", await sign({ alg: "HS256" }, { ...claims, nbf: now() + 120 })],
    ["no exp", await sign({ alg: "HS256" }, { sub: "u1" })],
    ["exp not a number", await sign({ alg: "HS256" }, { sub: "u1", exp: "later" })],
    ["wrong issuer", await sign({ alg: "HS256" }, { ...claims, iss: "other" })],
    ["right issuer, no audience", await sign({ alg: "HS256" }, { ...claims, iss: "me" })],
    ["issuer and audience", await sign({ alg: "HS256" }, { ...claims, iss: "me", aud: "agents" })],
    ["another secret", await sign({ alg: "HS256" }, claims, new TextEncoder().encode("other"))],
    ["crit b64", await sign({ alg: "HS256", crit: ["b64"], b64: true }, claims)],
    ["crit unknown", await raw(b64({ alg: "HS256", crit: ["x"], x: 1 }), p)],
    ["tampered payload", `${h}.${b64({ ...claims, sub: "admin" })}.${s}`],
    ["tampered signature", `${h}.${p}.${s.slice(0, -2)}AA`],
    ["short signature", `${h}.${p}.${s.slice(0, 10)}`],
    ["padded signature", `${h}.${p}.${s}=`],
    ["signature with a stray character", `${h}.${p}.${s.slice(0, 5)}*${s.slice(5)}`],
    ["alg none", `${b64({ alg: "none" })}.${p}.`],
    ["four parts", `${valid}.x`],
    ["header is an array", await raw(b64(["HS256"]), p)],
    ["header is not JSON", await raw(Buffer.from("{alg").toString("base64url"), p)],
    ["header alg toString", await raw(b64({ alg: "toString" }), p)],
    ["payload is an array", await raw(h, b64([1]))],
    ["payload is not JSON", await raw(h, Buffer.from("nope").toString("base64url"))],
    [
      "payload is invalid UTF-8",
      await raw(h, Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")),
    ],
    ["payload without sub", await raw(h, b64({ exp: now() + 60 }))],
    ["empty token", ""],
  ];
}

const configs: [string, JWTVerifyOptions & { secret: string; issuer?: string }][] = [
  ["HS256 and HS384", { secret, algorithms: ["HS256", "HS384"], clockTolerance: 30 }],
  ["an issuer and an audience", { secret, issuer: "me", audience: "agents" }],
];

describe("HMAC JWTs", () => {
  it.each(configs)("get the verdict jwtVerify gives them, with %s", async (_, jwt) => {
    const authenticate = createAuthenticator({ strategy: "bearer", jwt: jwt as never });
    const options: JWTVerifyOptions = {
      algorithms: jwt.algorithms ?? ["HS256"],
      requiredClaims: ["exp"],
      ...(jwt.issuer ? { issuer: jwt.issuer } : {}),
      ...(jwt.audience ? { audience: jwt.audience } : {}),
      ...(jwt.clockTolerance ? { clockTolerance: jwt.clockTolerance } : {}),
    };
    const outcomes: string[] = [];
    for (const [name, token] of await tokens()) {
      const expected = await jwtVerify(token, key, options).then(
        ({ payload }) => (typeof payload.sub === "string" && payload.sub ? payload.sub : "refused"),
        () => "refused",
      );
      const auth = await authenticate({
        url: "/ws",
        headers: { authorization: `Bearer ${token}` },
      });
      const got = auth.ok ? auth.user!.id : "refused";
      outcomes.push(`${name}: ${got}`);
      expect(`${name}: ${got}`).toBe(`${name}: ${expected}`);
    }
    // Both kinds of verdict were exercised.
    expect(outcomes.some((line) => line.endsWith(": u1"))).toBe(true);
    expect(outcomes.some((line) => line.endsWith(": refused"))).toBe(true);
  });
});
