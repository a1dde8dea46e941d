/**
 * `redactUrl` and `redactHeaders`: every credential a client can put in a URL or a header is
 * replaced, whatever its case or encoding, and nothing else changes.
 */
import { describe, expect, it } from "vitest";
import { redactHeaders, redactUrl } from "./redact.ts";

describe("redactUrl", () => {
  it.each([
    ["/ws?apiKey=sk-1&room=a", "/ws?apiKey=[REDACTED]&room=a"],
    [
      "/ws?token=t&ticket=x&resumeToken=r",
      "/ws?token=[REDACTED]&ticket=[REDACTED]&resumeToken=[REDACTED]",
    ],
    [
      "/ws?APIKEY=1&api_key=2&access_token=3",
      "/ws?APIKEY=[REDACTED]&api_key=[REDACTED]&access_token=[REDACTED]",
    ],
    ["/ws?api%4Bey=sk-1", "/ws?api%4Bey=[REDACTED]"],
    ["http://h:1/ws?token=t#token=x", "http://h:1/ws?token=[REDACTED]#token=x"],
    ["/ws?token=a&token=b", "/ws?token=[REDACTED]&token=[REDACTED]"],
  ])("%s → %s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each(["/ws", "/ws?room=a&tokens=5", "/ws?", "/ws?token", "/ws?%E0=1"])(
    "leaves %s as it is",
    (url) => expect(redactUrl(url)).toBe(url),
  );
});

describe("redactHeaders", () => {
  it("blanks credential headers in a copy, whatever their case", () => {
    const headers = { Authorization: "Bearer x", "x-api-key": "k", cookie: "s=1", accept: "*/*" };
    expect(redactHeaders(headers)).toEqual({
      Authorization: "[REDACTED]",
      "x-api-key": "[REDACTED]",
      cookie: "[REDACTED]",
      accept: "*/*",
    });
    expect(headers.Authorization).toBe("Bearer x");
  });
});
