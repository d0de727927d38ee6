import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { availabilityTemplate, type AvailabilityException } from '$lib/domain';
import DayHoursEditor from './DayHoursEditor.svelte';
import {
	clockText,
	copyMondayToWeekdays,
	describeException,
	exceptionDraft,
	offeredBy,
	parseException,
	parseTemplate,
	parseType,
	templateInEffect,
	templateSummary,
	typeDraft,
	upcomingExceptions,
	weekdayDrafts
} from './scheduling';
import { AMES, BOND, doctors as providers, id, meta } from '../schedule/test-fixtures';

describe('weekly hours editor', () => {
	it('starts a new template Monday to Friday and builds a valid record from the rows', () => {
		const days = weekdayDrafts();
		expect(days.map((d) => d.weekday)).toEqual([1, 2, 3, 4, 5, 6, 0]);
		expect(days.filter((d) => d.working).map((d) => d.weekday)).toEqual([1, 2, 3, 4, 5]);
		const parsed = parseTemplate(
			days,
			{ providerId: AMES, effectiveFrom: '2026-12-01', effectiveTo: '' },
			meta(1)
		);
		expect(parsed.ok).toBe(true);
		if (!parsed.ok) return;
		expect(parsed.value.days.map((d) => d.weekday)).toEqual([1, 2, 3, 4, 5]);
		expect(parsed.value.effectiveTo).toBeUndefined();
		expect(availabilityTemplate.parse(parsed.value)).toEqual(parsed.value);
		expect(templateSummary(parsed.value)).toEqual(['Mon–Fri 8:00 AM–5:00 PM; break 12:00 PM–1:00 PM']);
	});

	it('round-trips a stored template and keeps a switched-off day’s hours in the draft', () => {
		const stored = availabilityTemplate.parse({
			...meta(2),
			providerId: AMES,
			effectiveFrom: '2026-01-01',
			days: [
				{
					weekday: 1,
					intervals: [{ from: '07:30', to: '12:00', typeIds: [id(300)] }],
					blocked: [{ from: '11:00', to: '11:30', reason: 'charting' }]
				},
				{ weekday: 6, intervals: [{ from: '09:00', to: '12:00' }] }
			]
		});
		const days = weekdayDrafts(stored);
		expect(days.find((d) => d.weekday === 1)?.hours.blocked[0]).toEqual({
			from: '11:00',
			to: '11:30',
			reason: 'charting',
			note: ''
		});
		const parsed = parseTemplate(
			days,
			{ providerId: AMES, effectiveFrom: '2026-01-01', effectiveTo: '' },
			meta(2)
		);
		expect(parsed.ok && parsed.value.days).toEqual(stored.days);
		expect(templateSummary(stored)).toEqual([
			'Mon 7:30 AM–12:00 PM; blocked 11:00 AM–11:30 AM',
			'Sat 9:00 AM–12:00 PM'
		]);
	});

	it('copies Monday to the other weekdays without sharing arrays', () => {
		const days = weekdayDrafts();
		days[0]!.hours.intervals[0]!.from = '07:00';
		days[3]!.working = false;
		const copied = copyMondayToWeekdays(days);
		expect(copied.filter((d) => d.weekday >= 1 && d.weekday <= 5).every((d) => d.working)).toBe(true);
		expect(copied.find((d) => d.weekday === 5)?.hours.intervals[0]?.from).toBe('07:00');
		copied[1]!.hours.intervals[0]!.to = '15:00';
		expect(copied[0]!.hours.intervals[0]!.to).toBe('17:00');
		expect(copied.find((d) => d.weekday === 6)).toBe(days.find((d) => d.weekday === 6));
	});

	it('names errors by weekday, and reports overlapping intervals and reversed dates', () => {
		const days = weekdayDrafts();
		const tuesday = days.find((d) => d.weekday === 2)!;
		tuesday.hours.intervals = [
			{ from: '08:00', to: '12:00', typeIds: [] },
			{ from: '11:00', to: '10:00', typeIds: [] }
		];
		const wednesday = days.find((d) => d.weekday === 3)!;
		wednesday.hours.intervals.push({ from: '16:00', to: '18:00', typeIds: [] });
		const parsed = parseTemplate(
			days,
			{ providerId: AMES, effectiveFrom: '2026-12-01', effectiveTo: '2026-11-01' },
			meta(3)
		);
		expect(parsed.ok).toBe(false);
		if (parsed.ok) return;
		expect(parsed.errors['2.intervals.1.to']).toBe('The end must be after the start');
		expect(parsed.errors['3.intervals.1.from']).toBe('Overlaps other hours of this day');
		expect(parsed.errors.effectiveTo).toBe('Ends before it starts');
	});

	it('writes clock times as an office reads them', () => {
		expect(clockText('00:15')).toBe('12:15 AM');
		expect(clockText('12:00')).toBe('12:00 PM');
		expect(clockText('17:45')).toBe('5:45 PM');
	});

	it('finds the template in effect: the latest started one', () => {
		const t = (n: number, from: string, to?: string) =>
			availabilityTemplate.parse({ ...meta(n), providerId: AMES, effectiveFrom: from, effectiveTo: to });
		const list = [t(1, '2026-01-01'), t(2, '2026-12-01'), t(3, '2026-06-01', '2026-06-30')];
		expect(templateInEffect(list, AMES, '2026-11-20')?.id).toBe(id(1));
		expect(templateInEffect(list, AMES, '2026-06-15')?.id).toBe(id(3));
		expect(templateInEffect(list, AMES, '2027-01-01')?.id).toBe(id(2));
		expect(templateInEffect(list, BOND, '2027-01-01')).toBeUndefined();
	});
});

