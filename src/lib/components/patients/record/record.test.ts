import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { patient as patientSchema, patientIssues, type Coverage, type Patient } from '$lib/domain';
import PatientRecord from './PatientRecord.svelte';
import { makePrimary } from './InsuranceSection.svelte';
import { changedFields, fieldErrors } from './editing.svelte';
import { ageText, formatPhone, friendlyDate, legalName, staffName, whenChanged } from './format';

const ID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const NOW = '2026-11-28T15:00:00.000Z';

function patient(over: Partial<Patient> = {}): Patient {
	return patientSchema.parse({
		id: ID,
		createdAt: NOW,
		updatedAt: NOW,
		mrn: 'MRN-000042',
		familyName: 'Quistane',
		givenName: 'Ombrel',
		middleName: 'Anne',
		dateOfBirth: '1975-04-09',
		phones: [{ type: 'mobile', number: '312.555.0123', canText: true, primary: true }],
		preferredLanguage: 'Portuguese',
		...over
	});
}

let n = 0;
const newId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function cov(id: string, order: Coverage['order'], from?: string, to?: string): Coverage {
	return {
		id: `00000000-0000-4000-8000-${id.padStart(12, '0')}`,
		order,
		payerName: `Payer ${id}`,
		memberId: `M${id}0000`,
		subscriberRelationship: 'self',
		effectiveFrom: from,
		effectiveTo: to
	};
}

describe('formatting', () => {
	it('shows friendly dates, ages, phones and names', () => {
		expect(friendlyDate('1975-04-09')).toBe('Apr 9, 1975');
		expect(ageText('1975-04-09', '2026-04-08')).toBe('50');
		expect(ageText('1975-04-09', '2026-04-09')).toBe('51');
		expect(ageText('2026-03-20', '2026-11-28')).toBe('8 mo');
		expect(ageText('2026-11-20', '2026-11-28')).toBe('8 days');
		expect(formatPhone('+1 312.555.0123')).toBe('(312) 555-0123');
		expect(formatPhone('555-0123 x12')).toBe('555-0123 x12');
		expect(legalName({ familyName: 'Doe', givenName: 'Jo', middleName: 'Ann', suffix: 'Jr.' })).toBe(
			'Doe, Jo Ann Jr.'
		);
		expect(staffName([{ id: 'u1', displayName: 'Frankie Front' }], 'u1')).toBe('Frankie Front');
		expect(staffName([], 'u2')).toBe('another user');
	});

	it('says when a change was made: the time today, the date otherwise', () => {
		expect(whenChanged('2026-11-28T16:42:00.000Z', 'America/Chicago', '2026-11-28')).toBe('10:42 AM');
		expect(whenChanged('2026-04-09T16:42:00.000Z', 'America/Chicago', '2026-11-28')).toBe('Apr 9');
		expect(whenChanged('2025-04-09T16:42:00.000Z', 'America/Chicago', '2026-11-28')).toBe('Apr 9, 2025');
	});
});

describe('editing helpers', () => {
	it('keeps only the fields that changed', () => {
		const before = { a: 'x', b: [1, 2], c: undefined as string | undefined };
		expect(changedFields(before, { a: 'x', b: [1, 2], c: undefined })).toEqual({});
		expect(changedFields(before, { a: 'y', b: [1, 2], c: 'z' })).toEqual({ a: 'y', c: 'z' });
	});

	it('keys validation messages by path', () => {
		expect(
			fieldErrors([
				{ path: ['phones', 0, 'number'], message: 'Enter a phone number with area code' },
				{ path: ['phones', 0, 'number'], message: 'second' },
				{ path: [], message: 'whole form' }
			])
		).toEqual({ 'phones.0.number': 'Enter a phone number with area code', form: 'whole form' });
	});
});

describe('making a coverage primary', () => {
	const today = '2026-11-28';

	it('swaps orders of the coverages in force without splitting them', () => {
		const list = [cov('1', 'primary', '2024-01-01'), cov('2', 'secondary', '2024-01-01')];
		const next = makePrimary(list, list[1]!.id, today, newId);
		expect(next.map((c) => [c.payerName, c.order])).toEqual([
			['Payer 1', 'secondary'],
			['Payer 2', 'primary']
		]);
		expect(patientIssues({ dateOfBirth: '1975-04-09', coverages: next })).toEqual([]);
	});

	it('splits a coverage whose new order an ended plan held during its past', () => {
		const list = [
			cov('1', 'primary', '2018-01-01', '2023-12-31'),
			cov('2', 'secondary', '2020-01-01'),
			cov('3', 'primary', '2024-01-01')
		];
		const next = makePrimary(list, list[1]!.id, today, newId);
		expect(patientIssues({ dateOfBirth: '1975-04-09', coverages: next })).toEqual([]);
		const inForce = next.filter((c) => !c.effectiveTo || c.effectiveTo >= today);
		expect(inForce.map((c) => [c.payerName, c.order]).sort()).toEqual([
			['Payer 2', 'primary'],
			['Payer 3', 'secondary']
		]);
		// Payer 2 stays on file as secondary up to yesterday.
		expect(next).toContainEqual(
			expect.objectContaining({ payerName: 'Payer 2', order: 'secondary', effectiveTo: '2026-11-27' })
		);
	});
});

describe('the patient record', () => {
	const html = (p: Patient) => render(PatientRecord, { props: { patient: p } }).body;

	it('shows identity, contacts and reminders, without edit controls for a locked workspace', () => {
		const body = html(patient());
		expect(body).toContain('Quistane, Ombrel Anne');
		expect(body).toContain('Apr 9, 1975');
		expect(body).toMatch(/data-testid="patient-language"[^>]*>Portuguese</);
		expect(body).toContain('(312) 555-0123');
		expect(body).toContain('No signed privacy notice acknowledgement');
		expect(body).toContain('Print face sheet');
		expect(body).not.toContain('Edit contact details');
	});

	it('warns about a restricted record and a minor without a guardian', () => {
		const body = html(
			patient({
				dateOfBirth: '2020-02-02',
				privacy: { preferredContact: 'phone', noVoicemailDetails: false, restricted: true, noDirectory: true }
			})
		);
		expect(body).toContain('Restricted record.');
		expect(body).toContain('No directory listing.');
		expect(body).toContain('Minor without a parent or guardian on file');
		expect(body).toContain('No parent or guardian on file for this minor.');
	});

	it('lists coverages primary first, and the consents with their state', () => {
		const body = html(
			patient({
				coverages: [cov('2', 'secondary', '2024-01-01'), cov('1', 'primary', '2024-01-01')],
				consents: [{ type: 'privacy-notice', granted: true, signedOn: '2025-01-02', expiresOn: '2025-12-31' }]
			})
		);
		expect(body.indexOf('Payer 1')).toBeLessThan(body.indexOf('Payer 2'));
		expect(body).toContain('Expired consent: privacy notice');
		expect(body).toContain('Privacy notice acknowledgement');
	});
});
