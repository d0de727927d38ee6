import { describe, expect, it } from 'vitest';
import {
	longDate,
	minuteLabel,
	shortDate,
	slotText,
	statusWord,
	timeRange,
	WEEKDAY_ORDER,
	weekdayLong,
	weekdayShort
} from './format';
import { at, TZ } from './test-fixtures';

describe('schedule words', () => {
	it('writes dates and weekdays', () => {
		expect(shortDate('2026-12-01')).toBe('Tue Dec 1');
		expect(longDate('2026-11-28')).toBe('Saturday, November 28, 2026');
		expect(WEEKDAY_ORDER.map(weekdayShort).join(' ')).toBe('Mon Tue Wed Thu Fri Sat Sun');
		expect(weekdayLong(0)).toBe('Sunday');
		expect(weekdayShort(7)).toBe('');
	});

	it('writes time ranges and slots in the clinic zone', () => {
		expect(timeRange(at('2026-12-01T09:00'), at('2026-12-01T09:30'), TZ)).toBe('9:00–9:30 AM');
		expect(timeRange(at('2026-12-01T11:30'), at('2026-12-01T12:15'), TZ)).toBe('11:30 AM–12:15 PM');
		expect(timeRange('2026-12-01T17:30:00.000Z', '2026-12-01T18:15:00.000Z', TZ)).toBe('11:30 AM–12:15 PM');
		expect(slotText(at('2026-12-01T14:05'), TZ)).toBe('Tue Dec 1, 2:05 PM');
		expect(slotText('2026-12-01T15:15:00.000Z', TZ)).toBe('Tue Dec 1, 9:15 AM');
	});

	it('writes wall-clock minutes and statuses', () => {
		expect(minuteLabel(570)).toBe('9:30 AM');
		expect(minuteLabel(0)).toBe('12:00 AM');
		expect(minuteLabel(720)).toBe('12:00 PM');
		expect(minuteLabel(1439)).toBe('11:59 PM');
		expect(minuteLabel(1440)).toBe('12:00 AM');
		expect(statusWord('in-room')).toBe('in room');
		expect(statusWord('no-show')).toBe('no-show');
		expect(statusWord('odd')).toBe('odd');
	});
});
