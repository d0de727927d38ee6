/**
 * Reconnect delays with "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * wait a random time in [0, min(cap, base·2^attempt)]. When the clinic server restarts, every
 * workstation loses its socket at the same moment; spreading the retries over the whole window keeps
 * them from arriving at the relay in synchronized waves.
 */
export interface BackoffPolicy {
	/** Ceiling of the first retry window, in ms. */
	baseMs: number;
	/** Largest window, in ms. */
	capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

/** The upper bound of the retry window after `attempt` consecutive failures (0-based). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = defaultBackoff): number {
	// 2^attempt overflows to Infinity long after the cap is reached, and min() handles Infinity.
	return Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
}

/** A delay in [0, ceiling]; `random` returns values in [0, 1) like Math.random. */
export function backoffDelay(
	attempt: number,
	random: () => number = Math.random,
	policy: BackoffPolicy = defaultBackoff
): number {
	const ceiling = backoffCeiling(attempt, policy);
	const r = Math.min(Math.max(random(), 0), 1);
	return Math.floor(r * ceiling);
}