describe('time off and holidays', () => {
	const name = (pid: string) => providers.find((p) => p.id === pid)?.displayName ?? '?';

	it('builds each kind from the form, keeping only its own fields', () => {
		const holiday = parseException(
			{ ...exceptionDraft('holiday', '2026-11-26'), name: 'Thanksgiving' },
			meta(10)
		);
		expect(holiday.ok && holiday.value).toMatchObject({
			kind: 'holiday',
			date: '2026-11-26',
			name: 'Thanksgiving'
		});
		expect(holiday.ok && 'providerId' in holiday.value).toBe(false);

		const vacation = parseException(
			{ ...exceptionDraft('vacation', '2026-12-21', AMES), to: '2026-12-24' },
			meta(11)
		);
		expect(vacation.ok && vacation.value).toEqual({
			...meta(11),
			kind: 'vacation',
			providerId: AMES,
			from: '2026-12-21',
			to: '2026-12-24'
		});

		const block = parseException(
			{ ...exceptionDraft('block', '2026-12-02', BOND), note: ' staff ' },
			meta(12)
		);
		expect(block.ok && block.value).toMatchObject({
			kind: 'block',
			note: 'staff',
			blocked: [{ from: '12:00', to: '13:00', reason: 'meeting' }]
		});

		const dayOff = parseException(
			{
				...exceptionDraft('changed-hours', '2026-12-03', AMES),
				hours: { intervals: [], breaks: [], blocked: [] }
			},
			meta(13)
		);
		expect(dayOff.ok && dayOff.value).toMatchObject({ kind: 'changed-hours', intervals: [] });
	});

	it('refuses a provider-only kind without a provider, and a vacation that ends before it starts', () => {
		const extra = parseException(exceptionDraft('extra-hours', '2026-12-05'), meta(14));
		expect(!extra.ok && extra.errors.providerId).toBe('Choose a provider');
		const vacation = parseException(
			{ ...exceptionDraft('vacation', '2026-12-10', AMES), to: '2026-12-01' },
			meta(15)
		);
		expect(!vacation.ok && vacation.errors.to).toBe('Ends before it starts');
		const noHours = parseException(
			{
				...exceptionDraft('extra-hours', '2026-12-05', AMES),
				hours: { intervals: [], breaks: [], blocked: [] }
			},
			meta(16)
		);
		expect(noHours.ok).toBe(false);
	});

	it('describes exceptions in words and lists the upcoming ones soonest first', () => {
		const list: AvailabilityException[] = [
			{ ...meta(20), kind: 'vacation', providerId: AMES, from: '2026-12-21', to: '2026-12-24' },
			{ ...meta(21), kind: 'holiday', date: '2026-11-26', name: 'Thanksgiving' },
			{ ...meta(22), kind: 'holiday', date: '2026-07-04', name: 'Independence Day' },
			{
				...meta(23),
				kind: 'block',
				providerId: BOND,
				date: '2026-12-02',
				blocked: [{ from: '12:00', to: '13:00', reason: 'meeting', note: 'Staff' }]
			},
			{
				...meta(24),
				kind: 'extra-hours',
				providerId: AMES,
				date: '2026-12-05',
				intervals: [{ from: '09:00', to: '12:00', typeIds: [] }]
			},
			{
				...meta(25),
				kind: 'changed-hours',
				providerId: BOND,
				date: '2026-12-07',
				intervals: [],
				breaks: [],
				blocked: []
			}
		];
		const upcoming = upcomingExceptions(list, '2026-11-20');
		expect(upcoming.map((e) => e.id)).toEqual([id(21), id(23), id(24), id(25), id(20)]);
		expect(upcoming.map((e) => describeException(e, name))).toEqual([
			'Whole clinic — closed Thu, Nov 26, 2026: Thanksgiving',
			'Dr. Bond — blocked Wed, Dec 2, 2026: 12:00 PM–1:00 PM meeting — Staff',
			'Dr. Ames — extra hours Sat, Dec 5, 2026: 9:00 AM–12:00 PM',
			'Dr. Bond — day off Mon, Dec 7, 2026',
			'Dr. Ames — away Mon, Dec 21, 2026 to Thu, Dec 24, 2026'
		]);
	});
});

