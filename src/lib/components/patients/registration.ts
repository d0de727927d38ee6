/**
 * Registering a new patient, shared by the Patients screen's form and the booking dialog's quick add:
 * the record the form proposes, its checks, and whether to ask "is this an existing patient?" first.
 */
import { patientEntryIssues, patient as patientSchema, type Patient } from '$lib/domain';
import type { DuplicateMatch } from '$lib/domain/patients/duplicates';
import { fieldErrors } from './record/editing.svelte';

/** What both forms ask for; the phone is the one mobile number the desk takes at registration. */
export interface NewPatientFields {
	familyName: string;
	givenName: string;
	dateOfBirth: string;
	sex: Patient['sex'];
	phone: string;
}

/** The record to check, with a temporary id and times (the store gives the record its own). */
export function newPatientCandidate(fields: NewPatientFields, mrn: string, more: Partial<Patient> = {}) {
	const now = new Date().toISOString();
	const { phone, ...names } = fields;
	return {
		id: crypto.randomUUID(),
		createdAt: now,
		updatedAt: now,
		mrn,
		...names,
		phones: phone.trim() ? [{ type: 'mobile' as const, number: phone, canText: false, primary: true }] : [],
		...more
	};
}

export type NewPatientInput = Omit<Patient, 'id' | 'createdAt' | 'updatedAt'>;

export type Registration =
	| { kind: 'invalid'; errors: Record<string, string> }
	| { kind: 'maybe-existing'; matches: DuplicateMatch[] }
	| { kind: 'ok'; input: NewPatientInput };

/**
 * Checks a proposed patient: the schema and the registration rules first (errors by field; a phone's
 * under `phones`, the forms' one phone field), then, when `possibleDuplicates` is given (not once the
 * person chose "save anyway"), whether it may be someone already registered. A shared phone number
 * alone does not stop the save: families share numbers, and registering a sibling is routine. A
 * similar name with the same birth date (or a shared member id) does.
 */
export function checkRegistration(
	candidate: unknown,
	today: string,
	possibleDuplicates?: (p: Patient) => DuplicateMatch[]
): Registration {
	const parsed = patientSchema.safeParse(candidate);
	const entryIssues = parsed.success ? patientEntryIssues(parsed.data, today) : [];
	if (!parsed.success || entryIssues.length > 0) {
		const errors = fieldErrors([...(parsed.error?.issues ?? []), ...entryIssues]);
		for (const key of Object.keys(errors)) if (key.startsWith('phones.')) errors.phones ??= errors[key]!;
		return { kind: 'invalid', errors };
	}
	const found = possibleDuplicates?.(parsed.data) ?? [];
	if (found.some((m) => m.reasons.some((r) => r !== 'phone')))
		return { kind: 'maybe-existing', matches: found };
	const { id: _id, createdAt: _c, updatedAt: _u, ...input } = parsed.data;
	return { kind: 'ok', input };
}
