/** Sync errors: what failed, and whether trying again later can help. */
export class SyncError extends Error {
  override name = 'SyncError';
  constructor(
    message: string,
    /** False when a retry cannot help until someone changes something (credentials, a conflict). */
    readonly retryable = true,
  ) {
    super(message);
  }
}

export class SyncHttpError extends SyncError {
  override name = 'SyncHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    // 408/429 and 5xx are the server's momentary trouble; other 4xx need a person, but the
    // outbox still retries them (slowly): nothing is ever given up.
    super(message, status === 408 || status === 429 || status >= 500);
  }
}

export class SyncAuthError extends SyncError {
  override name = 'SyncAuthError';
}
