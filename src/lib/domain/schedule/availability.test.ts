import { describe, expect, it } from 'vitest';
import { zoneOffsetMinutes } from '../common/time';
import { availabilityException, availabilityTemplate, clockMinutes } from './availability-schemas';
import {
	availabilityOn,
	clockToUtc,
	dayClock,
	fastOffsetMinutes,
	normalizeHours,
	utcToClock,
	type AvailabilityContext,
	type ExceptionInput,
	type TemplateInput
} from './availability';

const TZ = 'America/Chicago';
const DR_A = '00000000-0000-4000-8000-00000000000a';
const DR_B = '00000000-0000-4000-8000-00000000000b';
const NEW = '00000000-0000-4000-8000-0000000000e1';
const FOLLOW_UP = '00000000-0000-4000-8000-0000000000e2';
const NOW = '2026-01-01T00:00:00.000Z';

const weekdays = (hours: Omit<TemplateInput['days'][number], 'weekday'>, days = [1, 2, 3, 4, 5]) =>
	days.map((weekday) => ({ weekday, ...hours }));

function template(overrides: Partial<TemplateInput> = {}): TemplateInput {
	return {
		id: 't-' + (overrides.providerId ?? DR_A) + (overrides.effectiveFrom ?? ''),
		providerId: DR_A,
		effectiveFrom: '2026-01-01',
		days: weekdays({ intervals: [{ from: '08:00', to: '17:00' }], breaks: [{ from: '12:00', to: '13:00' }] }),
		...overrides
	};
}

function ctx(templates: TemplateInput[], exceptions: ExceptionInput[] = []): AvailabilityContext {
	return { timeZone: TZ, templates, exceptions };
}

/** [start, end] pairs, for readable expectations. */
const pairs = (xs: { start: string; end: string }[]) => xs.map((x) => [x.start, x.end]);
const hours = (xs: { start: string; end: string }[]) =>
	xs.reduce((sum, x) => sum + (Date.parse(x.end) - Date.parse(x.start)) / 3_600_000, 0);

describe('availability schemas', () => {
	it('parses a weekly template with defaults and refuses bad times and repeated weekdays', () => {
		const base = { id: DR_B, createdAt: NOW, updatedAt: NOW, providerId: DR_A, effectiveFrom: '2026-01-01' };
		const t = availabilityTemplate.parse({
			...base,
			days: [{ weekday: 1, intervals: [{ from: '08:00', to: '12:00', typeIds: [NEW] }] }]
		});
		expect(t.days[0]).toEqual({
			weekday: 1,
			intervals: [{ from: '08:00', to: '12:00', typeIds: [NEW] }],
			breaks: [],
			blocked: []
		});
		const bad = (days: unknown) => availabilityTemplate.safeParse({ ...base, days }).success;
		expect(bad([{ weekday: 1, intervals: [{ from: '12:00', to: '08:00' }] }])).toBe(false);
		expect(bad([{ weekday: 1, intervals: [{ from: '8:00', to: '12:00' }] }])).toBe(false);
		expect(bad([{ weekday: 1, intervals: [{ from: '20:00', to: '24:00' }] }])).toBe(true);
		expect(bad([{ weekday: 1 }, { weekday: 1 }])).toBe(false);
		expect(availabilityTemplate.safeParse({ ...base, effectiveTo: '2025-12-31' }).success).toBe(false);
	});

	it('parses each kind of exception and refuses a vacation that ends before it starts', () => {
		const base = { id: DR_B, createdAt: NOW, updatedAt: NOW };
		expect(availabilityException.parse({ ...base, kind: 'holiday', date: '2026-07-03' })).toMatchObject({
			kind: 'holiday',
			name: ''
		});
		expect(
			availabilityException.parse({
				...base,
				kind: 'changed-hours',
				providerId: DR_A,
				date: '2026-07-06',
				intervals: [{ from: '10:00', to: '14:00' }]
			})
		).toMatchObject({ breaks: [], blocked: [] });
		const vacation = { ...base, kind: 'vacation', providerId: DR_A, from: '2026-07-10', to: '2026-07-01' };
		expect(availabilityException.safeParse(vacation).success).toBe(false);
		expect(availabilityException.safeParse({ ...vacation, to: '2026-07-20' }).success).toBe(true);
		expect(
			availabilityException.safeParse({
				...base,
				kind: 'block',
				providerId: DR_A,
				date: '2026-07-06',
				blocked: [{ from: '09:00', to: '10:00', reason: 'lunch' }]
			}).success
		).toBe(false);
	});

	it('reads clock times as minutes', () => {
		expect(clockMinutes('08:30')).toBe(510);
		expect(clockMinutes('24:00')).toBe(1440);
	});
});

