import * as z from 'zod';
import { AtlasApiError, registerSecret } from '../../errors.js';
import { MAX_ERROR_BODY_BYTES, readBodyText, readErrorBody } from '../body.js';
import type { AuthStrategy } from './types.js';

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
  token_type: z.string().optional(),
});

/** Sends the token request; provided by the HTTP core so it gets the same retries and timeouts. */
export type TokenFetcher = (request: { url: URL; init: RequestInit }) => Promise<Response>;

/**
 * OAuth2 client-credentials flow for Atlas service accounts (docs/atlas-api-notes.md §7): `POST <base>/api/oauth/token`
 * with HTTP Basic client credentials. The token is reused until shortly before it expires (it cannot be
 * refreshed, only replaced), concurrent requests share one token request, and a 401 replaces the token
 * once: a request that fails again with a new token fails for good.
 */
export class ServiceAccountAuth implements AuthStrategy {
  readonly kind = 'service-account' as const;
  /** One new token per request: a request refused with a freshly issued token fails for good. */
  readonly challengeBudget = 1;
  private token: { value: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;
  /** Number of tokens obtained (tests and stats). */
  tokensIssued = 0;

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly baseUrl: URL,
    private readonly send: TokenFetcher,
    private readonly now: () => number,
    /** Renew this long before the announced expiry, so a token never expires mid-request. */
    private readonly renewBeforeMs = 60_000,
  ) {
    registerSecret(clientSecret);
  }

  get principal(): string {
    return this.clientId;
  }

  async authorize(): Promise<string> {
    const token = this.token;
    if (token && this.now() < token.expiresAt - this.renewBeforeMs) return `Bearer ${token.value}`;
    return `Bearer ${await this.fetchToken()}`;
  }

  async onUnauthorized(_response: Response, authorization: string | null): Promise<boolean> {
    // Only drop the token if the refused request used the current one; otherwise a newer token already
    // exists and the request should simply be retried with it.
    if (this.token && authorization === `Bearer ${this.token.value}`) this.token = null;
    return true;
  }

  private fetchToken(): Promise<string> {
    if (!this.pending) {
      this.pending = this.requestToken().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async requestToken(): Promise<string> {
    const url = new URL('/api/oauth/token', this.baseUrl);
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
    registerSecret(basic);
    const response = await this.send({
      url,
      init: {
        method: 'POST',
        headers: {
          Authorization: `Basic ${basic}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: 'grant_type=client_credentials',
      },
    });
    const endpoint = 'POST /api/oauth/token';
    if (!response.ok) {
      const body = await readErrorBody(response);
      throw new AtlasApiError(
        { endpoint, status: response.status, errorCode: body.errorCode, detail: body.detail },
        {
          hint:
            response.status === 400 || response.status === 401
              ? 'check MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (the service account and its secret)'
              : undefined,
        },
      );
    }
    const text = await readBodyText(response, MAX_ERROR_BODY_BYTES).catch(() => '');
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    const parsed = tokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new AtlasApiError({
        endpoint,
        status: response.status,
        errorCode: null,
        detail: 'token response without access_token',
      });
    }
    registerSecret(parsed.data.access_token);
    const ttlMs = (parsed.data.expires_in ?? 3600) * 1000;
    this.token = { value: parsed.data.access_token, expiresAt: this.now() + ttlMs };
    this.tokensIssued += 1;
    return parsed.data.access_token;
  }
}
