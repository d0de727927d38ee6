/**
 * The one source of chance in a convergence run: lib0's seeded generator (the one Yjs's own
 * randomized tests use). Everything random — schedules, edits, UUIDs, Yjs client ids, the sync
 * client's backoff jitter — is drawn from it, so a seed replays the same run exactly.
 */
import * as prng from 'lib0/prng';

export class Random {
	private readonly gen: prng.PRNG;

	constructor(readonly seed: number) {
		this.gen = prng.create(seed);
	}

	/** In [0, 1), like Math.random (handed to the sync client for its backoff jitter). */
	readonly real = (): number => prng.real53(this.gen);

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return prng.int53(this.gen, min, max);
	}

	chance(p: number): boolean {
		return this.real() < p;
	}

	pick<T>(items: readonly T[]): T {
		if (items.length === 0) throw new Error('pick from an empty list');
		return items[this.int(0, items.length - 1)] as T;
	}

	/** Picks a key with probability proportional to its weight (weights ≤ 0 are never picked). */
	weighted<K extends string>(weights: Record<K, number>): K {
		const entries = (Object.entries(weights) as [K, number][]).filter(([, w]) => w > 0);
		let r = this.real() * entries.reduce((sum, [, w]) => sum + w, 0);
		for (const [key, w] of entries) {
			r -= w;
			if (r < 0) return key;
		}
		return entries[entries.length - 1]![0];
	}

	/** A version-4 UUID; `first` fixes its first hex digit (patients are sharded by it). */
	uuid(first?: string): string {
		const hex = Array.from(prng.uint8Array(this.gen, 16), (b) => b.toString(16).padStart(2, '0')).join('');
		const variant = '89ab'[this.int(0, 3)]!;
		const head = (first ?? hex[0]!) + hex.slice(1, 8);
		return `${head}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
	}

	/** A delay in ms: mostly short, sometimes long enough for backoff caps, watchdogs and eviction. */
	delay(): number {
		const r = this.real();
		if (r < 0.65) return this.int(0, 300);
		if (r < 0.96) return this.int(300, 5_000);
		return this.int(5_000, 40_000);
	}
}