describe('availabilityOn', () => {
	it('turns the weekly template into instants, minus breaks (CST, UTC−6)', () => {
		expect(pairs(availabilityOn(DR_A, '2026-03-02', ctx([template()])))).toEqual([
			['2026-03-02T14:00:00.000Z', '2026-03-02T18:00:00.000Z'],
			['2026-03-02T19:00:00.000Z', '2026-03-02T23:00:00.000Z']
		]);
		expect(availabilityOn({ id: DR_A }, '2026-03-07', ctx([template()]))).toEqual([]); // Saturday
		expect(availabilityOn(DR_B, '2026-03-02', ctx([template()]))).toEqual([]); // no template
	});

	it('subtracts blocked time of any reason and keeps summer hours in local time (CDT, UTC−5)', () => {
		const t = template({
			days: weekdays({
				intervals: [{ from: '08:00', to: '17:00' }],
				blocked: [
					{ from: '08:00', to: '09:00', reason: 'admin' },
					{ from: '15:30', to: '16:00', reason: 'meeting' }
				]
			})
		});
		expect(pairs(availabilityOn(DR_A, '2026-07-01', ctx([t])))).toEqual([
			['2026-07-01T14:00:00.000Z', '2026-07-01T20:30:00.000Z'],
			['2026-07-01T21:00:00.000Z', '2026-07-01T22:00:00.000Z']
		]);
	});

	it('applies the template in force on the date (a change of hours from a date)', () => {
		const old = template();
		const later = template({
			effectiveFrom: '2026-04-01',
			days: weekdays({ intervals: [{ from: '10:00', to: '14:00' }] })
		});
		const c = ctx([later, old]);
		expect(hours(availabilityOn(DR_A, '2026-03-31', c))).toBe(8);
		expect(pairs(availabilityOn(DR_A, '2026-04-01', c))).toEqual([
			['2026-04-01T15:00:00.000Z', '2026-04-01T19:00:00.000Z']
		]);
		const ended = template({ effectiveTo: '2026-02-28' });
		expect(availabilityOn(DR_A, '2026-03-02', ctx([ended]))).toEqual([]);
	});

	it('closes clinic-wide and provider holidays and vacation days', () => {
		const both = [template(), template({ providerId: DR_B })];
		const exceptions: ExceptionInput[] = [
			{ id: 'h1', kind: 'holiday', date: '2026-07-03' },
			{ id: 'h2', kind: 'holiday', date: '2026-07-06', providerId: DR_A },
			{ id: 'v1', kind: 'vacation', providerId: DR_B, from: '2026-07-08', to: '2026-07-10' },
			{ id: 'gone', kind: 'holiday', date: '2026-07-07', deletedAt: NOW }
		];
		const c = ctx(both, exceptions);
		const open = (p: string, d: string) => availabilityOn(p, d, c).length > 0;
		expect([open(DR_A, '2026-07-03'), open(DR_B, '2026-07-03')]).toEqual([false, false]);
		expect([open(DR_A, '2026-07-06'), open(DR_B, '2026-07-06')]).toEqual([false, true]);
		expect(open(DR_A, '2026-07-07')).toBe(true); // the deleted holiday no longer closes it
		expect(['07', '08', '09', '10', '13'].map((d) => open(DR_B, `2026-07-${d}`))).toEqual([
			true,
			false,
			false,
			false,
			true
		]);
	});

	it('adds extra hours, replaces hours on a changed date and blocks one date', () => {
		const exceptions: ExceptionInput[] = [
			{
				id: 'x',
				kind: 'extra-hours',
				providerId: DR_A,
				date: '2026-07-11',
				intervals: [{ from: '09:00', to: '12:00' }]
			},
			{
				id: 'y',
				kind: 'extra-hours',
				providerId: DR_A,
				date: '2026-07-13',
				intervals: [{ from: '17:00', to: '19:00' }]
			},
			{
				id: 'c',
				kind: 'changed-hours',
				providerId: DR_A,
				date: '2026-07-14',
				intervals: [{ from: '13:00', to: '15:00' }]
			},
			{ id: 'off', kind: 'changed-hours', providerId: DR_A, date: '2026-07-15' },
			{
				id: 'b',
				kind: 'block',
				providerId: DR_A,
				date: '2026-07-16',
				blocked: [{ from: '08:00', to: '12:00' }]
			}
		];
		const c = ctx([template()], exceptions);
		expect(pairs(availabilityOn(DR_A, '2026-07-11', c))).toEqual([
			['2026-07-11T14:00:00.000Z', '2026-07-11T17:00:00.000Z']
		]);
		expect(pairs(availabilityOn(DR_A, '2026-07-13', c))).toEqual([
			['2026-07-13T13:00:00.000Z', '2026-07-13T17:00:00.000Z'],
			['2026-07-13T18:00:00.000Z', '2026-07-14T00:00:00.000Z']
		]);
		expect(pairs(availabilityOn(DR_A, '2026-07-14', c))).toEqual([
			['2026-07-14T18:00:00.000Z', '2026-07-14T20:00:00.000Z']
		]);
		expect(availabilityOn(DR_A, '2026-07-15', c)).toEqual([]);
		expect(hours(availabilityOn(DR_A, '2026-07-16', c))).toBe(4);
	});

	it('reports the types allowed in each interval (new patients only in the morning)', () => {
		const t = template({
			days: weekdays({
				intervals: [
					{ from: '08:00', to: '12:00', typeIds: [NEW, FOLLOW_UP] },
					{ from: '12:00', to: '17:00', typeIds: [FOLLOW_UP] }
				]
			})
		});
		const day = availabilityOn(DR_A, '2026-03-02', ctx([t]));
		expect(day.map((d) => d.typeIds)).toEqual([[NEW, FOLLOW_UP].sort(), [FOLLOW_UP]]);
		expect(availabilityOn(DR_A, '2026-03-02', ctx([template()]))[0]!.typeIds).toBe('any');
	});

	it('keeps a 08:00–17:00 day 9 hours long on both DST change days in Chicago', () => {
		const t = template({ days: weekdays({ intervals: [{ from: '08:00', to: '17:00' }] }, [0]) });
		const spring = availabilityOn(DR_A, '2026-03-08', ctx([t]));
		const autumn = availabilityOn(DR_A, '2026-11-01', ctx([t]));
		expect(pairs(spring)).toEqual([['2026-03-08T13:00:00.000Z', '2026-03-08T22:00:00.000Z']]);
		expect(pairs(autumn)).toEqual([['2026-11-01T14:00:00.000Z', '2026-11-01T23:00:00.000Z']]);
	});

	it('measures a night interval across the change by the clock: 3 hours in spring, 5 in autumn', () => {
		const t = template({ days: weekdays({ intervals: [{ from: '00:00', to: '04:00' }] }, [0]) });
		expect(hours(availabilityOn(DR_A, '2026-03-08', ctx([t])))).toBe(3);
		expect(hours(availabilityOn(DR_A, '2026-11-01', ctx([t])))).toBe(5);
		// An interval starting in the skipped hour starts when the clock reaches 03:00 CDT.
		const gap = template({ days: weekdays({ intervals: [{ from: '02:30', to: '04:00' }] }, [0]) });
		expect(pairs(availabilityOn(DR_A, '2026-03-08', ctx([gap])))).toEqual([
			['2026-03-08T08:00:00.000Z', '2026-03-08T09:00:00.000Z']
		]);
	});
});

