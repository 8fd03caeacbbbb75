/**
 * The servers' own error catalogues: the cloud API gateway's codes that `keyhold serve` answers
 * as the cloud does (reference §3.1: unknown API, body, authentication), and web mode's `UI.*`
 * codes, numbered after the HTTP status they come with (docs/server.md).
 */
export const GatewayErrors = {
  /** No such API, a method the route does not take, or another project's id. */
  NoSuchApi: 'APIGW.0101',
  /** The body is too large or too slow. */
  BadBody: 'APIGW.0201',
  /** The request is not signed, or its AK/SK signature does not verify. */
  BadSignature: 'APIGW.0301',
  /** X-Sdk-Date more than 15 minutes from the server's time. */
  Expired: 'APIGW.0303',
} as const;

export const UiErrors = {
  /** No session (never signed in, signed out, or the vault locked). */
  NoSession: 'UI.0401',
  /** Refused before anything ran: the request does not come from this page, or is not what the endpoint takes. */
  Refused: 'UI.0403',
  /** An upload without a Content-Length. */
  LengthRequired: 'UI.0411',
  /** An upload over the stated bound. */
  TooLarge: 'UI.0413',
  /** A Host header this server was not started for (DNS rebinding). */
  UnknownHost: 'UI.0421',
  /** Too many wrong passwords: wait. */
  Throttled: 'UI.0429',
} as const;
