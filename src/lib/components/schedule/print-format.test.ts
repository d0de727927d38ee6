import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import {
	appointment as appointmentSchema,
	patient as patientSchema,
	type Appointment,
	type Patient
} from '$lib/domain';
import AppointmentCard from './AppointmentCard.svelte';
import DaySheet from './DaySheet.svelte';
import {
	addressLines,
	cardName,
	cardWhen,
	dateParam,
	daySheetRows,
	insuranceText,
	nearToday,
	primaryPhoneText,
	sheetProviders,
	usDate
} from './print-format';
import { AMES, BOND, doctors as providers, id, meta, TZ } from './test-fixtures';

function patient(n: number, over: Partial<Patient> = {}): Patient {
	return patientSchema.parse({
		...meta(n),
		mrn: `MRN-${n}`,
		familyName: 'Quistane',
		givenName: 'Ombrel',
		dateOfBirth: '1975-04-09',
		phones: [
			{ type: 'home', number: '312 555 0100' },
			{ type: 'mobile', number: '+1 312.555.0123', primary: true }
		],
		coverages: [
			{
				id: id(900 + n),
				order: 'primary',
				payerName: 'Old Plan',
				memberId: 'OLD1',
				effectiveTo: '2026-06-30'
			},
			{
				id: id(950 + n),
				order: 'primary',
				payerName: 'Acme Health',
				memberId: 'M123456',
				effectiveFrom: '2026-07-01'
			}
		],
		...over
	});
}

function appt(n: number, start: string, over: Partial<Appointment> = {}): Appointment {
	return appointmentSchema.parse({
		...meta(n),
		patientId: id(1),
		providerId: AMES,
		typeId: id(300),
		start,
		end: new Date(Date.parse(start) + 20 * 60000).toISOString(),
		reason: 'Cough',
		...over
	});
}

describe('day sheet and card', () => {
	it('formats phone, insurance in effect on the day, dates and times', () => {
		const p = patient(1);
		expect(primaryPhoneText(p)).toBe('(312) 555-0123');
		expect(primaryPhoneText(patient(2, { phones: [] }))).toBe('');
		expect(insuranceText(p, '2026-11-20')).toBe('Acme Health · M123456');
		expect(insuranceText(p, '2026-03-01')).toBe('Old Plan · OLD1');
		expect(insuranceText(patient(3, { coverages: [] }), '2026-11-20')).toBe('None on file');
		expect(usDate('1975-04-09')).toBe('04/09/1975');
		expect(dateParam('2026-11-20')).toBe('2026-11-20');
		expect(dateParam('2026-13-45')).toBeUndefined();
		expect(dateParam('<script>')).toBeUndefined();
		expect(dateParam(null)).toBeUndefined();
		expect(nearToday('2028-11-20', '2026-11-20')).toBe(true);
		expect(nearToday('2028-11-21', '2026-11-20')).toBe(false);
		expect(nearToday('0202-11-20', '2026-11-20')).toBe(false);
	});

	it('lists one provider’s slot-holding appointments by time', () => {
		const list = [
			appt(41, '2026-11-20T17:00:00.000Z'),
			appt(42, '2026-11-20T15:00:00.000Z', { patientId: id(9) }),
			appt(43, '2026-11-20T16:00:00.000Z', { status: 'cancelled', cancelReason: 'Sick' }),
			appt(44, '2026-11-20T16:00:00.000Z', { providerId: BOND })
		];
		const rows = daySheetRows(list, AMES, {
			date: '2026-11-20',
			timeZone: TZ,
			patient: (pid) => (pid === id(1) ? patient(1) : undefined),
			typeName: () => 'Follow-up'
		});
		expect(rows).toEqual([
			{
				id: id(42),
				time: '9:00 AM',
				patient: 'Unknown patient',
				dateOfBirth: '',
				type: 'Follow-up',
				reason: 'Cough',
				phone: '',
				insurance: ''
			},
			{
				id: id(41),
				time: '11:00 AM',
				patient: 'Quistane, Ombrel',
				dateOfBirth: '04/09/1975',
				type: 'Follow-up',
				reason: 'Cough',
				phone: '(312) 555-0123',
				insurance: 'Acme Health · M123456'
			}
		]);
		expect(sheetProviders(providers, list, 'all').map((p) => p.id)).toEqual([AMES, BOND]);
		expect(sheetProviders(providers, list.slice(0, 3), 'all').map((p) => p.id)).toEqual([AMES]);
		expect(sheetProviders(providers, [], BOND).map((p) => p.id)).toEqual([BOND]);
	});

	it('puts only first name, last initial and the clinic-zone time on the card', () => {
		expect(cardName(patient(1))).toBe('Ombrel Q.');
		expect(cardName(patient(1, { preferredName: 'Bree' }))).toBe('Bree Q.');
		expect(cardWhen({ start: '2026-11-21T03:30:00.000Z' }, TZ)).toEqual({
			date: 'Fri, Nov 20, 2026',
			time: '9:30 PM'
		});
		expect(
			addressLines({
				line1: '12 Main St',
				city: 'Springfield',
				state: 'IL',
				postalCode: '62701',
				country: 'US'
			})
		).toEqual(['12 Main St', 'Springfield, IL 62701']);
		expect(addressLines(undefined)).toEqual([]);
	});
});

describe('printed sheet and card', () => {
	it('prints one row per appointment, a blank notes column and the confidentiality footer', () => {
		const rows = daySheetRows([appt(41, '2026-11-20T17:00:00.000Z')], AMES, {
			date: '2026-11-20',
			timeZone: TZ,
			patient: () => patient(1),
			typeName: () => 'Follow-up'
		});
		const { body } = render(DaySheet, {
			props: {
				clinicName: 'Lakeside Family Practice',
				provider: 'Dr. Ames, MD',
				date: 'Friday',
				rows,
				printed: 'Printed now'
			}
		});
		expect(body).toContain('Lakeside Family Practice');
		expect(body).toContain('Quistane, Ombrel');
		expect(body).toContain('Acme Health · M123456');
		expect(body).toContain('<td class="notes');
		expect(body).toContain('Confidential — contains protected health information');
		expect(body).toContain('Printed now');
		expect(
			render(DaySheet, { props: { clinicName: 'C', provider: 'P', date: 'D', rows: [], printed: '' } }).body
		).toContain('No appointments');
	});

	it('shows the card with first name and last initial only', () => {
		const { body } = render(AppointmentCard, {
			props: {
				clinicName: 'Lakeside Family Practice',
				address: ['12 Main St', 'Springfield, IL 62701'],
				phone: '(217) 555-0100',
				patient: cardName(patient(1)),
				date: 'Fri, Nov 20, 2026',
				time: '9:30 AM',
				provider: 'Dr. Ames, MD',
				type: 'Follow-up'
			}
		});
		expect(body).toContain('Ombrel Q.');
		expect(body).not.toContain('Quistane');
		expect(body).toContain('Please arrive 15 minutes early.');
		expect(body).toContain('To cancel or reschedule, call (217) 555-0100.');
	});
});
