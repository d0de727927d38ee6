import { describe, expect, it } from 'vitest';
import {
	ageOn,
	appointment,
	canTransition,
	clinic,
	isValidNpi,
	normalizePhone,
	occupiesSlot,
	overlaps,
	patient,
	patientEntryIssues,
	provider
} from './index';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const stamp = { createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z' };

function basePatient() {
	return {
		id: id(1),
		...stamp,
		mrn: 'MRN-000001',
		familyName: 'Tolvar',
		givenName: 'Brenna',
		dateOfBirth: '1980-05-17'
	};
}

describe('patient', () => {
	it('fills defaults for a minimal patient', () => {
		const p = patient.parse(basePatient());
		expect(p.phones).toEqual([]);
		expect(p.sex).toBe('unknown');
		expect(p.preferredLanguage).toBe('English');
	});

	it('judges a stored record without the clock, and a new birth date against today', () => {
		expect(patient.safeParse({ ...basePatient(), dateOfBirth: '2999-01-01' }).success).toBe(true);
		expect(patient.safeParse({ ...basePatient(), dateOfBirth: '1899-12-31' }).success).toBe(false);
		expect(patientEntryIssues({ dateOfBirth: '2026-11-29' }, '2026-11-28')[0]?.path).toEqual(['dateOfBirth']);
		expect(patientEntryIssues({ dateOfBirth: '2026-11-28' }, '2026-11-28')).toEqual([]);
	});

	it('keeps an ended plan on file beside the plan that replaced it', () => {
		const cov = (n: number, from: string, to?: string) => ({
			id: id(n),
			order: 'primary',
			payerName: 'Northwind Mutual',
			memberId: `X${n}`,
			effectiveFrom: from,
			effectiveTo: to
		});
		const history = [cov(2, '2020-01-01', '2025-12-31'), cov(3, '2026-01-01')];
		expect(patient.safeParse({ ...basePatient(), coverages: history }).success).toBe(true);
		const overlapping = [cov(2, '2020-01-01', '2026-02-01'), cov(3, '2026-01-01')];
		expect(patient.safeParse({ ...basePatient(), coverages: overlapping }).success).toBe(false);
	});

	it('refuses two primary coverages and a secondary without a primary', () => {
		const cov = (n: number, order: string) => ({
			id: id(n),
			order,
			payerName: 'Northwind Mutual',
			memberId: `X${n}`
		});
		const two = patient.safeParse({ ...basePatient(), coverages: [cov(2, 'primary'), cov(3, 'primary')] });
		expect(two.error?.issues.map((i) => i.message)).toContain('Two primary coverages at the same time');
		const orphan = patient.safeParse({ ...basePatient(), coverages: [cov(2, 'secondary')] });
		expect(orphan.error?.issues.map((i) => i.message)).toContain('A secondary coverage needs a primary one');
		expect(
			patient.safeParse({ ...basePatient(), coverages: [cov(2, 'primary'), cov(3, 'secondary')] }).success
		).toBe(true);
	});

	it('refuses coverage that ends before it starts', () => {
		const r = patient.safeParse({
			...basePatient(),
			coverages: [
				{
					id: id(2),
					order: 'primary',
					payerName: 'P',
					memberId: 'M',
					effectiveFrom: '2026-05-01',
					effectiveTo: '2026-01-01'
				}
			]
		});
		expect(r.success).toBe(false);
	});

	it('needs an area code on a phone number', () => {
		const phone = (n: string) => ({ ...basePatient(), phones: [{ type: 'mobile', number: n }] });
		expect(patient.safeParse(phone('555-0142')).success).toBe(false);
		expect(patient.safeParse(phone('(312) 555-0142')).success).toBe(true);
	});

	it('normalizes phone numbers in any common format', () => {
		for (const f of ['(312) 555-0142', '312.555.0142', '+1 312 555 0142', '1-312-555-0142', '3125550142'])
			expect(normalizePhone(f), f).toBe('3125550142');
	});

	it('computes age on a date, counting the birthday itself', () => {
		expect(ageOn('2000-02-29', '2026-02-28')).toBe(25);
		expect(ageOn('2000-02-29', '2026-03-01')).toBe(26);
		expect(ageOn('1980-05-17', '2026-05-17')).toBe(46);
	});
});

describe('appointment', () => {
	const base = {
		id: id(10),
		...stamp,
		patientId: id(1),
		providerId: id(2),
		typeId: id(3),
		start: '2026-12-01T15:00:00.000Z',
		end: '2026-12-01T15:20:00.000Z'
	};

	it('must end after it starts', () => {
		expect(appointment.safeParse(base).success).toBe(true);
		expect(appointment.safeParse({ ...base, end: base.start }).success).toBe(false);
	});

	it('needs a reason when cancelled and a check-in time when arrived', () => {
		expect(appointment.safeParse({ ...base, status: 'cancelled' }).success).toBe(false);
		expect(appointment.safeParse({ ...base, status: 'cancelled', cancelReason: 'Patient ill' }).success).toBe(
			true
		);
		expect(appointment.safeParse({ ...base, status: 'arrived' }).success).toBe(false);
	});

	it('allows only sensible status changes', () => {
		expect(canTransition('booked', 'arrived')).toBe(true);
		expect(canTransition('completed', 'booked')).toBe(false);
		expect(canTransition('rescheduled', 'booked')).toBe(false);
		expect(occupiesSlot('cancelled')).toBe(false);
		expect(occupiesSlot('arrived')).toBe(true);
	});

	it('treats back-to-back appointments as not overlapping', () => {
		const a = { start: '2026-12-01T15:00:00Z', end: '2026-12-01T15:20:00Z' };
		expect(overlaps(a, { start: '2026-12-01T15:20:00Z', end: '2026-12-01T15:40:00Z' })).toBe(false);
		expect(overlaps(a, { start: '2026-12-01T15:19:00Z', end: '2026-12-01T15:40:00Z' })).toBe(true);
	});
});

describe('workspace records', () => {
	it('checks the NPI check digit', () => {
		expect(isValidNpi('1234567893')).toBe(true);
		expect(isValidNpi('1234567890')).toBe(false);
		const p = { id: id(5), ...stamp, displayName: 'Dr. Vell Orrin', color: '#1a7f5a' };
		expect(provider.safeParse({ ...p, npi: '1234567893' }).success).toBe(true);
		expect(provider.safeParse({ ...p, npi: '1234567890' }).success).toBe(false);
	});

	it('refuses an unknown time zone', () => {
		const c = { id: id(6), ...stamp, name: 'Clinic' };
		expect(clinic.safeParse({ ...c, timeZone: 'America/Chicago' }).success).toBe(true);
		expect(clinic.safeParse({ ...c, timeZone: 'Mars/Olympus' }).success).toBe(false);
	});
});
