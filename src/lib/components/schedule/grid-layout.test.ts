import { describe, expect, it } from 'vitest';
import { minutesOnDate, slotExists, slotInstant, slotMinutesOf } from './grid-time';
import {
	assignLanes,
	columnLayouts,
	type ColumnModel,
	layoutBlocks,
	reuseColumns,
	stableColumns
} from './grid-layout';
import { sameOrNew } from './grid-marks';
import { targetTimes } from './grid-moves';
import { appt, blockSource, CHICAGO, FALL, SPRING } from './test-fixtures';

const source = blockSource;

describe('lanes', () => {
	it('gives non-overlapping items one lane each', () => {
		const lanes = assignLanes([
			{ id: 'a', startMin: 540, endMin: 570 },
			{ id: 'b', startMin: 570, endMin: 600 }
		]);
		expect(lanes.get('a')).toEqual({ lane: 0, lanes: 1 });
		expect(lanes.get('b')).toEqual({ lane: 0, lanes: 1 });
	});

	it('puts overlapping items side by side and reuses a freed lane', () => {
		const lanes = assignLanes([
			{ id: 'c', startMin: 570, endMin: 600 },
			{ id: 'a', startMin: 540, endMin: 600 },
			{ id: 'b', startMin: 540, endMin: 570 },
			{ id: 'd', startMin: 660, endMin: 690 }
		]);
		// a (longest) first, b beside it, c reuses b's lane once b ends; d is a new group.
		expect(lanes.get('a')).toEqual({ lane: 0, lanes: 2 });
		expect(lanes.get('b')).toEqual({ lane: 1, lanes: 2 });
		expect(lanes.get('c')).toEqual({ lane: 1, lanes: 2 });
		expect(lanes.get('d')).toEqual({ lane: 0, lanes: 1 });
	});

	it('counts lanes per group of transitively overlapping items', () => {
		const lanes = assignLanes([
			{ id: 'a', startMin: 0, endMin: 30 },
			{ id: 'b', startMin: 10, endMin: 40 },
			{ id: 'c', startMin: 20, endMin: 50 },
			{ id: 'd', startMin: 45, endMin: 60 }
		]);
		expect([...lanes.values()].map((l) => l.lanes)).toEqual([3, 3, 3, 3]);
		expect(lanes.get('d')?.lane).toBe(0);
	});

	it('is the same whatever the input order', () => {
		const items = Array.from({ length: 30 }, (_, i) => ({
			id: `x${i}`,
			startMin: (i * 37) % 300,
			endMin: ((i * 37) % 300) + 15 + ((i * 13) % 60)
		}));
		const a = assignLanes(items);
		const b = assignLanes([...items].reverse());
		expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
		// No two overlapping items share a lane.
		for (const x of items)
			for (const y of items)
				if (x !== y && x.startMin < y.endMin && y.startMin < x.endMin)
					expect(a.get(x.id)?.lane).not.toBe(a.get(y.id)?.lane);
	});
});

