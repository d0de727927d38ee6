import { describe, expect, it } from 'vitest';
import { zonedTimeToUtc } from '../common/time';
import type { ExceptionInput, TemplateInput } from './availability';
import { detectConflicts } from './conflicts';
import { conflictRulesFrom } from './rules';
import type { Appointment } from './schemas';

const TZ = 'America/Chicago';
const P1 = '10000000-0000-4000-8000-000000000001';
const P2 = '10000000-0000-4000-8000-000000000002';
const NOBODY = '10000000-0000-4000-8000-000000000009';
const TYPE = '30000000-0000-4000-8000-000000000001';
const LIMITED = '30000000-0000-4000-8000-000000000002';
const GONE = '30000000-0000-4000-8000-000000000003';

const weekday = (wd: number) => ({
	weekday: wd,
	intervals: [
		{ from: '08:00', to: '12:00', typeIds: [LIMITED] },
		{ from: '12:00', to: '17:00' }
	],
	breaks: [{ from: '12:00', to: '13:00' }]
});
const templates: TemplateInput[] = [
	{
		id: 't1',
		providerId: P1,
		effectiveFrom: '2026-01-01',
		days: [
			...[1, 2, 3, 4, 5].map(weekday),
			// A Sunday night shift across both clock changes, with a break in the small hours.
			{ weekday: 0, intervals: [{ from: '00:00', to: '06:00' }], breaks: [{ from: '02:30', to: '03:30' }] }
		]
	},
	{ id: 't2', providerId: P2, effectiveFrom: '2026-06-01', days: [1, 2, 3, 4, 5].map(weekday) },
	{ id: 't-old', providerId: P2, effectiveFrom: '2026-01-01', days: [], deletedAt: '2026-01-02T00:00:00Z' }
];
const exceptions: ExceptionInput[] = [
	{ id: 'h1', kind: 'holiday', date: '2026-12-25' },
	{ id: 'h2', kind: 'holiday', date: '2026-03-11', providerId: P2 },
	{ id: 'v1', kind: 'vacation', providerId: P1, from: '2026-07-06', to: '2026-07-10' },
	{ id: 'b1', kind: 'block', providerId: P1, date: '2026-03-10', blocked: [{ from: '15:00', to: '15:30' }] },
	{
		id: 'x1',
		kind: 'extra-hours',
		providerId: P1,
		date: '2026-03-14',
		intervals: [{ from: '09:00', to: '12:00' }]
	},
	{
		id: 'x2',
		kind: 'extra-hours',
		providerId: P2,
		date: '2026-03-13',
		intervals: [{ from: '09:00', to: '12:00' }]
	},
	{
		id: 'c1',
		kind: 'changed-hours',
		providerId: P2,
		date: '2026-03-12',
		intervals: [{ from: '10:00', to: '14:00' }]
	},
	{ id: 'h3', kind: 'holiday', date: '2026-03-16', deletedAt: '2026-02-01T00:00:00Z' }
];
const types = [
	{ id: TYPE, maxPerDay: 2 },
	{ id: LIMITED },
	{ id: GONE, maxPerDay: 1, deletedAt: '2026-01-01T00:00:00Z' }
];
const rules = conflictRulesFrom({ timeZone: TZ, templates, exceptions, types });

const at = (date: string, hm: string) => {
	const [h, m] = hm.split(':').map(Number) as [number, number];
	return zonedTimeToUtc(date, h, m, TZ).toISOString();
};
const span = (date: string, from: string, to: string) => ({ start: at(date, from), end: at(date, to) });

