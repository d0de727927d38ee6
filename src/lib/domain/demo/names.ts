import { npiCheckDigit, type Address } from '../workspace/schemas';
import type { Rng } from './rng';
import {
	FAMILY_ENDS,
	FAMILY_STARTS,
	GIVEN_ENDINGS_FEMININE,
	GIVEN_ENDINGS_MASCULINE,
	GIVEN_MIDDLES,
	GIVEN_ONSETS_FEMININE,
	GIVEN_ONSETS_MASCULINE,
	PLACE_ENDS,
	PLACE_STARTS
} from './syllables';
import { AREA_CODES, STATES, STREET_SUFFIXES } from './tables';

export type NameStyle = 'feminine' | 'masculine';

export interface GivenName {
	name: string;
	/** Onset plus middle consonant ('Bren' from 'Brenna'): a natural short form for a preferred name. */
	short: string;
}

export function givenName(rng: Rng, style: NameStyle): GivenName {
	const onsets = style === 'feminine' ? GIVEN_ONSETS_FEMININE : GIVEN_ONSETS_MASCULINE;
	const endings = style === 'feminine' ? GIVEN_ENDINGS_FEMININE : GIVEN_ENDINGS_MASCULINE;
	const short = rng.pick(onsets) + rng.pick(GIVEN_MIDDLES);
	return { name: short + rng.pick(endings), short };
}

export function familyName(rng: Rng): string {
	return rng.pick(FAMILY_STARTS) + rng.pick(FAMILY_ENDS);
}

export function placeName(rng: Rng): string {
	return rng.pick(PLACE_STARTS) + rng.pick(PLACE_ENDS);
}

export function areaCodes(timeZone: string): readonly string[] {
	return AREA_CODES[timeZone] ?? AREA_CODES['America/Chicago']!;
}

/** `(312) 555-0142`: 555-0100..0199 is the range set aside for fiction. */
export function fictionalPhone(rng: Rng, codes: readonly string[]): string {
	return `(${rng.pick(codes)}) 555-01${rng.digits(2)}`;
}

export function fictionalEmail(rng: Rng, given: string, family: string): string {
	const domain = rng.chance(0.7) ? 'example.com' : 'example.org';
	const local = rng.chance(0.5) ? `${given}.${family}` : `${given[0]}${family}${rng.int(1, 99)}`;
	return `${local.toLowerCase()}@${domain}`;
}

export function fictionalAddress(rng: Rng, timeZone: string): Address {
	const address: Address = {
		line1: `${rng.int(100, 9899)} ${familyName(rng)} ${rng.pick(STREET_SUFFIXES)}`,
		city: placeName(rng),
		state: STATES[timeZone] ?? '',
		// 000xx ZIP codes are unassigned, so an address can never point at a real mailbox.
		postalCode: `000${rng.digits(2)}`,
		country: 'US'
	};
	if (rng.chance(0.12)) address.line2 = `Apt ${rng.int(1, 30)}${rng.pick(['A', 'B', 'C', 'D'])}`;
	return address;
}

/** A random NPI whose check digit is valid (Luhn over the `80840` prefix and nine digits). */
export function fictionalNpi(rng: Rng): string {
	const body = String(rng.int(1, 2)) + rng.digits(8);
	return body + npiCheckDigit(body);
}

export { npiCheckDigit };
