import { describe, expect, it } from 'vitest';
import { durationText, hourLabel, skippedMinutes, slotStarts, visibleRange } from './grid-time';
import { CHICAGO, FALL, SPRING } from './test-fixtures';

describe('visible hours', () => {
	it('is 07:00–19:00 by default and widens to whole hours', () => {
		expect(visibleRange([])).toEqual({ startMin: 420, endMin: 1140 });
		expect(visibleRange([{ startMin: 405, endMin: 435 }])).toEqual({ startMin: 360, endMin: 1140 });
		expect(visibleRange([{ startMin: 1140, endMin: 1170 }])).toEqual({ startMin: 420, endMin: 1200 });
		expect(visibleRange([{ startMin: 1380, endMin: 1440 }])).toEqual({ startMin: 420, endMin: 1440 });
	});
});

describe('labels', () => {
	it('formats hours and lengths', () => {
		expect(hourLabel(780)).toBe('1 PM');
		expect(durationText(30)).toBe('30 minutes');
		expect(durationText(60)).toBe('1 hour');
		expect(durationText(75)).toBe('1 hour 15 minutes');
		expect(durationText(125)).toBe('2 hours 5 minutes');
	});
});

describe('slot starts', () => {
	it('gives every slot its instant, and none to the skipped hour', () => {
		const minutes = [60, 120, 150, 180, 540];
		expect(slotStarts(SPRING, minutes, CHICAGO)).toEqual([
			'2026-03-08T07:00:00.000Z',
			'',
			'',
			'2026-03-08T08:00:00.000Z',
			'2026-03-08T14:00:00.000Z'
		]);
		expect(slotStarts('2026-06-10', [540], CHICAGO)).toEqual(['2026-06-10T14:00:00.000Z']);
		expect(slotStarts(FALL, [60, 540], CHICAGO)).toEqual([
			'2026-11-01T06:00:00.000Z',
			'2026-11-01T15:00:00.000Z'
		]);
	});
});

describe('skipped minutes', () => {
	it('names only the wall-clock times a spring-forward day skips', () => {
		const minutes = [60, 120, 150, 180, 540];
		expect(skippedMinutes(SPRING, minutes, CHICAGO)).toEqual([120, 150]);
		expect(skippedMinutes('2026-06-10', minutes, CHICAGO)).toEqual([]);
		expect(skippedMinutes(FALL, minutes, CHICAGO)).toEqual([]);
	});
});