let n = 0;
function appt(date: string, from: string, to: string, providerId = P1, typeId = TYPE): Appointment {
	n++;
	return {
		id: `40000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		createdAt: '2026-01-01T00:00:00.000Z',
		updatedAt: '2026-01-01T00:00:00.000Z',
		patientId: '50000000-0000-4000-8000-000000000001',
		providerId,
		typeId,
		...span(date, from, to),
		status: 'booked',
		reason: '',
		notes: ''
	};
}

describe('conflictRulesFrom', () => {
	it('gives working hours joined across type limits, and breaks and blocked time apart', () => {
		expect(rules.timeZone).toBe(TZ);
		// Tuesday 10 March (CDT since the 8th): lunch from the template, a block from an exception.
		expect(rules.day(P1, '2026-03-10')).toEqual({
			hours: [span('2026-03-10', '08:00', '17:00')],
			breaks: [span('2026-03-10', '12:00', '13:00'), span('2026-03-10', '15:00', '15:30')]
		});
		expect(rules.day(P1, '2026-03-10')!.hours[0]).toEqual({
			start: '2026-03-10T13:00:00.000Z',
			end: '2026-03-10T22:00:00.000Z'
		});
		// Friday 6 March, still CST: the same wall clock is an hour later in UTC.
		expect(rules.day(P1, '2026-03-06')!.hours).toEqual([
			{ start: '2026-03-06T14:00:00.000Z', end: '2026-03-06T23:00:00.000Z' }
		]);
		// Cached per provider-date.
		expect(rules.day(P1, '2026-03-10')).toBe(rules.day(P1, '2026-03-10'));
	});

	it('maps hours and breaks on the DST days: 00:00–06:00 is five hours in spring, seven in autumn', () => {
		// 2026-03-08: 02:00 CST jumps to 03:00 CDT, so the 02:30 break start lies in the gap (→ 08:00Z).
		expect(rules.day(P1, '2026-03-08')).toEqual({
			hours: [{ start: '2026-03-08T06:00:00.000Z', end: '2026-03-08T11:00:00.000Z' }],
			breaks: [{ start: '2026-03-08T08:00:00.000Z', end: '2026-03-08T08:30:00.000Z' }]
		});
		// 2026-11-01: 02:00 CDT falls back to 01:00 CST.
		expect(rules.day(P1, '2026-11-01')).toEqual({
			hours: [{ start: '2026-11-01T05:00:00.000Z', end: '2026-11-01T12:00:00.000Z' }],
			breaks: [{ start: '2026-11-01T08:30:00.000Z', end: '2026-11-01T09:30:00.000Z' }]
		});
		const ok = appt('2026-03-08', '01:00', '01:45', P1, LIMITED);
		const overBreak = appt('2026-03-08', '03:15', '03:45', P1, LIMITED); // 08:15Z–08:45Z
		const late = appt('2026-03-08', '05:30', '06:30', P1, LIMITED);
		expect(
			detectConflicts([ok, overBreak, late], { rules }).map((c) => [c.kind, c.appointmentIds[0]])
		).toEqual([
			['over-break', overBreak.id],
			['outside-hours', late.id]
		]);
	});

	it('closes holidays and vacations, and knows nothing of dates no record covers', () => {
		const closed = { hours: [], breaks: [] };
		expect(rules.day(P1, '2026-12-25')).toEqual(closed); // clinic-wide
		expect(rules.day(P2, '2026-12-25')).toEqual(closed);
		expect(rules.day(NOBODY, '2026-12-25')).toEqual(closed); // the clinic is shut for everyone
		expect(rules.day(P2, '2026-03-11')).toEqual(closed); // P2's own holiday, before P2's template
		expect(rules.day(P1, '2026-03-11')!.hours).toHaveLength(1);
		expect(rules.day(P1, '2026-07-08')).toEqual(closed); // vacation
		expect(rules.day(P1, '2026-03-07')).toEqual(closed); // Saturday: a known day off
		expect(rules.day(P1, '2026-03-16')!.hours).toHaveLength(1); // deleted holiday ignored

		expect(rules.day(P2, '2026-03-10')).toBeUndefined(); // before P2's template
		expect(rules.day(P2, '2026-06-02')!.hours).toEqual([span('2026-06-02', '08:00', '17:00')]);
		// A Saturday clinic on top of P1's template; extra hours without a template are not hours.
		expect(rules.day(P1, '2026-03-14')).toEqual({
			hours: [span('2026-03-14', '09:00', '12:00')],
			breaks: []
		});
		expect(rules.day(P2, '2026-03-13')).toBeUndefined();
		// Changed hours stand on their own.
		expect(rules.day(P2, '2026-03-12')).toEqual({
			hours: [span('2026-03-12', '10:00', '14:00')],
			breaks: []
		});
		expect(rules.day(NOBODY, '2026-03-10')).toBeUndefined();
		expect(rules.day(P1, '2025-12-31')).toBeUndefined(); // before P1's template

		const christmas = appt('2026-12-25', '09:00', '09:30');
		const unknown = appt('2026-03-10', '06:00', '06:30', P2);
		expect(detectConflicts([christmas, unknown], { rules }).map((c) => [c.kind, c.appointmentIds])).toEqual([
			['outside-hours', [christmas.id]]
		]);
	});

	it('reads daily maximums from the live types only', () => {
		expect(rules.maxPerDay!(TYPE, P1)).toBe(2);
		expect(rules.maxPerDay!(LIMITED, P1)).toBeUndefined();
		expect(rules.maxPerDay!(GONE, P1)).toBeUndefined();
		const three = ['09:00', '10:00', '11:00'].map((t) => appt('2026-03-12', t, t.replace(':00', ':30')));
		expect(detectConflicts(three, { rules }).map((c) => [c.kind, c.appointmentIds.length])).toEqual([
			['max-per-day', 3]
		]);
	});
});