describe('appointment types', () => {
	it('validates the form and words the number errors for people', () => {
		const ok = parseType(
			{ ...typeDraft(), name: 'New patient visit', durationMinutes: 40, newPatient: true },
			meta(30)
		);
		expect(ok.ok && ok.value).toMatchObject({
			name: 'New patient visit',
			durationMinutes: 40,
			newPatient: true
		});
		expect(ok.ok && 'maxPerDay' in ok.value).toBe(false);
		const bad = parseType(
			{ ...typeDraft(), name: ' ', durationMinutes: 2, maxPerDay: 0, bufferAfterMinutes: undefined },
			meta(31)
		);
		expect(!bad.ok && bad.errors).toEqual({
			name: 'Required',
			durationMinutes: 'Enter 5 to 480 minutes',
			maxPerDay: 'Enter 1 or more, or leave it empty'
		});
		expect(offeredBy({ providerIds: [] }, providers)).toBe('All providers');
		expect(offeredBy({ providerIds: [BOND] }, providers)).toBe('Dr. Bond');
	});
});

describe('day hours editor', () => {
	it('labels every time control of a day with the day and row', () => {
		const { body } = render(DayHoursEditor, {
			props: {
				hours: {
					...weekdayDrafts()[0]!.hours,
					blocked: [{ from: '15:00', to: '16:00', reason: 'charting', note: '' }]
				},
				label: 'Monday',
				idPrefix: 'mon',
				types: [],
				errors: { '1.breaks.0.to': 'The end must be after the start' },
				errorPrefix: '1.'
			}
		});
		for (const text of [
			'Monday hours 1 from',
			'Monday break 1 to',
			'Monday blocked time 1 reason',
			'The end must be after the start'
		])
			expect(body).toContain(text);
		expect(body).toContain('for="mon-intervals-0-from"');
		expect(body).toContain('id="mon-intervals-0-from"');
	});
});
