/**
 * Conformance: every auth strategy by header and by query, and the 401/403 handshake statuses.
 */
import { SignJWT } from "jose";
import { expect, it } from "vitest";
import type { UpgradeRequest } from "../auth/types.ts";
import { refused, type Harness } from "./harness.ts";

const SECRET = "conformance-secret-at-least-32-bytes-long!";

function sign(claims: Record<string, unknown>, expiresIn = "5m"): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setIssuer("agentsocket-tests")
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(SECRET));
}

export function authCases(h: Harness): void {
  it("bearer: a valid token by header or ?token= connects as its user; none or a bad one gets 401", async () => {
    const validate = (token: string) => (token === "good" ? { id: "u1", roles: ["user"] } : null);
    const { manager, wsUrl } = await h.serve({ auth: { strategy: "bearer", validate } });
    const byHeader = await h.connect(wsUrl(), { headers: { Authorization: "Bearer good" } });
    const byQuery = await h.connect(wsUrl("/ws", "token=good"));
    await Promise.all([byHeader.ofType("connected"), byQuery.ofType("connected")]);
    expect(manager.getConnectionsByUser("u1")).toHaveLength(2);
    expect(await h.tryConnect(wsUrl())).toEqual(refused(401, "UNAUTHORIZED"));
    expect(await h.tryConnect(wsUrl(), { headers: { Authorization: "Bearer bad" } })).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
    expect(await h.tryConnect(wsUrl("/ws", "token=bad"))).toEqual(refused(401, "UNAUTHORIZED"));
  });

  it("bearer with jwt: verified with jose, user from the claims; expired or foreign tokens get 401", async () => {
    const { manager, wsUrl } = await h.serve({
      auth: { strategy: "bearer", jwt: { secret: SECRET, issuer: "agentsocket-tests" } },
    });
    const token = await sign({
      sub: "user-42",
      email: "a@example.com",
      roles: ["admin"],
      scope: "chat tools",
    });
    const client = await h.connect(wsUrl("/ws", `token=${token}`));
    await client.ofType("connected");
    const user = manager.getConnectionsByUser("user-42")[0]?.user;
    expect(user).toMatchObject({
      id: "user-42",
      email: "a@example.com",
      roles: ["admin"],
      permissions: ["chat", "tools"],
    });
    const expired = await sign({ sub: "user-42" }, "-1m");
    expect(await h.tryConnect(wsUrl("/ws", `token=${expired}`))).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
    const forged = await new SignJWT({ sub: "x" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("agentsocket-tests")
      .sign(new TextEncoder().encode("another-secret-that-is-32-bytes-long!!"));
    expect(await h.tryConnect(wsUrl(), { headers: { authorization: `Bearer ${forged}` } })).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
  });

  it("apiKey: static keys by X-API-Key header or ?apiKey=; a wrong key gets 401", async () => {
    const { manager, wsUrl } = await h.serve({
      auth: {
        strategy: "apiKey",
        apiKeys: { "key-1": { id: "service-a" }, "key-2": { id: "service-b" } },
      },
    });
    const a = await h.connect(wsUrl(), { headers: { "X-API-Key": "key-1" } });
    const b = await h.connect(wsUrl("/ws", "apiKey=key-2"));
    await Promise.all([a.ofType("connected"), b.ofType("connected")]);
    expect(manager.getConnectionsByUser("service-a")).toHaveLength(1);
    expect(manager.getConnectionsByUser("service-b")).toHaveLength(1);
    expect(await h.tryConnect(wsUrl("/ws", "apiKey=key-3"))).toEqual(refused(401, "UNAUTHORIZED"));
    expect(await h.tryConnect(wsUrl())).toEqual(refused(401, "UNAUTHORIZED"));
  });

  it("apiKey with a custom header and validate()", async () => {
    const { wsUrl } = await h.serve({
      auth: {
        strategy: "apiKey",
        headerName: "X-Service-Token",
        validate: async (key) => (key === "s3cret" ? { id: "svc" } : null),
      },
    });
    const client = await h.connect(wsUrl(), { headers: { "X-Service-Token": "s3cret" } });
    await client.ofType("connected");
    expect(await h.tryConnect(wsUrl(), { headers: { "X-API-Key": "s3cret" } })).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
  });

  it("basic: validate gets the decoded user:password", async () => {
    const seen: string[] = [];
    const { wsUrl } = await h.serve({
      auth: {
        strategy: "basic",
        validate: (credential) => {
          seen.push(credential);
          return credential === "ada:lovelace" ? { id: "ada" } : null;
        },
      },
    });
    const basic = (s: string) => `Basic ${Buffer.from(s).toString("base64")}`;
    const client = await h.connect(wsUrl(), { headers: { Authorization: basic("ada:lovelace") } });
    await client.ofType("connected");
    expect(await h.tryConnect(wsUrl(), { headers: { Authorization: basic("ada:wrong") } })).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
    expect(seen).toEqual(["ada:lovelace", "ada:wrong"]);
  });

  it("custom: validate gets the whole upgrade request", async () => {
    const requests: UpgradeRequest[] = [];
    const { wsUrl } = await h.serve({
      auth: {
        strategy: "custom",
        validate: (request) => {
          requests.push(request);
          const cookie =
            (request.headers as Record<string, string>)["cookie"] ??
            (request.headers as { get?(n: string): string | null }).get?.("cookie");
          return cookie === "session=abc" ? { id: "cookie-user" } : null;
        },
      },
    });
    const client = await h.connect(wsUrl("/ws", "room=7"), { headers: { Cookie: "session=abc" } });
    await client.ofType("connected");
    expect(requests[0]?.url).toContain("room=7");
    expect(await h.tryConnect(wsUrl())).toEqual(refused(401, "UNAUTHORIZED"));
  });

  it("required: false lets anonymous clients in but still rejects bad credentials", async () => {
    const { manager, wsUrl } = await h.serve({
      auth: {
        strategy: "bearer",
        required: false,
        validate: (t) => (t === "ok" ? { id: "known" } : null),
      },
    });
    const anonymous = await h.connect(wsUrl());
    const { connectionId } = await anonymous.ofType("connected");
    expect(manager.getConnection(connectionId as string)?.user).toBeUndefined();
    expect(await h.tryConnect(wsUrl("/ws", "token=nope"))).toEqual(refused(401, "UNAUTHORIZED"));
  });

  it("roles and permissions: authenticated but lacking them gets 403", async () => {
    const users: Record<string, { id: string; roles: string[]; permissions: string[] }> = {
      admin: { id: "a", roles: ["admin"], permissions: ["chat", "tools"] },
      user: { id: "u", roles: ["user"], permissions: ["chat", "tools"] },
      limited: { id: "l", roles: ["superuser"], permissions: ["chat"] },
    };
    const { wsUrl } = await h.serve({
      auth: {
        strategy: "bearer",
        roles: ["admin", "superuser"],
        permissions: ["chat", "tools"],
        validate: (token) => users[token] ?? null,
      },
    });
    await (await h.connect(wsUrl("/ws", "token=admin"))).ofType("connected");
    expect(await h.tryConnect(wsUrl("/ws", "token=user"))).toEqual(refused(403, "FORBIDDEN"));
    expect(await h.tryConnect(wsUrl("/ws", "token=limited"))).toEqual(refused(403, "FORBIDDEN"));
    expect(await h.tryConnect(wsUrl("/ws", "token=stranger"))).toEqual(
      refused(401, "UNAUTHORIZED"),
    );
  });

  it("allowedOrigins: another browser origin gets 403; listed or absent origins connect", async () => {
    const { wsUrl } = await h.serve({ allowedOrigins: ["https://app.example.com"] });
    expect(await h.tryConnect(wsUrl(), { origin: "https://evil.example.com" })).toEqual(
      refused(403, "ORIGIN_NOT_ALLOWED"),
    );
    await (await h.connect(wsUrl(), { origin: "https://app.example.com" })).ofType("connected");
    await (await h.connect(wsUrl())).ofType("connected");
  });

  it('allowedOrigins "same-origin": a page of this host and port connects, others get 403', async () => {
    const { wsUrl } = await h.serve({ allowedOrigins: ["same-origin"] });
    const { host } = new URL(wsUrl());
    await (await h.connect(wsUrl(), { origin: `http://${host}` })).ofType("connected");
    await (await h.connect(wsUrl(), { origin: `https://${host}` })).ofType("connected");
    const port = Number(new URL(wsUrl()).port);
    const otherPort = `http://${new URL(wsUrl()).hostname}:${port === 65535 ? port - 1 : port + 1}`;
    for (const origin of [otherPort, "https://evil.example.com", "null"])
      expect(await h.tryConnect(wsUrl(), { origin })).toEqual(refused(403, "ORIGIN_NOT_ALLOWED"));
    await (await h.connect(wsUrl())).ofType("connected");
  });
}
