/** An authentication method: how to authorize a request and what to do after a 401. */
export interface AuthStrategy {
  readonly kind: 'service-account' | 'api-key';
  /**
   * The public half of the credentials: a service account's client id or an API key's public key. Not a
   * secret (Atlas lists it to every org member who can see the identity); the snapshot records it.
   */
  readonly principal: string;
  /**
   * How many times one request may be sent again with fresh credentials after a 401 (`onUnauthorized`
   * returning true). These do not count as retries; the client reads the budget from the strategy.
   */
  readonly challengeBudget: number;
  /** The `Authorization` header for this request, or null to send it unauthenticated (Digest's first try). */
  authorize(request: { method: string; url: URL }): Promise<string | null>;
  /**
   * Called with a 401 response. Returns true when the request should be sent again with fresh
   * credentials (a new token, or a new Digest challenge); false when retrying cannot help.
   * `authorization` is the header that was sent (null if none).
   */
  onUnauthorized(response: Response, authorization: string | null): Promise<boolean>;
}
