import { describe, expect, it } from 'vitest';
import { slotInstant } from './grid-time';
import { shadeDay } from './grid-hours';
import { CHICAGO } from './test-fixtures';

describe('working-hours shading', () => {
	const range = { startMin: 420, endMin: 1140 };
	const at = (h: number, m = 0) => slotInstant('2026-06-10', h * 60 + m, CHICAGO);

	it('shades outside the working hours and marks breaks', () => {
		const shades = shadeDay(
			[
				{ start: at(8), end: at(12), kind: 'work' },
				{ start: at(13), end: at(17), kind: 'work' },
				{ start: at(10), end: at(10, 15), kind: 'break', label: 'Coffee' }
			],
			'2026-06-10',
			CHICAGO,
			range,
			true
		);
		expect(shades).toEqual([
			{ startMin: 420, endMin: 480, kind: 'off' },
			{ startMin: 720, endMin: 780, kind: 'off' },
			{ startMin: 1020, endMin: 1140, kind: 'off' },
			{ startMin: 600, endMin: 615, kind: 'break', label: 'Coffee' }
		]);
	});

	it('shades a known day off entirely and an unknown day not at all', () => {
		expect(shadeDay([], '2026-06-10', CHICAGO, range, true)).toEqual([
			{ startMin: 420, endMin: 1140, kind: 'off' }
		]);
		expect(shadeDay([], '2026-06-10', CHICAGO, range, false)).toEqual([]);
	});
});
