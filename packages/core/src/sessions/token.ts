/**
 * Resume tokens: `<claims>.<mac>`, both base64url, the claims `{sid, uid?, exp}` signed with
 * HMAC-SHA256. A token names a session, is bound to the user it was issued to, and expires; the
 * session itself still has to exist on this instance for a resume to succeed.
 */
import { hmacSha256 } from "./hmac.ts";

/** What a resume token says. */
export interface ResumeClaims {
  /** The session id. */
  sid: string;
  /** The authenticated user it was issued to (absent without auth). */
  uid?: string;
  /** Expiry, ms since epoch. */
  exp: number;
}

export type TokenCheck =
  { ok: true; claims: ResumeClaims } | { ok: false; reason: "invalid" | "expired" };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_TOKEN = 1024;

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Compares two MACs in time that does not depend on where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

export class TokenSigner {
  constructor(private readonly secret: Uint8Array) {}

  sign(claims: ResumeClaims): string {
    const body = toBase64Url(encoder.encode(JSON.stringify(claims)));
    return `${body}.${toBase64Url(hmacSha256(this.secret, encoder.encode(body)))}`;
  }

  verify(token: unknown, now = Date.now()): TokenCheck {
    if (typeof token !== "string" || token.length > MAX_TOKEN)
      return { ok: false, reason: "invalid" };
    const dot = token.indexOf(".");
    const mac = dot > 0 ? fromBase64Url(token.slice(dot + 1)) : undefined;
    const body = token.slice(0, dot);
    if (mac === undefined || !sameBytes(mac, hmacSha256(this.secret, encoder.encode(body))))
      return { ok: false, reason: "invalid" };
    let claims: Partial<ResumeClaims>;
    try {
      claims = JSON.parse(decoder.decode(fromBase64Url(body))) as Partial<ResumeClaims>;
    } catch {
      return { ok: false, reason: "invalid" };
    }
    if (typeof claims.sid !== "string" || typeof claims.exp !== "number")
      return { ok: false, reason: "invalid" };
    if (claims.exp <= now) return { ok: false, reason: "expired" };
    return { ok: true, claims: claims as ResumeClaims };
  }
}
