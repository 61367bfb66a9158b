/**
 * Exponential back-off with jitter: attempt n waits between half and all of
 * min(maxMs, initialMs × 2^(n−1)). The jitter spreads a clinic's devices apart after an outage
 * instead of having them all retry in the same second.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
