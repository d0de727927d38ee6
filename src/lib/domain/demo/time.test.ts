import { describe, expect, it } from 'vitest';
import {
	addMonths,
	dayNumber,
	isoDay,
	isoInstant,
	MS_PER_DAY,
	offsetMinutes,
	weekday,
	zonedTimeToUtc
} from './time';

const utc = (iso: string): string => new Date(zonedTimeToUtcIso(iso)).toISOString();
/** `2026-03-09 08:00 America/Chicago` → instant, through the helper under test. */
function zonedTimeToUtcIso(spec: string): number {
	const [date, time, tz] = spec.split(' ') as [string, string, string];
	const [h, m] = time.split(':').map(Number) as [number, number];
	return zonedTimeToUtc(dayNumber(date), h * 60 + m, tz);
}

describe('calendar days', () => {
	it('formats every day from 1899 to 2101 exactly as Date does', () => {
		const wrong: string[] = [];
		for (let day = dayNumber('1899-01-01'); day <= dayNumber('2101-12-31'); day++) {
			const want = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
			if (isoDay(day) !== want) wrong.push(want);
		}
		expect(wrong).toEqual([]);
	});

	it('formats whole-minute and odd instants exactly as toISOString does', () => {
		for (const ms of [0, 1_700_000_040_000, 1_700_000_040_123, -86_340_000, 4_102_444_740_000]) {
			expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
		}
	});

	it('rejects dates that are not on the calendar', () => {
		expect(() => dayNumber('2026-02-30')).toThrow(RangeError);
		expect(() => dayNumber('2026-2-3')).toThrow(RangeError);
		expect(dayNumber('2028-02-29')).toBe(dayNumber('2028-03-01') - 1);
	});

	it('knows the day of the week', () => {
		expect(weekday(dayNumber('2026-11-28'))).toBe(6);
		expect(weekday(dayNumber('1969-12-31'))).toBe(3);
	});

	it('adds months, clamping to the end of shorter months', () => {
		expect(isoDay(addMonths(dayNumber('2026-01-31'), 1))).toBe('2026-02-28');
		expect(isoDay(addMonths(dayNumber('2028-02-29'), -12))).toBe('2027-02-28');
		expect(isoDay(addMonths(dayNumber('2026-11-28'), -36))).toBe('2023-11-28');
	});
});

describe('wall-clock time in a zone', () => {
	it('uses the standard-time offset before and the daylight offset after a spring-forward', () => {
		expect(utc('2026-03-06 08:00 America/Chicago')).toBe('2026-03-06T14:00:00.000Z');
		expect(utc('2026-03-09 08:00 America/Chicago')).toBe('2026-03-09T13:00:00.000Z');
		expect(utc('2026-03-08 08:00 America/Chicago')).toBe('2026-03-08T13:00:00.000Z');
	});

	it('returns to standard time after the autumn change', () => {
		expect(utc('2026-10-30 17:00 America/Chicago')).toBe('2026-10-30T22:00:00.000Z');
		expect(utc('2026-11-02 17:00 America/Chicago')).toBe('2026-11-02T23:00:00.000Z');
	});

	it('handles southern-hemisphere DST and zones with half- and quarter-hour offsets', () => {
		expect(utc('2026-04-06 08:00 Australia/Sydney')).toBe('2026-04-05T22:00:00.000Z');
		expect(utc('2026-04-03 08:00 Australia/Sydney')).toBe('2026-04-02T21:00:00.000Z');
		expect(utc('2026-07-01 08:00 Asia/Kolkata')).toBe('2026-07-01T02:30:00.000Z');
		expect(utc('2026-07-01 08:00 Asia/Kathmandu')).toBe('2026-07-01T02:15:00.000Z');
		expect(utc('2026-07-01 08:00 America/Phoenix')).toBe('2026-07-01T15:00:00.000Z');
	});

	it('reports offsets east and west of UTC', () => {
		expect(offsetMinutes(Date.parse('2026-07-01T12:00:00Z'), 'America/Chicago')).toBe(-300);
		expect(offsetMinutes(Date.parse('2026-01-01T12:00:00Z'), 'Europe/Berlin')).toBe(60);
	});
});
