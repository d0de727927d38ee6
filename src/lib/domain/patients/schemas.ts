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

/** A minor's parent or legal guardian: who consents and is contacted for them. */
export const guardian = z.object({
	name: nonEmpty(120),
	relationship: z.enum(['mother', 'father', 'parent', 'legal-guardian', 'grandparent', 'other']),
	phone: z.string().trim().max(30).optional(),
	email: z.email().optional(),
	/** Whether this person may sign consents and receive PHI for the patient. */
	authorized: z.boolean().default(true)
});
export type Guardian = z.infer<typeof guardian>;

/** Consents a front desk collects; each is signed on a date and may expire. */
export const consentType = z.enum([
	'privacy-notice',
	'treatment',
	'financial-policy',
	'text-messages',
	'email',
	'release-of-information',
	'telehealth'
]);
export const consent = z.object({
	type: consentType,
	/** Given (true) or refused (false): a refusal is kept too. */
	granted: z.boolean().default(true),
	signedOn: isoDate,
	expiresOn: isoDate.optional(),
	/** The scanned form, when one is attached to the record. */
	documentId: recordId.optional()
});
export type Consent = z.infer<typeof consent>;

export const contactMethod = z.enum(['phone', 'text', 'email', 'mail', 'portal']);

/** How the patient wants to be reached and what may be said or shown. */
export const privacyPreferences = z.object({
	preferredContact: contactMethod.default('phone'),
	/** No details in voicemail (only a call-back request). */
	noVoicemailDetails: z.boolean().default(false),
	/** Restricted record (staff, VIP, or a patient's request): views are flagged for review. */
	restricted: z.boolean().default(false),
	/** Do not confirm to callers that this person is a patient. */
	noDirectory: z.boolean().default(false),
	/** Leave messages only at this phone type. */
	messagesOnlyAt: z.enum(['mobile', 'home', 'work', 'other']).optional()
});
export type PrivacyPreferences = z.infer<typeof privacyPreferences>;

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
	effectiveTo: isoDate.optional(),
	/** Scans of the insurance card, as documents on the record. */
	cardFrontDocumentId: recordId.optional(),
	cardBackDocumentId: recordId.optional()
});
export type Coverage = z.infer<typeof coverage>;

/** The fields alone, for forms that pick or omit some (zod cannot pick from a refined schema). */
export const patientFields = recordBase.extend({
	mrn: nonEmpty(30),
	familyName: nonEmpty(80),
	givenName: nonEmpty(80),
	middleName: z.string().trim().max(80).optional(),
	suffix: z.string().trim().max(20).optional(),
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
	guardian: guardian.optional(),
	consents: z.array(consent).max(40).default([]),
	privacy: privacyPreferences.default({
		preferredContact: 'phone',
		noVoicemailDetails: false,
		restricted: false,
		noDirectory: false
	}),
	alerts: z.array(z.string().trim().min(1).max(80)).max(20).default([]),
	primaryProviderId: recordId.optional(),
	coverages: z.array(coverage).max(6).default([]),
	/** MRNs of records merged into this one, so the old numbers still find the patient. */
	otherMrns: z.array(nonEmpty(30)).max(20).default([]),
	/** Set (with deletedAt) on a record merged into another. */
	mergedInto: recordId.optional()
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
export function patientEntryIssues(
	p: { dateOfBirth: string; guardian?: unknown },
	today: string
): FieldIssue[] {
	if (p.dateOfBirth > today) return [{ path: ['dateOfBirth'], message: 'Date of birth is in the future' }];
	return [];
}

/** Reminders shown on the record (not errors: the desk may not have the information yet). */
export function patientWarnings(
	p: Pick<Patient, 'dateOfBirth' | 'guardian' | 'consents' | 'phones'>,
	today: string
): string[] {
	const out: string[] = [];
	if (ageOn(p.dateOfBirth, today) < 18 && !p.guardian) out.push('Minor without a parent or guardian on file');
	if (!p.consents.some((c) => c.type === 'privacy-notice' && c.granted))
		out.push('No signed privacy notice acknowledgement');
	for (const c of p.consents)
		if (c.expiresOn && c.expiresOn < today) out.push(`Expired consent: ${c.type.replace(/-/g, ' ')}`);
	if (p.phones.length === 0) out.push('No phone number');
	return out;
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
