import { z } from 'zod';
import { isoDate, nonEmpty, recordBase, recordId } from '../common/primitives';
import { address } from '../workspace/schemas';

export const phoneType = z.enum(['mobile', 'home', 'work', 'other']);
export const phone = z.object({
	type: phoneType,
	number: z
		.string()
		.trim()
		.refine((v) => normalizePhone(v).length >= 10, 'Enter a phone number with area code'),
	canText: z.boolean().default(false),
	primary: z.boolean().default(false)
});
export type Phone = z.infer<typeof phone>;

export const administrativeSex = z.enum(['female', 'male', 'other', 'unknown']);

export const emergencyContact = z.object({
	name: nonEmpty(120),
	relationship: z.string().trim().max(40),
	phone: z.string().trim().max(30)
});

export const subscriberRelationship = z.enum(['self', 'spouse', 'child', 'other']);
export const coverageOrder = z.enum(['primary', 'secondary', 'tertiary']);

export const coverage = z.object({
	id: recordId,
	order: coverageOrder,
	payerName: nonEmpty(120),
	payerId: z.string().trim().max(20).optional(),
	planName: z.string().trim().max(120).optional(),
	memberId: nonEmpty(40),
	groupNumber: z.string().trim().max(40).optional(),
	subscriberRelationship: subscriberRelationship.default('self'),
	subscriberName: z.string().trim().max(120).optional(),
	subscriberDateOfBirth: isoDate.optional(),
	effectiveFrom: isoDate.optional(),
	effectiveTo: isoDate.optional()
});
export type Coverage = z.infer<typeof coverage>;

/** The fields alone, for forms that pick or omit some (zod cannot pick from a refined schema). */
export const patientFields = recordBase.extend({
	mrn: nonEmpty(30),
	familyName: nonEmpty(80),
	givenName: nonEmpty(80),
	middleName: z.string().trim().max(80).optional(),
	preferredName: z.string().trim().max(80).optional(),
	dateOfBirth: isoDate,
	sex: administrativeSex.default('unknown'),
	genderIdentity: z.string().trim().max(60).optional(),
	pronouns: z.string().trim().max(30).optional(),
	phones: z.array(phone).max(6).default([]),
	email: z.email().optional(),
	address: address.optional(),
	preferredLanguage: z.string().trim().max(40).default('English'),
	emergencyContacts: z.array(emergencyContact).max(4).default([]),
	alerts: z.array(z.string().trim().min(1).max(80)).max(20).default([]),
	primaryProviderId: recordId.optional(),
	coverages: z.array(coverage).max(6).default([])
});

export const patient = patientFields.superRefine((p, ctx) => {
	for (const issue of patientIssues(p))
		ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
});
export type Patient = z.infer<typeof patient>;

export interface FieldIssue {
	path: (string | number)[];
	message: string;
}

type CoveragePeriod = { order: string; effectiveFrom?: string | undefined; effectiveTo?: string | undefined };

/**
 * Invariants that a single field cannot express. They depend on the record alone, never on the
 * clock, so every device judges a stored record the same way on every day. Rules that need
 * "today" (a birth date in the future) are checked on entry by `patientEntryIssues`.
 */
export function patientIssues(p: { dateOfBirth: string; coverages: CoveragePeriod[] }): FieldIssue[] {
	const issues: FieldIssue[] = [];
	if (p.dateOfBirth < '1900-01-01')
		issues.push({ path: ['dateOfBirth'], message: 'Date of birth is before 1900' });
	const seen = new Set<string>();
	p.coverages.forEach((c, i) => {
		// An ended plan may stay on file beside its successor: only overlapping periods clash.
		if (p.coverages.some((o, j) => j < i && o.order === c.order && periodsOverlap(o, c)))
			issues.push({ path: ['coverages', i, 'order'], message: `Two ${c.order} coverages at the same time` });
		seen.add(c.order);
		if (c.effectiveFrom && c.effectiveTo && c.effectiveTo < c.effectiveFrom)
			issues.push({ path: ['coverages', i, 'effectiveTo'], message: 'Coverage ends before it starts' });
	});
	if (seen.has('secondary') && !seen.has('primary'))
		issues.push({ path: ['coverages'], message: 'A secondary coverage needs a primary one' });
	if (seen.has('tertiary') && !seen.has('secondary'))
		issues.push({ path: ['coverages'], message: 'A tertiary coverage needs a secondary one' });
	return issues;
}

/** Checks made when a person enters or edits a patient, on the clinic's local date. */
export function patientEntryIssues(p: { dateOfBirth: string }, today: string): FieldIssue[] {
	return p.dateOfBirth > today ? [{ path: ['dateOfBirth'], message: 'Date of birth is in the future' }] : [];
}

function periodsOverlap(a: CoveragePeriod, b: CoveragePeriod): boolean {
	const open = (x: CoveragePeriod) => [x.effectiveFrom ?? '0000-01-01', x.effectiveTo ?? '9999-12-31'];
	const [af, at] = open(a);
	const [bf, bt] = open(b);
	return af! <= bt! && bf! <= at!;
}

/** Digits only, with a leading US country code dropped: `+1 (555) 010-0199` → `5550100199`. */
export function normalizePhone(input: string): string {
	const digits = input.replace(/\D/g, '');
	return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

/** Age in whole years on a given date (both ISO dates). */
export function ageOn(dateOfBirth: string, on: string): number {
	const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
	const [y, m, d] = on.split('-').map(Number) as [number, number, number];
	return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function displayName(p: Pick<Patient, 'familyName' | 'givenName' | 'preferredName'>): string {
	return `${p.familyName}, ${p.givenName}${p.preferredName ? ` (${p.preferredName})` : ''}`;
}
