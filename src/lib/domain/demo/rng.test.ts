import { describe, expect, it } from 'vitest';
import { recordId } from '../common/primitives';
import { cumulative, Rng } from './rng';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.uint32());

describe('seeded PRNG', () => {
	it('repeats the same sequence for the same seed and stream', () => {
		expect(draw(new Rng(7), 50)).toEqual(draw(new Rng(7), 50));
		expect(draw(new Rng(7, 3), 50)).toEqual(draw(new Rng(7, 3), 50));
	});

	it('gives unrelated sequences for neighbouring seeds, streams and seeds past 2^32', () => {
		const a = draw(new Rng(1), 20);
		for (const other of [new Rng(2), new Rng(1, 1), new Rng(1 + 2 ** 32), new Rng(-1)]) {
			const b = draw(other, 20);
			expect(b.filter((v, i) => v === a[i])).toHaveLength(0);
		}
	});

	it('refuses seeds that are not finite numbers', () => {
		expect(() => new Rng(Number.NaN)).toThrow(RangeError);
		expect(() => new Rng(Infinity)).toThrow(RangeError);
	});

	it('makes version-4 UUIDs that the record id schema accepts and that do not repeat', () => {
		const rng = new Rng(99);
		const ids = Array.from({ length: 2000 }, () => rng.uuid());
		const shape = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
		expect(ids.filter((id) => !shape.test(id) || !recordId.safeParse(id).success)).toEqual([]);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it('keeps int() within its inclusive bounds and reaches both ends', () => {
		const rng = new Rng(5);
		const seen = new Set<number>();
		for (let i = 0; i < 2000; i++) {
			const v = rng.int(3, 9);
			expect(v).toBeGreaterThanOrEqual(3);
			expect(v).toBeLessThanOrEqual(9);
			seen.add(v);
		}
		expect([...seen].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]);
	});

	it('picks weighted indices in proportion to their weights', () => {
		const rng = new Rng(11);
		const cum = cumulative([1, 0, 3]);
		const counts = [0, 0, 0];
		for (let i = 0; i < 8000; i++) counts[rng.weighted(cum)]!++;
		expect(counts[1]).toBe(0);
		expect(counts[2]! / counts[0]!).toBeGreaterThan(2.6);
		expect(counts[2]! / counts[0]!).toBeLessThan(3.4);
	});

	it('draws member-id characters that cannot be misread (no I, O, 0 or 1)', () => {
		expect(new Rng(3).alnum(400)).toMatch(/^[A-HJ-NP-Z2-9]+$/);
	});
});
