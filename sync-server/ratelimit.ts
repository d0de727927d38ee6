/**
 * Per-connection rate limits as two token buckets: one counts messages, one counts bytes. A bucket
 * holds up to `burst` tokens and refills at `rate` per second, so a workstation catching up after
 * days offline may send a burst, while a runaway or hostile client is cut off within a second.
 */
import type { SyncLimits } from './config';

export class TokenBucket {
	private tokens: number;
	private last: number;

	constructor(
		private readonly rate: number,
		private readonly burst: number,
		private readonly now: () => number = () => performance.now()
	) {
		this.tokens = burst;
		this.last = now();
	}

	take(n: number): boolean {
		const t = this.now();
		this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
		this.last = t;
		if (this.tokens < n) return false;
		this.tokens -= n;
		return true;
	}
}

export class ConnectionLimiter {
	private readonly messages: TokenBucket;
	private readonly bytes: TokenBucket;

	constructor(limits: SyncLimits, now?: () => number) {
		this.messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, now);
		// One message may be as large as maxPayload, so the byte burst must hold at least that.
		const byteBurst = Math.max(limits.bytesPerSecond, 2 * limits.maxPayload);
		this.bytes = new TokenBucket(limits.bytesPerSecond, byteBurst, now);
	}

	/** False when this message goes over either limit. */
	admit(byteLength: number): boolean {
		return this.messages.take(1) && this.bytes.take(byteLength);
	}
}