describe('day clock', () => {
	it('finds the change instant and maps local minutes both ways', () => {
		const spring = dayClock('2026-03-08', TZ);
		expect(new Date(spring.transition).toISOString()).toBe('2026-03-08T08:00:00.000Z');
		expect(new Date(clockToUtc(spring, 150)).toISOString()).toBe('2026-03-08T08:00:00.000Z');
		expect(utcToClock(spring, Date.parse('2026-03-08T08:00:00.000Z'))).toBe(180);
		const autumn = dayClock('2026-11-01', TZ);
		expect(new Date(clockToUtc(autumn, 90)).toISOString()).toBe('2026-11-01T06:30:00.000Z'); // first 01:30
		expect(utcToClock(autumn, Date.parse('2026-11-01T07:30:00.000Z'))).toBe(90); // second 01:30
		expect(dayClock('2026-07-01', TZ).transition).toBe(Infinity);
		const kolkata = dayClock('2026-07-01', 'Asia/Kolkata');
		expect(new Date(clockToUtc(kolkata, 9 * 60)).toISOString()).toBe('2026-07-01T03:30:00.000Z');
	});

	it('reads the same offsets as zoneOffsetMinutes, including half-hour zones and UTC', () => {
		const zones = [
			'America/Chicago',
			'Asia/Kolkata',
			'Asia/Kathmandu',
			'Australia/Lord_Howe',
			'UTC',
			'Pacific/Auckland'
		];
		for (const tz of zones) {
			for (
				let ms = Date.parse('2026-01-01T00:30:00Z');
				ms < Date.parse('2027-01-01T00:00:00Z');
				ms += 7 * 3_600_000 + 60_000
			)
				if (fastOffsetMinutes(ms, tz) !== zoneOffsetMinutes(ms, tz))
					throw new Error(`${tz} at ${new Date(ms).toISOString()}`);
		}
		const lordHowe = dayClock('2026-10-04', 'Australia/Lord_Howe'); // clocks go forward 30 minutes at 02:00
		expect(lordHowe.offAfter - lordHowe.offBefore).toBe(30);
		expect(new Date(clockToUtc(lordHowe, 135)).toISOString()).toBe(
			new Date(lordHowe.transition).toISOString()
		);
	});

	it('normalizes overlapping intervals into the union of their types', () => {
		const out = normalizeHours(
			[
				{ from: '08:00', to: '12:00', typeIds: ['b'] },
				{ from: '10:00', to: '14:00', typeIds: ['a'] }
			],
			[{ from: '11:00', to: '11:30' }]
		);
		expect(out).toEqual([
			{ from: 480, to: 600, types: ['b'] },
			{ from: 600, to: 660, types: ['a', 'b'] },
			{ from: 690, to: 720, types: ['a', 'b'] },
			{ from: 720, to: 840, types: ['a'] }
		]);
	});
});
