/**
 * The access token: google-auth-library's Compute client (caches the token, adds the
 * Authorization header, refreshes when it is about to expire), fed by our metadata client so the
 * token comes from the same metadata server as the identity (metadata.ts says why).
 * TokenKeeper refreshes it in the background before the client would refresh it inline, so a
 * takeover never waits for a metadata round trip (issue 9 item 5).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Compute } from 'google-auth-library';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { MetadataClient } from './metadata.js';

/** What the transport needs to know about the cloudCall attempt in progress. */
export interface AttemptScope {
  readonly signal: AbortSignal;
  /**
   * Repeated fields to send as [] when the body leaves them out. proto3 JSON omits an empty
   * list, but updateNetworkInterface has PATCH semantics: an absent aliasIpRanges means
   * "unchanged", so removing an interface's last alias range needs an explicit [].
   */
  readonly emptyFields?: readonly string[];
}

/**
 * The scope of the attempt in progress. The generated clients take no signal per call over REST
 * (google-gax's fallback stub has its own), so the attempt runs inside `attemptScope.run(…)` and
 * the transport's request interceptor applies it to the request.
 */
export const attemptScope = new AsyncLocalStorage<AttemptScope>();

/** OAuth2Client refreshes inline when the token expires within this; the keeper refreshes before. */
const EAGER_REFRESH_MS = 5 * 60_000;

export class MetadataCompute extends Compute {
  constructor(
    private readonly metadata: MetadataClient,
    timeoutMs: number,
  ) {
    // gaxios' timeout is the backstop; cloudCall aborts each attempt at the same bound.
    super({ transporterOptions: { timeout: timeoutMs }, eagerRefreshThresholdMillis: EAGER_REFRESH_MS });
    this.transporter.interceptors.request.add({
      resolved: async (config) => {
        const scope = attemptScope.getStore();
        if (!scope) return config;
        config.signal = config.signal ? AbortSignal.any([config.signal, scope.signal]) : scope.signal;
        if (scope.emptyFields?.length && typeof config.body === 'string') config.body = withEmptyFields(config.body, scope.emptyFields);
        return config;
      },
    });
  }

  protected override async refreshTokenNoCache(): Promise<{ tokens: { access_token: string; expiry_date: number; token_type: string }; res: null }> {
    const token = await this.metadata.token(attemptScope.getStore()?.signal);
    const tokens = { access_token: token.accessToken, expiry_date: Date.now() + token.expiresInS * 1000, token_type: 'Bearer' };
    this.emit('tokens', tokens);
    return { tokens, res: null };
  }
}

/** Keeps the cached token fresh: refreshes it a minute before the client would do it inline. */
export class TokenKeeper {
  private cancel: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly auth: MetadataCompute,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Fetches a token now (validate's warm-up) and keeps it fresh until close(). */
  async start(): Promise<void> {
    await this.auth.getAccessToken();
    this.arm();
  }

  close(): void {
    this.closed = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  private arm(): void {
    this.cancel?.();
    if (this.closed) return;
    const expiry = this.auth.credentials.expiry_date ?? 0;
    // Inside the eager window the client would refresh inline, on a takeover's request: refresh a minute before it.
    const inMs = Math.max(1_000, expiry - Date.now() - EAGER_REFRESH_MS - 60_000);
    this.cancel = this.clock.schedule(this.clock.now() + inMs, () => {
      this.auth.refreshAccessToken().then(
        () => this.arm(),
        (err: unknown) => {
          this.logger.warn({ err }, `gcp: refreshing the access token failed; retrying in 5 s: ${err instanceof Error ? err.message : String(err)}`);
          this.cancel = this.clock.schedule(this.clock.now() + 5_000, () => this.arm());
        },
      );
    });
  }
}

/** Adds `"field": []` for each field the JSON body leaves out. */
export function withEmptyFields(body: string, fields: readonly string[]): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return body;
  const out = json as Record<string, unknown>;
  for (const f of fields) if (!(f in out)) out[f] = [];
  return JSON.stringify(out);
}
