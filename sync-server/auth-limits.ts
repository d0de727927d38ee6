/**
 * Attempt limits for the login API, kept in memory: one token bucket per key (a client address, or
 * an address and a login name). A bucket holds up to `burst` tokens and refills at `perMinute`.
 * The map is bounded: when it is full, buckets that have refilled completely are dropped (they
 * carry no information), then the oldest.
 */
interface Bucket {
	tokens: number;
	last: number;
}

export class KeyedLimiter {
	private readonly buckets = new Map<string, Bucket>();
	private readonly perMs: number;

	constructor(
		perMinute: number,
		private readonly burst: number,
		private readonly now: () => number = () => performance.now(),
		private readonly maxKeys = 10_000
	) {
		this.perMs = perMinute / 60_000;
	}

	get size(): number {
		return this.buckets.size;
	}

	/** 0 when the attempt may go ahead (and is counted); otherwise the seconds to wait. */
	take(key: string): number {
		const t = this.now();
		let b = this.buckets.get(key);
		if (b) {
			b.tokens = Math.min(this.burst, b.tokens + (t - b.last) * this.perMs);
			b.last = t;
		} else {
			if (this.buckets.size >= this.maxKeys) this.sweep(t);
			b = { tokens: this.burst, last: t };
			this.buckets.set(key, b);
		}
		if (b.tokens >= 1) {
			b.tokens -= 1;
			return 0;
		}
		return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
	}

	private sweep(t: number): void {
		for (const [key, b] of this.buckets) {
			if (b.tokens + (t - b.last) * this.perMs >= this.burst) this.buckets.delete(key);
		}
		for (const key of this.buckets.keys()) {
			if (this.buckets.size < this.maxKeys * 0.9) break;
			this.buckets.delete(key);
		}
	}
}
