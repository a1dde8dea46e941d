import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthenticator } from "./authenticate.ts";
import { timingSafeEqual } from "./constant-time.ts";

const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers });

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("createAuthenticator", () => {
  it("verifies RS256 tokens with a public key", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const authenticate = createAuthenticator({
      strategy: "bearer",
      jwt: { publicKey: await exportSPKI(publicKey), algorithms: ["RS256"], audience: "agents" },
    });
    const token = await new SignJWT({ roles: "admin ops" })
      .setProtectedHeader({ alg: "RS256" })
      .setSubject("rsa-user")
      .setAudience("agents")
      .setExpirationTime("1m")
      .sign(privateKey);
    expect(await authenticate(request(`/ws?token=${token}`))).toMatchObject({
      ok: true,
      user: { id: "rsa-user", roles: ["admin", "ops"] },
    });
    const wrongAudience = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setSubject("x")
      .setAudience("other")
      .sign(privateKey);
    expect(await authenticate(request(`/ws?token=${wrongAudience}`))).toMatchObject({
      ok: false,
      error: { status: 401 },
    });
  });

  it("verifies each pinned HMAC algorithm with the secret, and refuses one not pinned or a wrong secret", async () => {
    const secret = "a-secret-of-reasonable-length-0123456789";
    const authenticate = createAuthenticator({
      strategy: "bearer",
      jwt: { secret, algorithms: ["HS256", "HS384"] },
    });
    const sign = (alg: string, key = secret) =>
      new SignJWT({})
        .setProtectedHeader({ alg })
        .setSubject(`user-${alg}`)
        .setExpirationTime("1m")
        .sign(new TextEncoder().encode(key));
    const bearer = async (token: string) =>
      authenticate(request("/ws", { authorization: `Bearer ${token}` }));
    // Twice each: the second verification uses the key imported for the first.
    for (const alg of ["HS256", "HS384", "HS256", "HS384"]) {
      expect(await bearer(await sign(alg))).toMatchObject({
        ok: true,
        user: { id: `user-${alg}` },
      });
    }
    expect(await bearer(await sign("HS512"))).toMatchObject({ ok: false, error: { status: 401 } });
    expect(await bearer(await sign("HS256", "another-secret-0123456789abcdef"))).toMatchObject({
      ok: false,
      error: { status: 401 },
    });
  });

  it("verifies tokens against a JWKS served over HTTP", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    server = createServer((_req, res) =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const authenticate = createAuthenticator({
      strategy: "bearer",
      jwt: { jwksUrl: `http://127.0.0.1:${port}/jwks.json` },
    });
    const token = await new SignJWT({ email: "e@x.io" })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setSubject("jwks-user")
      .setExpirationTime("1m")
      .sign(privateKey);
    expect(await authenticate(request("/ws", { authorization: `Bearer ${token}` }))).toMatchObject({
      ok: true,
      user: { id: "jwks-user", email: "e@x.io" },
    });
  });

  it("pins algorithms to the key: a public key never verifies an HMAC token made from it", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
    const pem = await exportSPKI(publicKey);
    const authenticate = createAuthenticator({ strategy: "bearer", jwt: { publicKey: pem } });
    const signed = (alg: string, key: Parameters<SignJWT["sign"]>[0], exp = true) => {
      const jwt = new SignJWT({}).setProtectedHeader({ alg }).setSubject("u");
      return (exp ? jwt.setExpirationTime("1m") : jwt).sign(key);
    };
    const ok = await signed("RS256", privateKey);
    expect(await authenticate(request(`/ws?token=${ok}`))).toMatchObject({ ok: true });
    // The classic confusion: the public key's PEM text used as an HMAC secret.
    const confused = await signed("HS256", new TextEncoder().encode(pem));
    expect(await authenticate(request(`/ws?token=${confused}`))).toMatchObject({ ok: false });
    const forever = await signed("RS256", privateKey, false);
    expect(await authenticate(request(`/ws?token=${forever}`))).toMatchObject({ ok: false });
  });

  it("rejects algorithms outside the key's family and a non-boolean requireExpiration", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { secret: "s", algorithms: ["RS256"] },
        /auth\.jwt\.algorithms.*a secret: HS256, HS384, HS512/,
      ],
      [{ secret: "s", algorithms: [] }, /auth\.jwt\.algorithms/],
      [{ publicKey: "pem", algorithms: ["HS256"] }, /auth\.jwt\.algorithms.*a publicKey/],
      [
        { jwksUrl: "https://x.example/jwks", algorithms: ["none"] },
        /auth\.jwt\.algorithms.*a jwksUrl/,
      ],
      [{ secret: "s", requireExpiration: "no" }, /auth\.jwt\.requireExpiration/],
    ];
    for (const [jwt, message] of cases)
      expect(() => createAuthenticator({ strategy: "bearer", jwt })).toThrow(
        expect.objectContaining({ name: "TypeError", message: expect.stringMatching(message) }),
      );
  });

  it("treats a throwing validator as invalid credentials (401), not a crash", async () => {
    const authenticate = createAuthenticator({
      strategy: "bearer",
      validate: () => {
        throw new Error("jwt malformed");
      },
    });
    expect(await authenticate(request("/ws?token=x"))).toMatchObject({
      ok: false,
      error: { status: 401, code: "UNAUTHORIZED" },
    });
  });

  it("rejects a token without the Bearer scheme and a malformed Basic header", async () => {
    const bearer = createAuthenticator({ strategy: "bearer", validate: () => ({ id: "u" }) });
    expect(await bearer(request("/ws", { authorization: "Token abc" }))).toMatchObject({
      ok: false,
      error: { status: 401 },
    });
    const basic = createAuthenticator({ strategy: "basic", validate: () => ({ id: "u" }) });
    expect(await basic(request("/ws", { authorization: "Basic !!!notbase64" }))).toMatchObject({
      ok: false,
    });
    expect(
      await basic(request("/ws", { authorization: `Basic ${btoa("nocolon")}` })),
    ).toMatchObject({ ok: false });
  });

  it("custom: undefined means no credentials (required decides), null means invalid", async () => {
    const validate = (request: { url: string }) =>
      request.url.includes("user=")
        ? request.url.includes("user=ok")
          ? { id: "ok" }
          : null
        : undefined;
    const optional = createAuthenticator({ strategy: "custom", required: false, validate });
    expect(await optional(request("/ws"))).toEqual({ ok: true });
    expect(await optional(request("/ws?user=ok"))).toMatchObject({ ok: true, user: { id: "ok" } });
    expect(await optional(request("/ws?user=bad"))).toMatchObject({
      ok: false,
      error: { status: 401, message: "Invalid credentials" },
    });
    const required = createAuthenticator({ strategy: "custom", validate });
    expect(await required(request("/ws"))).toMatchObject({
      ok: false,
      error: { status: 401, message: "Authentication required" },
    });
  });

  it("refuses users whose roles are not an array (403) and users with an empty id (401)", async () => {
    const keycloakStyle = createAuthenticator({
      strategy: "bearer",
      roles: ["admin"],
      validate: () => ({ id: "u1", roles: { admin: true } as never }),
    });
    expect(await keycloakStyle(request("/ws?token=t"))).toMatchObject({
      ok: false,
      error: { status: 403 },
    });
    const emptyId = createAuthenticator({ strategy: "custom", validate: () => ({ id: "" }) });
    expect(await emptyId(request("/ws"))).toMatchObject({ ok: false, error: { status: 401 } });
  });

  it("refuses two different credentials however the runtime holds duplicate headers", async () => {
    const authenticate = createAuthenticator({
      strategy: "bearer",
      validate: (t) => (t === "a" || t === "b" ? { id: t } : null),
    });
    const outcome = async (input: Parameters<typeof authenticate>[0]) =>
      (await authenticate(input)).ok;
    expect(await outcome(request("/ws", { authorization: "Bearer a" }))).toBe(true);
    // Fetch Headers join duplicates; Node arrays keep them; rawHeaders restore what Node drops.
    const joined = new Headers([
      ["authorization", "Bearer a"],
      ["authorization", "Bearer b"],
    ]);
    expect(await outcome({ url: "/ws", headers: joined })).toBe(false);
    expect(
      await outcome({ url: "/ws", headers: { authorization: ["Bearer a", "Bearer b"] } }),
    ).toBe(false);
    const raw = ["Authorization", "Bearer a", "authorization", "Bearer b"];
    const parsed = { authorization: "Bearer a" };
    expect(await outcome({ url: "/ws", headers: parsed, rawHeaders: raw })).toBe(false);
    expect(await outcome(request("/ws?token=a&token=b"))).toBe(false);
    expect(await outcome(request("/ws?token=b", { authorization: "Bearer a" }))).toBe(false);
    // The same credential twice is not ambiguous, and another scheme is not a bearer credential.
    expect(await outcome(request("/ws?token=a", { authorization: "Bearer a" }))).toBe(true);
    expect(await outcome(request("/ws?token=a", { authorization: "Basic eDp5" }))).toBe(true);
    expect(await authenticate(request("/ws?token=a&token=b"))).toMatchObject({
      error: { code: "UNAUTHORIZED", message: "Ambiguous credentials" },
    });
  });

  it("reads headers from a Fetch Headers object too", async () => {
    const authenticate = createAuthenticator({ strategy: "apiKey", apiKeys: ["k"] });
    expect(
      await authenticate({ url: "/ws", headers: new Headers({ "X-API-Key": "k" }) }),
    ).toMatchObject({ ok: true, user: { id: "api-key-1" } });
  });
});

describe("timingSafeEqual", () => {
  it("compares strings of any length", async () => {
    expect(await timingSafeEqual("secret", "secret")).toBe(true);
    expect(await timingSafeEqual("secret", "secreT")).toBe(false);
    expect(await timingSafeEqual("secret", "secret-longer")).toBe(false);
    expect(await timingSafeEqual("", "")).toBe(true);
  });
});
