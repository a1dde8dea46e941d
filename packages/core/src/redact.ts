/**
 * Keeping credentials out of logs: browsers can only put a WebSocket's credential in the URL
 * (`?token=`, `?apiKey=`, `?ticket=`), so a request line is a secret until it is redacted.
 */

/** What a redacted value becomes. */
export const REDACTED = "[REDACTED]";

/**
 * Query parameters whose value is a credential (matched case-insensitively): what the
 * authenticators, tickets and session resume read, plus the usual OAuth and signing names.
 */
export const CREDENTIAL_PARAMS: readonly string[] = [
  "token",
  "access_token",
  "id_token",
  "refresh_token",
  "apikey",
  "api_key",
  "api-key",
  "key",
  "ticket",
  "resumetoken",
  "sessiontoken",
  "password",
  "secret",
  "signature",
  "sig",
];

/** Headers whose value is a credential, lower case. */
export const CREDENTIAL_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "cookie",
  "set-cookie",
  "sec-websocket-protocol",
];

const PARAMS = new Set(CREDENTIAL_PARAMS);

/**
 * A request target or URL with the value of every credential parameter replaced by
 * {@link REDACTED}; everything else is kept byte for byte.
 * @example
 * redactUrl("/ws?apiKey=sk-1&room=a"); // "/ws?apiKey=[REDACTED]&room=a"
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf("?");
  if (mark === -1) return url;
  const hash = url.indexOf("#", mark);
  const end = hash === -1 ? url.length : hash;
  const query = url
    .slice(mark + 1, end)
    .split("&")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return equals !== -1 && PARAMS.has(decodeName(name).toLowerCase())
        ? `${name}=${REDACTED}`
        : pair;
    })
    .join("&");
  return `${url.slice(0, mark + 1)}${query}${url.slice(end)}`;
}

/** A parameter name as the server reads it (`api%4Bey` is `apiKey` too). */
function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}

/**
 * A copy of `headers` with every credential header's value replaced by {@link REDACTED}.
 * @example
 * redactHeaders({ authorization: "Bearer x", accept: "*\/*" }); // { authorization: "[REDACTED]", accept: "*\/*" }
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const copy: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers))
    copy[name] = CREDENTIAL_HEADERS.includes(name.toLowerCase()) ? REDACTED : value;
  return copy;
}
