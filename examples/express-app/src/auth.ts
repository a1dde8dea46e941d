/**
 * The app's own authentication, as it was before agentsocket arrived: a fixed list of demo users,
 * server-side sessions behind a signed HttpOnly cookie, and JWTs (HS256, signed with `jose`) for
 * clients that cannot carry cookies. Nothing here knows about WebSockets.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";

/** A signed-in user, as the app's routes (and the agent) see it. */
export interface User {
  id: string;
  name: string;
  roles: string[];
}

/** Demo accounts; a real app would look users up in its database. */
const USERS: (User & { password: string })[] = [
  { id: "alice", name: "Alice", roles: ["admin"], password: "wonderland" },
  { id: "bob", name: "Bob", roles: ["user"], password: "builder" },
];

/** Name of the session cookie. */
export const SESSION_COOKIE = "sid";

/** Options of {@link createAuth}. */
export interface AuthOptions {
  /** HMAC key of the session cookie's signature. */
  sessionSecret: string;
  /** HS256 key of the JWTs. */
  jwtSecret: string;
  /** Lifetime of a JWT. @default "1h" */
  tokenTtl?: string;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares two strings in constant time (hashed first, so lengths may differ). */
function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Returns the value of cookie `name` in a `Cookie` header, or `undefined`. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return undefined;
}

/** Builds the app's login, session and token functions. */
export function createAuth(options: AuthOptions) {
  const sessions = new Map<string, User>();
  const jwtKey = new TextEncoder().encode(options.jwtSecret);
  const sign = (value: string) =>
    createHmac("sha256", options.sessionSecret).update(value).digest("base64url");

  return {
    /** The user with these credentials, or `undefined`. */
    login(username: unknown, password: unknown): User | undefined {
      if (typeof username !== "string" || typeof password !== "string") return undefined;
      const found = USERS.find((user) => user.id === username);
      // Compare even when the user is unknown, so timing does not reveal which names exist.
      const ok = safeEqual(password, found?.password ?? "\0");
      if (!found || !ok) return undefined;
      const { password: _password, ...user } = found;
      return user;
    },

    /** Starts a session; returns the signed cookie value `<id>.<signature>`. */
    createSession(user: User): string {
      const id = randomUUID();
      sessions.set(id, user);
      return `${id}.${sign(id)}`;
    },

    /** The user of the session in a `Cookie` header, or `undefined` (no, forged or ended session). */
    readSession(cookieHeader: string | undefined): User | undefined {
      const value = readCookie(cookieHeader, SESSION_COOKIE);
      const dot = value?.lastIndexOf(".") ?? -1;
      if (value === undefined || dot === -1) return undefined;
      const id = value.slice(0, dot);
      return safeEqual(value.slice(dot + 1), sign(id)) ? sessions.get(id) : undefined;
    },

    /** Signs a JWT for `user` (`sub` is the user id). */
    issueToken(user: User): Promise<string> {
      return new SignJWT({ name: user.name, roles: user.roles })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(user.id)
        .setIssuedAt()
        .setExpirationTime(options.tokenTtl ?? "1h")
        .sign(jwtKey);
    },

    /** The user a JWT was issued to, or `undefined` when it is invalid or expired. */
    async verifyToken(token: string): Promise<User | undefined> {
      try {
        const { payload } = await jwtVerify(token, jwtKey, { algorithms: ["HS256"] });
        if (typeof payload.sub !== "string") return undefined;
        const name = typeof payload.name === "string" ? payload.name : payload.sub;
        const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : [];
        return { id: payload.sub, name, roles };
      } catch {
        return undefined;
      }
    },
  };
}

/** The app's auth functions. */
export type Auth = ReturnType<typeof createAuth>;
