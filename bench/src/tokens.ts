/**
 * JWTs for the clients: HS256, signed once per client with `jose`, before any timed window.
 */
import { SignJWT } from "jose";
import { JWT_SECRET } from "./control.ts";

const key = new TextEncoder().encode(JWT_SECRET);
const pool: string[] = [];

/** Signs one token for user `user-<index>`, valid for an hour. */
export function signToken(index: number): Promise<string> {
  return new SignJWT({ name: `Bench user ${index}` })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(`user-${index}`)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(key);
}

/** Tokens for clients 0…count−1; each is signed once and reused by later scenarios. */
export async function clientTokens(count: number): Promise<string[]> {
  while (pool.length < count) pool.push(await signToken(pool.length));
  return pool.slice(0, count);
}
