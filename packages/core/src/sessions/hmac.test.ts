/**
 * The synchronous HMAC-SHA256 agrees with Web Crypto on keys and messages of every length class
 * (empty, one block, longer than a block, key longer than a block).
 */
import { describe, expect, it } from "vitest";
import { hmacSha256, sha256 } from "./hmac.ts";

const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("hmacSha256", () => {
  it("matches crypto.subtle", async () => {
    // Web Crypto refuses an empty HMAC key, so key lengths start at 1.
    for (const keyLength of [1, 16, 32, 64, 65, 200]) {
      for (const messageLength of [0, 1, 55, 56, 63, 64, 65, 119, 1000]) {
        const key = bytes(keyLength, 7);
        const message = bytes(messageLength, 3);
        const algorithm = { name: "HMAC", hash: "SHA-256" };
        const imported = await crypto.subtle.importKey("raw", key, algorithm, false, ["sign"]);
        const expected = new Uint8Array(await crypto.subtle.sign("HMAC", imported, message));
        expect(hmacSha256(key, message)).toEqual(expected);
      }
    }
  });

  it("hashes like crypto.subtle", async () => {
    for (const length of [0, 3, 55, 56, 64, 1000]) {
      const data = bytes(length, 1);
      expect(sha256(data)).toEqual(new Uint8Array(await crypto.subtle.digest("SHA-256", data)));
    }
  });
});
