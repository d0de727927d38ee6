import { describe, expect, it } from 'vitest';
import { isValidNpi } from '../workspace/schemas';
import { fictionalEmail, fictionalNpi, fictionalPhone, npiCheckDigit } from './names';
import { BANNED_FAMILY, BANNED_GIVEN } from './common-names.fixture';
import { Rng } from './rng';
import {
	FAMILY_ENDS,
	FAMILY_STARTS,
	GIVEN_ENDINGS_FEMININE,
	GIVEN_ENDINGS_MASCULINE,
	GIVEN_MIDDLES,
	GIVEN_ONSETS_FEMININE,
	GIVEN_ONSETS_MASCULINE
} from './syllables';

const product = (...parts: (readonly string[])[]): string[] =>
	parts.reduce<string[]>((acc, part) => acc.flatMap((a) => part.map((p) => a + p)), ['']);

describe('synthetic names', () => {
	const given = [
		...product(GIVEN_ONSETS_FEMININE, GIVEN_MIDDLES, GIVEN_ENDINGS_FEMININE),
		...product(GIVEN_ONSETS_MASCULINE, GIVEN_MIDDLES, GIVEN_ENDINGS_MASCULINE)
	];
	const family = product(FAMILY_STARTS, FAMILY_ENDS);

	it('can never produce a very common real given name or surname', () => {
		expect(given.filter((n) => BANNED_GIVEN.has(n))).toEqual([]);
		expect(family.filter((n) => BANNED_FAMILY.has(n))).toEqual([]);
	});

	it('offers thousands of combinations so a 20,000-patient clinic is not all namesakes', () => {
		expect(new Set(given).size).toBeGreaterThan(4000);
		expect(new Set(family).size).toBeGreaterThan(500);
	});

	it('are single capitalised words without stutters such as a letter three times in a row', () => {
		for (const n of [...given, ...family]) {
			expect(n).toMatch(/^[A-Z][a-z]+$/);
			expect(n).not.toMatch(/(.)\1\1/);
		}
	});
});

describe('fictional contact details', () => {
	it('uses only the 555-0100..0199 range reserved for fiction', () => {
		const rng = new Rng(1);
		for (let i = 0; i < 300; i++)
			expect(fictionalPhone(rng, ['312', '773'])).toMatch(/^\((312|773)\) 555-01\d\d$/);
	});

	it('puts email addresses on the reserved example domains', () => {
		const rng = new Rng(2);
		for (let i = 0; i < 200; i++) {
			expect(fictionalEmail(rng, 'Brenara', 'Tolvar')).toMatch(/^[a-z0-9.]+@example\.(com|org)$/);
		}
	});
});

describe('provider NPIs', () => {
	it('computes the check digit of the CMS worked example (123456789 → 3)', () => {
		expect(npiCheckDigit('123456789')).toBe(3);
	});

	it('generates NPIs that the provider schema accepts', () => {
		const rng = new Rng(3);
		for (let i = 0; i < 500; i++) {
			const npi = fictionalNpi(rng);
			expect(npi).toMatch(/^[12]\d{9}$/);
			expect(isValidNpi(npi)).toBe(true);
		}
	});
});
