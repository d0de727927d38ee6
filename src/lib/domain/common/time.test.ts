import { describe, expect, it } from 'vitest';
import { addDays, localDate, localMinutes, weekday, zonedDayRange, zonedTimeToUtc } from './time';

describe('clinic time zone', () => {
	it('converts wall-clock time to UTC on both sides of a DST change', () => {
		expect(zonedTimeToUtc('2026-03-06', 9, 0, 'America/Chicago').toISOString()).toBe(
			'2026-03-06T15:00:00.000Z'
		);
		expect(zonedTimeToUtc('2026-03-09', 9, 0, 'America/Chicago').toISOString()).toBe(
			'2026-03-09T14:00:00.000Z'
		);
		expect(zonedTimeToUtc('2026-11-02', 9, 0, 'America/New_York').toISOString()).toBe(
			'2026-11-02T14:00:00.000Z'
		);
	});

	it('makes the spring-forward day 23 hours and the fall-back day 25 hours long', () => {
		const spring = zonedDayRange('2026-03-08', 'America/Chicago');
		expect((Date.parse(spring.end) - Date.parse(spring.start)) / 3600000).toBe(23);
		const fall = zonedDayRange('2026-11-01', 'America/Chicago');
		expect((Date.parse(fall.end) - Date.parse(fall.start)) / 3600000).toBe(25);
	});

	it('reads the local date and minutes of an instant', () => {
		expect(localDate('2026-12-01T03:30:00Z', 'America/Los_Angeles')).toBe('2026-11-30');
		expect(localMinutes('2026-12-01T15:45:00Z', 'America/Chicago')).toBe(9 * 60 + 45);
	});

	it('adds days across month and year ends and knows the weekday', () => {
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
		expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
		expect(weekday('2026-11-28')).toBe(6);
	});
});
