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

export const patient = recordBase
	.extend({
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
		coverages: z.array(coverage).max(3).default([])
	})
	.superRefine((p, ctx) => {
		for (const issue of patientIssues(p))
			ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
	});
export type Patient = z.infer<typeof patient>;

export interface FieldIssue {
	path: (string | number)[];
	message: string;
}

/** Invariants that a single field cannot express. Pure, so every device agrees. */
export function patientIssues(p: {
	dateOfBirth: string;
	coverages: { order: string; effectiveFrom?: string | undefined; effectiveTo?: string | undefined }[];
}): FieldIssue[] {
	const issues: FieldIssue[] = [];
	const today = new Date().toISOString().slice(0, 10);
	if (p.dateOfBirth > today)
		issues.push({ path: ['dateOfBirth'], message: 'Date of birth is in the future' });
	if (p.dateOfBirth < '1900-01-01')
		issues.push({ path: ['dateOfBirth'], message: 'Date of birth is before 1900' });
	const seen = new Set<string>();
	p.coverages.forEach((c, i) => {
		if (seen.has(c.order))
			issues.push({ path: ['coverages', i, 'order'], message: `Two ${c.order} coverages` });
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