describe('positions on daylight-saving days (America/Chicago)', () => {
	it('puts 9:00 on the 9:00 line on the spring-forward day, not 8 hours after midnight', () => {
		// 9:00 CDT = 14:00Z; local midnight was 06:00Z (CST), 8 real hours earlier.
		expect(minutesOnDate('2026-03-08T14:00:00Z', SPRING, CHICAGO)).toBe(540);
		expect(slotInstant(SPRING, 540, CHICAGO)).toBe('2026-03-08T14:00:00.000Z');
		expect(slotInstant(SPRING, 60, CHICAGO)).toBe('2026-03-08T07:00:00.000Z');
	});

	it('puts 9:00 on the 9:00 line on the fall-back day, not 10 hours after midnight', () => {
		// 9:00 CST = 15:00Z; local midnight was 05:00Z (CDT), 10 real hours earlier.
		expect(minutesOnDate('2026-11-01T15:00:00Z', FALL, CHICAGO)).toBe(540);
		expect(slotInstant(FALL, 540, CHICAGO)).toBe('2026-11-01T15:00:00.000Z');
	});

	it('knows the skipped hour does not exist and every other slot does', () => {
		expect(slotExists(SPRING, 120, CHICAGO)).toBe(false);
		expect(slotExists(SPRING, 150, CHICAGO)).toBe(false);
		expect(slotExists(SPRING, 180, CHICAGO)).toBe(true);
		expect(slotExists(SPRING, 90, CHICAGO)).toBe(true);
		expect(slotExists(FALL, 90, CHICAGO)).toBe(true);
		const skipped = slotMinutesOf(0, 1440, 15).filter((m) => !slotExists(SPRING, m, CHICAGO));
		expect(skipped).toEqual([120, 135, 150, 165]);
		expect(slotMinutesOf(0, 1440, 15).filter((m) => !slotExists(FALL, m, CHICAGO))).toEqual([]);
	});

	it('lays out blocks by wall clock and keeps real lengths', () => {
		const blocks = layoutBlocks(
			[
				appt('2026-03-08T14:00:00Z', '2026-03-08T14:30:00Z'),
				// 1:30 CST → 3:30 CDT: one real hour over the gap.
				appt('2026-03-08T07:30:00Z', '2026-03-08T08:30:00Z')
			],
			SPRING,
			CHICAGO,
			{ slotMinutes: 15, canWrite: true, source }
		);
		expect(blocks.map((b) => [b.startMin, b.endMin, b.durationMin])).toEqual([
			[540, 570, 30],
			[90, 210, 60]
		]);
	});

	it('keeps the length of a move across the clock change', () => {
		expect(targetTimes(SPRING, 90, 60, CHICAGO)).toEqual({
			start: '2026-03-08T07:30:00.000Z',
			end: '2026-03-08T08:30:00.000Z'
		});
		expect(targetTimes(FALL, 600, 30, CHICAGO)).toEqual({
			start: '2026-11-01T16:00:00.000Z',
			end: '2026-11-01T16:30:00.000Z'
		});
	});

	it('clamps appointments crossing midnight to the date', () => {
		const [b] = layoutBlocks(
			[appt('2026-11-02T04:00:00Z', '2026-11-02T07:00:00Z')], // 22:00 → 01:00 CST
			FALL,
			CHICAGO,
			{ slotMinutes: 15, canWrite: true, source }
		);
		expect(b).toMatchObject({ startMin: 1320, endMin: 1440, durationMin: 180 });
		const [next] = layoutBlocks(
			[appt('2026-11-02T04:00:00Z', '2026-11-02T07:00:00Z')],
			'2026-11-02',
			CHICAGO,
			{
				slotMinutes: 15,
				canWrite: true,
				source
			}
		);
		expect(next).toMatchObject({ startMin: 0, endMin: 60 });
	});

	it('hands back the same block and column objects for what did not change', () => {
		const opts = { slotMinutes: 15, canWrite: true, source };
		const a = appt('2026-11-02T15:00:00Z', '2026-11-02T15:30:00Z');
		const b = appt('2026-11-02T16:00:00Z', '2026-11-02T16:30:00Z');
		const first = layoutBlocks([a, b], '2026-11-02', CHICAGO, opts);
		const movedB = { ...b, start: '2026-11-02T17:00:00Z', end: '2026-11-02T17:30:00Z' };
		const second = layoutBlocks([a, movedB], '2026-11-02', CHICAGO, opts);
		expect(second[0]).toBe(first[0]);
		expect(second[1]).not.toBe(first[1]);
		expect(second[1]).toMatchObject({ startMin: 660 });
		// A lane change (a new overlap) is a change of the block, even for the same appointment.
		const over = appt('2026-11-02T15:15:00Z', '2026-11-02T15:45:00Z');
		const third = layoutBlocks([a, movedB, over], '2026-11-02', CHICAGO, opts);
		expect(third[0]).not.toBe(first[0]);
		expect(third[0]).toMatchObject({ lane: 0, lanes: 2 });

		const column = (blocks: typeof first, key = 'p'): ColumnModel => ({
			key,
			id: key,
			date: '2026-11-02',
			heading: 'Dr. Example',
			where: 'with Dr. Example',
			acceptsMoves: true,
			shading: [{ kind: 'off', startMin: 0, endMin: 480 }],
			blocks
		});
		const before = [column(first), column(first, 'q')];
		const after = reuseColumns(before, [column(second), column([...first], 'q')]);
		expect(after[0]).not.toBe(before[0]);
		expect(after[1]).toBe(before[1]);
		expect(reuseColumns(before, [column(first), { ...column(first, 'q'), heading: 'Renamed' }])[1]).not.toBe(
			before[1]
		);
		// A view's helper remembers its last columns between calls.
		const reuse = stableColumns();
		const one = reuse([column(first), column(first, 'q')]);
		const two = reuse([column(second), column([...first], 'q')]);
		expect(two[0]).not.toBe(one[0]);
		expect(two[1]).toBe(one[1]);
		expect(reuse([column(second), column(first, 'q')])).toEqual(two);
		expect(reuse([column(second), column(first, 'q')])[0]).toBe(two[0]);
	});

	it('lays out again only a column whose appointments changed', () => {
		const opts = { slotMinutes: 15, canWrite: true, source };
		const a = appt('2026-11-02T15:00:00Z', '2026-11-02T15:30:00Z');
		const b = appt('2026-11-02T16:00:00Z', '2026-11-02T16:30:00Z');
		const layout = columnLayouts();
		const p1 = layout('p', [a, b], '2026-11-02', CHICAGO, opts);
		const q1 = layout('q', [b], '2026-11-02', CHICAGO, opts);
		// A new array with the same records: the same blocks array.
		expect(layout('p', [a, b], '2026-11-02', CHICAGO, opts)).toBe(p1);
		const movedB = { ...b, start: '2026-11-02T17:00:00Z', end: '2026-11-02T17:30:00Z' };
		const p2 = layout('p', [a, movedB], '2026-11-02', CHICAGO, opts);
		expect(p2).not.toBe(p1);
		expect(p2[0]).toBe(p1[0]);
		expect(p2[1]).toMatchObject({ startMin: 660 });
		expect(layout('q', [b], '2026-11-02', CHICAGO, opts)).toBe(q1);
		// Another date, or other options (names, rights), lay out again.
		expect(layout('q', [b], '2026-11-03', CHICAGO, opts)).toEqual([]);
		expect(layout('p', [a, movedB], '2026-11-02', CHICAGO, { ...opts, canWrite: false })[0]).toMatchObject({
			movable: false
		});
	});

	it('keeps a map whose entries did not change', () => {
		const prev = new Map([['a', 'Double-booked']]);
		expect(sameOrNew(prev, new Map([['a', 'Double-booked']]))).toBe(prev);
		const changed = new Map([['a', 'Outside working hours']]);
		expect(sameOrNew(prev, changed)).toBe(changed);
		const more = new Map([
			['a', 'Double-booked'],
			['b', 'Double-booked']
		]);
		expect(sameOrNew(prev, more)).toBe(more);
	});

	it('leaves out appointments of other dates and marks what can move', () => {
		const blocks = layoutBlocks(
			[
				appt('2026-11-02T15:00:00Z', '2026-11-02T15:30:00Z'),
				appt('2026-11-01T15:00:00Z', '2026-11-01T15:30:00Z', { status: 'completed' }),
				appt('2026-11-01T16:00:00Z', '2026-11-01T16:30:00Z', {
					status: 'arrived',
					arrivedAt: '2026-11-01T15:55:00Z'
				})
			],
			FALL,
			CHICAGO,
			{ slotMinutes: 15, canWrite: true, source }
		);
		expect(blocks.map((b) => b.movable)).toEqual([false, true]);
		const readOnly = layoutBlocks([appt('2026-11-01T16:00:00Z', '2026-11-01T16:30:00Z')], FALL, CHICAGO, {
			slotMinutes: 15,
			canWrite: false,
			source
		});
		expect(readOnly[0]?.movable).toBe(false);
	});

	it('lays short blocks out by their height on screen, so they do not cover each other', () => {
		// Two 5-minute visits back to back on a 30-minute grid are each taller than 5 minutes.
		const blocks = layoutBlocks(
			[
				appt('2026-11-01T15:00:00Z', '2026-11-01T15:05:00Z'),
				appt('2026-11-01T15:05:00Z', '2026-11-01T15:10:00Z')
			],
			FALL,
			CHICAGO,
			{ slotMinutes: 30, canWrite: true, source }
		);
		expect(blocks.map((b) => [b.lane, b.lanes])).toEqual([
			[0, 2],
			[1, 2]
		]);
	});
});
