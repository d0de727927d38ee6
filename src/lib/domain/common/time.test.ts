import { describe, expect, it } from 'vitest';
import {
	addDays,
	localDate,
	localMinutes,
	weekday,
	zonedDayRange,
	zonedTimeToUtc,
	zoneOffsetMinutes
} from './time';

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

describe('cached zone offsets', () => {
	/** The offset straight from Intl, as a person would check it. */
	function reference(ms: number, timeZone: string): number {
		const parts = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric'
		}).formatToParts(new Date(ms));
		const n = (t: string) => Number(parts.find((p) => p.type === t)!.value);
		const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
		return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
	}

	it('agrees with Intl minute by minute around DST changes, and at random instants', () => {
		const zones = [
			'America/Chicago',
			'Australia/Lord_Howe',
			'Asia/Kolkata',
			'Europe/London',
			'America/St_Johns'
		];
		const around = [
			'2026-03-08T08:00:00Z',
			'2026-11-01T07:00:00Z',
			'2026-04-04T15:00:00Z',
			'2026-10-03T15:30:00Z'
		];
		for (const tz of zones) {
			for (const t of around) {
				const base = Date.parse(t);
				for (let m = -90; m <= 90; m++) {
					const ms = base + m * 60_000 + 17_000;
					expect(zoneOffsetMinutes(ms, tz)).toBe(reference(ms, tz));
				}
			}
			let seed = 7;
			for (let i = 0; i < 500; i++) {
				seed = (seed * 1103515245 + 12345) % 2 ** 31;
				const ms = Date.parse('2020-01-01T00:00:00Z') + (seed / 2 ** 31) * 10 * 365 * 86_400_000;
				expect(zoneOffsetMinutes(ms, tz)).toBe(reference(ms, tz));
			}
		}
	});
});
