/**
 * Auth configuration and the upgrade request every strategy reads.
 */

/** User information from successful authentication. */
export interface AuthenticatedUser {
  id: string;
  email?: string;
  name?: string;
  roles?: string[];
  permissions?: string[];
  metadata?: Record<string, unknown>;
}

/** Header values as Node (`IncomingHttpHeaders`, lower-case keys) or the Fetch API (`Headers`) hold them. */
export type HeaderSource =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** The handshake request, as an adapter hands it to core. */
export interface UpgradeRequest {
  /** The request target: a path with query (`/ws?token=…`) or an absolute URL. */
  url: string;
  headers: HeaderSource;
  /**
   * The header lines as received, names and values alternating (Node's `req.rawHeaders`).
   * Node keeps only the first of duplicate `Authorization` headers in `headers`; with these,
   * auth sees every one and refuses conflicting credentials. Adapters on Node should pass them.
   */
  rawHeaders?: readonly string[];
  /** The peer's address, when the runtime knows it. */
  remoteAddress?: string;
}

/** Options for verifying JWTs with `jose` (strategy `bearer`). */
export interface JwtOptions {
  /** HMAC secret (HS256/384/512). One of `secret`, `publicKey`, `jwksUrl` is required. */
  secret?: string | Uint8Array;
  /** A public key (SPKI PEM) for RS*, ES*, PS* or EdDSA tokens. */
  publicKey?: string;
  /** URL of a JSON Web Key Set; keys are fetched and cached by `jose`. */
  jwksUrl?: string;
  issuer?: string | string[];
  audience?: string | string[];
  /**
   * Accepted algorithms, all of the key's family: HS256/HS384/HS512 for a `secret`; RS*, PS*,
   * ES*, EdDSA for a `publicKey` or `jwksUrl` (a `publicKey` is imported for the first one).
   * Another family is a `TypeError`, so a token can never choose how it is checked.
   * @default ["HS256"] for a secret, ["RS256"] for a publicKey, every asymmetric one for a jwksUrl
   */
  algorithms?: string[];
  /**
   * Refuse tokens without an `exp` claim (they would be valid forever). Set `false` only for
   * tokens whose lifetime is bounded another way. @default true
   */
  requireExpiration?: boolean;
  /** Seconds of clock skew tolerated on `exp`/`nbf`. @default 0 */
  clockTolerance?: number;
}

/** Returns the user a credential belongs to, or `null` when it is not valid. */
export type CredentialValidator = (
  credential: string,
  request: UpgradeRequest,
) => Promise<AuthenticatedUser | null> | AuthenticatedUser | null;

interface CommonAuthConfig {
  /**
   * Reject handshakes without credentials (HTTP 401). When false, they connect anonymously and
   * credentials that are present must still be valid. @default true
   */
  required?: boolean;
  /** The user must hold at least one of these roles (else HTTP 403). */
  roles?: string[];
  /** The user must hold every one of these permissions (else HTTP 403). */
  permissions?: string[];
  /**
   * For clients that can send neither headers nor tickets: a handshake without credentials is
   * upgraded, and its first frame must be `{type:"auth", payload:{token}}` within `timeoutMs`
   * (checked like the header would be). Until then nothing else is processed and no `connected`
   * frame is sent; a wrong or late first frame closes the socket with 1008. `true` takes the
   * default timeout (5000 ms). Applies when credentials are `required`. @default false
   */
  firstMessage?: boolean | { timeoutMs?: number };
}

/** Credentials read from a header or a query parameter. */
export interface TokenAuthConfig extends CommonAuthConfig {
  strategy: "bearer" | "apiKey" | "basic";
  /**
   * Header carrying the credential.
   * @default "authorization" for bearer and basic, "x-api-key" for apiKey
   */
  headerName?: string;
  /**
   * Query parameter carrying the credential (browsers cannot set headers on a WebSocket).
   * @default "token" for bearer, "apiKey" for apiKey; none for basic
   */
  queryParam?: string;
  /**
   * Checks the credential: the token for bearer, the key for apiKey, the decoded
   * `user:password` for basic.
   */
  validate?: CredentialValidator;
  /** bearer only: verify the token as a JWT; the user id comes from `sub`. */
  jwt?: JwtOptions;
  /** apiKey only: static keys, compared in constant time; a record maps a key to its user. */
  apiKeys?: string[] | Record<string, Omit<AuthenticatedUser, "id"> & { id?: string }>;
}

/**
 * Authentication decided by user code from the whole handshake request. `validate` returns the
 * user, `null` for invalid credentials (401), or `undefined` when the request carries none (401
 * when `required`, an anonymous connection otherwise).
 */
export interface CustomAuthConfig extends CommonAuthConfig {
  strategy: "custom";
  validate: (
    request: UpgradeRequest,
  ) => Promise<AuthenticatedUser | null | undefined> | AuthenticatedUser | null | undefined;
}

/** No authentication. */
export interface NoAuthConfig {
  strategy: "none";
}

/** How handshakes authenticate. */
export type AuthConfig = TokenAuthConfig | CustomAuthConfig | NoAuthConfig;
