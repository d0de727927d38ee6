import { describe, expect, it } from 'vitest';
import type { DuplicateMatch } from '$lib/domain/patients/duplicates';
import { checkRegistration, newPatientCandidate } from './registration';

const TODAY = '2026-12-01';
const fields = {
	familyName: 'Quistane',
	givenName: 'Ombrel',
	dateOfBirth: '1975-04-09',
	sex: 'unknown' as const,
	phone: '312 555 0123'
};
const match = (...reasons: DuplicateMatch['reasons']): DuplicateMatch => ({
	id: '00000000-0000-4000-8000-000000000001',
	reasons,
	score: 1
});

describe('registering a patient', () => {
	it('proposes a record with the one mobile phone, or none', () => {
		const c = newPatientCandidate(fields, 'MRN-1', { preferredLanguage: 'Spanish' });
		expect(c).toMatchObject({ mrn: 'MRN-1', familyName: 'Quistane', preferredLanguage: 'Spanish' });
		expect(c.phones).toEqual([{ type: 'mobile', number: '312 555 0123', canText: false, primary: true }]);
		expect(newPatientCandidate({ ...fields, phone: '  ' }, 'MRN-1').phones).toEqual([]);
	});

	it('keys errors by field, a phone’s under `phones`, and refuses a birth date in the future', () => {
		const bad = checkRegistration(
			newPatientCandidate({ ...fields, familyName: '', phone: '12' }, 'MRN-1'),
			TODAY
		);
		expect(bad.kind).toBe('invalid');
		if (bad.kind !== 'invalid') return;
		expect(bad.errors.familyName).toBeTruthy();
		expect(bad.errors.phones).toBeTruthy();
		const future = checkRegistration(
			newPatientCandidate({ ...fields, dateOfBirth: '2027-01-01' }, 'MRN-1'),
			TODAY
		);
		expect(future).toEqual({ kind: 'invalid', errors: { dateOfBirth: 'Date of birth is in the future' } });
	});

	it('asks about a likely existing patient, not about a shared phone alone, and not when saving anyway', () => {
		const candidate = newPatientCandidate(fields, 'MRN-1');
		const likely = checkRegistration(candidate, TODAY, () => [match('phone'), match('name-and-birth-date')]);
		expect(likely).toMatchObject({ kind: 'maybe-existing' });
		expect(likely.kind === 'maybe-existing' && likely.matches).toHaveLength(2);
		const family = checkRegistration(candidate, TODAY, () => [match('phone')]);
		expect(family.kind).toBe('ok');
		const anyway = checkRegistration(candidate, TODAY);
		expect(anyway.kind).toBe('ok');
		if (anyway.kind !== 'ok') return;
		expect(anyway.input).not.toHaveProperty('id');
		expect(anyway.input).not.toHaveProperty('createdAt');
		expect(anyway.input).toMatchObject({ mrn: 'MRN-1', familyName: 'Quistane', givenName: 'Ombrel' });
	});
});
