/**
 * A tiny seeded PRNG (sfc32, seeded through a murmur3 finaliser) so demo data is reproducible on every
 * device and runtime. Math.random is never used: the same seed must give the same clinic, ids included.
 */

function fmix32(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

const HEX_CODES = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]; // '0'-'9', 'a'-'f'
const DASH = 45;
/** Reused buffer: one flat string per UUID instead of a rope of concatenations (matters at 100k records). */
const UUID_CODES: number[] = new Array<number>(36).fill(DASH);
const writeHex = (n: number, at: number, nibbles: number): void => {
	for (let i = nibbles - 1; i >= 0; i--) {
		UUID_CODES[at + i] = HEX_CODES[n & 15]!;
		n >>>= 4;
	}
};

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I/O/0/1: member ids get read aloud over the phone

export class Rng {
	private a: number;
	private b: number;
	private c: number;
	private d: number;

	/** `stream` gives independent sequences from one seed, so adding patients doesn't reshuffle providers. */
	constructor(seed: number, stream = 0) {
		if (!Number.isFinite(seed)) throw new RangeError('Seed must be a finite number');
		const lo = Math.trunc(seed) >>> 0;
		const hi = Math.trunc(seed / 4294967296) >>> 0;
		this.a = fmix32(lo ^ 0x9e3779b9);
		this.b = fmix32(hi ^ 0x243f6a88 ^ this.a);
		this.c = fmix32((stream >>> 0) ^ 0xb7e15162 ^ this.b);
		this.d = 1;
		// sfc32 needs a few rounds before nearby seeds stop looking alike.
		for (let i = 0; i < 16; i++) this.uint32();
	}

	uint32(): number {
		const t = (((this.a + this.b) | 0) + this.d) | 0;
		this.d = (this.d + 1) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.c = (this.c + t) | 0;
		return t >>> 0;
	}

	/** Uniform in [0, 1). */
	float(): number {
		return this.uint32() / 4294967296;
	}

	/** Uniform integer in [lo, hi], both inclusive. */
	int(lo: number, hi: number): number {
		return lo + Math.floor(this.float() * (hi - lo + 1));
	}

	chance(p: number): boolean {
		return this.float() < p;
	}

	pick<T>(items: readonly T[]): T {
		if (items.length === 0) throw new RangeError('Cannot pick from an empty list');
		return items[Math.floor(this.float() * items.length)]!;
	}

	/** Index into `cumulative`, a running total of weights (last entry is the sum). */
	weighted(cumulative: readonly number[]): number {
		const x = this.float() * cumulative[cumulative.length - 1]!;
		let i = 0;
		while (i < cumulative.length - 1 && cumulative[i]! <= x) i++;
		return i;
	}

	/** RFC 9562 version-4-shaped UUID drawn from this stream. */
	uuid(): string {
		const b = ((this.uint32() & 0xffff0fff) | 0x00004000) >>> 0;
		const c = ((this.uint32() & 0x3fffffff) | 0x80000000) >>> 0;
		writeHex(this.uint32(), 0, 8);
		writeHex(b >>> 16, 9, 4);
		writeHex(b & 0xffff, 14, 4);
		writeHex(c >>> 16, 19, 4);
		writeHex(c & 0xffff, 24, 4);
		writeHex(this.uint32(), 28, 8);
		return String.fromCharCode(...UUID_CODES);
	}

	alnum(length: number): string {
		let s = '';
		for (let i = 0; i < length; i++) s += ALNUM[this.uint32() & 31];
		return s;
	}

	digits(length: number): string {
		let s = '';
		for (let i = 0; i < length; i++) s += String(Math.floor(this.float() * 10));
		return s;
	}
}

/** Running totals for `Rng.weighted`. */
export function cumulative(weights: readonly number[]): number[] {
	let sum = 0;
	return weights.map((w) => (sum += w));
}
