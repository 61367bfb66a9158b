/**
 * How a destination is authenticated: HTTP Basic (a PACS such as Orthanc, over TLS or loopback)
 * or an OAuth2 client-credentials bearer token (the Delft Imaging cloud; contract in
 * docs/sync.md). Tokens are fetched on first use, reused, refreshed before they expire, and
 * dropped when the server answers 401.
 */
import { SyncAuthError } from './errors.js';

export interface AuthProvider {
  /** The Authorization header value for the next request. */
  authorization(): Promise<string>;
  /** The server refused the credentials: forget any cached token. */
  invalidate(): void;
}

export class BasicAuth implements AuthProvider {
  private readonly value: string;
  constructor(username: string, password: string) {
    this.value = 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  }
  async authorization(): Promise<string> {
    return this.value;
  }
  invalidate(): void {}
}

export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  timeoutMs: number;
  now?: () => number;
}

interface TokenResponse {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export class ClientCredentialsAuth implements AuthProvider {
  private token: { value: string; expiresAtMs: number; lifetimeMs: number } | null = null;
  private inflight: Promise<string> | null = null;
  private readonly now: () => number;
  /** Tokens fetched so far (tests check refresh-before-expiry with it). */
  fetched = 0;

  constructor(private readonly opts: ClientCredentialsOptions) {
    this.now = opts.now ?? Date.now;
  }

  async authorization(): Promise<string> {
    const t = this.token;
    // Refresh once less than a tenth of the lifetime (at least 10 s) is left, so a token never
    // expires in the middle of a long upload.
    if (t && this.now() < t.expiresAtMs - Math.max(10_000, t.lifetimeMs / 10)) return `Bearer ${t.value}`;
    this.inflight ??= this.fetchToken().finally(() => (this.inflight = null));
    return `Bearer ${await this.inflight}`;
  }

  invalidate(): void {
    this.token = null;
  }

  private async fetchToken(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.opts.scope) body.set('scope', this.opts.scope);
    const basic = Buffer.from(`${encodeURIComponent(this.opts.clientId)}:${encodeURIComponent(this.opts.clientSecret)}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(this.opts.tokenUrl, {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      throw new SyncAuthError(`token endpoint ${this.opts.tokenUrl} unreachable: ${(err as Error).message}`);
    }
    let json: TokenResponse = {};
    try {
      json = (await res.json()) as TokenResponse;
    } catch {
      // reported below
    }
    if (!res.ok) {
      const why = typeof json.error === 'string' ? `${json.error}${typeof json.error_description === 'string' ? `: ${json.error_description}` : ''}` : `HTTP ${res.status}`;
      // invalid_client / unauthorized_client: retrying will not help until the configuration changes.
      throw new SyncAuthError(`token endpoint refused client "${this.opts.clientId}" (${why}); check sync client id and secret`, res.status >= 500);
    }
    if (typeof json.access_token !== 'string' || !json.access_token || String(json.token_type).toLowerCase() !== 'bearer') {
      throw new SyncAuthError(`token endpoint ${this.opts.tokenUrl} answered without a bearer access_token`);
    }
    const lifetimeMs = (typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 300) * 1000;
    this.token = { value: json.access_token, expiresAtMs: this.now() + lifetimeMs, lifetimeMs };
    this.fetched++;
    return json.access_token;
  }
}
