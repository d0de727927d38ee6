import { z } from 'zod';
import { hexColor, nonEmpty, recordBase, recordId, timeZone } from '../common/primitives';

export const address = z.object({
	line1: z.string().trim().max(120).default(''),
	line2: z.string().trim().max(120).optional(),
	city: z.string().trim().max(80).default(''),
	state: z.string().trim().max(40).default(''),
	postalCode: z.string().trim().max(20).default(''),
	country: z.string().trim().length(2).default('US')
});
export type Address = z.infer<typeof address>;

export const slotMinutes = z.union([
	z.literal(5),
	z.literal(10),
	z.literal(15),
	z.literal(20),
	z.literal(30)
]);

export const clinic = recordBase.extend({
	name: nonEmpty(120),
	timeZone,
	slotMinutes: slotMinutes.default(15),
	phone: z.string().trim().max(30).optional(),
	address: address.optional(),
	/** Minutes of inactivity before a workstation locks (HIPAA automatic logoff). */
	idleLockMinutes: z.number().int().min(1).max(60).default(10),
	/** Template for new medical record numbers; `{n}` is the sequence number. */
	mrnPattern: z.string().trim().max(30).default('MRN-{n}'),
	demo: z.boolean().default(false)
});
export type Clinic = z.infer<typeof clinic>;

export const provider = recordBase.extend({
	displayName: nonEmpty(120),
	credentials: z.string().trim().max(40).optional(),
	specialty: z.string().trim().max(80).optional(),
	/** National Provider Identifier: 10 digits with a Luhn check digit (prefix 80840). */
	npi: z
		.string()
		.regex(/^\d{10}$/, 'An NPI has 10 digits')
		.refine((v) => isValidNpi(v), 'NPI check digit does not match')
		.optional(),
	color: hexColor,
	active: z.boolean().default(true)
});
export type Provider = z.infer<typeof provider>;

export const room = recordBase.extend({
	name: nonEmpty(60),
	bookable: z.boolean().default(true),
	active: z.boolean().default(true)
});
export type Room = z.infer<typeof room>;

export const appointmentType = recordBase.extend({
	name: nonEmpty(60),
	durationMinutes: z.number().int().min(5).max(480),
	color: hexColor,
	bufferBeforeMinutes: z.number().int().min(0).max(120).default(0),
	bufferAfterMinutes: z.number().int().min(0).max(120).default(0),
	newPatient: z.boolean().default(false),
	maxPerDay: z.number().int().min(1).optional(),
	/** Empty means every provider offers it. */
	providerIds: z.array(recordId).default([]),
	active: z.boolean().default(true)
});
export type AppointmentType = z.infer<typeof appointmentType>;

/**
 * NPI check digit: Luhn over the constant prefix 80840 followed by the first nine digits
 * (CMS, "Requirements for NPI check digit").
 */
export function isValidNpi(npi: string): boolean {
	return /^\d{10}$/.test(npi) && npiCheckDigit(npi.slice(0, 9)) === Number(npi[9]);
}

/** The tenth digit for nine NPI digits. */
export function npiCheckDigit(nineDigits: string): number {
	const digits = ('80840' + nineDigits).split('').map(Number);
	let sum = 0;
	// The check digit goes on the right, so doubling starts from the rightmost payload digit.
	for (let i = 0; i < digits.length; i++) {
		let d = digits[digits.length - 1 - i]!;
		if (i % 2 === 0) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return (10 - (sum % 10)) % 10;
}
