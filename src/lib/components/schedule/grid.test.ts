import { render } from 'svelte/server';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Appointment } from '$lib/domain';
import type { Conflict } from '$lib/domain/schedule/conflicts';
import { availabilityTemplate } from '$lib/domain/schedule/availability-schemas';
import {
	assignLanes,
	columnAt,
	conflictTexts,
	dragLength,
	dragStart,
	durationText,
	hourLabel,
	initials,
	keyLength,
	keyStep,
	layoutBlocks,
	minutesOnDate,
	presenceByRecord,
	pxPerMinute,
	reuseColumns,
	skippedMinutes,
	sameOrNew,
	columnLayouts,
	stableColumns,
	shadeDay,
	slotExists,
	slotInstant,
	slotMinutesOf,
	slotStarts,
	snap,
	stepSlot,
	targetTimes,
	visibleRange,
	describeMove,
	keyMove,
	planMove,
	pointerMove,
	startMove,
	type ColumnModel
} from './grid';
import {
	appointment,
	appointmentType,
	at,
	canWrite,
	provider,
	room,
	useTestWorkspace
} from './test-fixtures';

const CHICAGO = 'America/Chicago';
const SPRING = '2026-03-08'; // 2:00 CST → 3:00 CDT
const FALL = '2026-11-01'; // 2:00 CDT → 1:00 CST

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function appt(start: string, end: string, over: Partial<Appointment> = {}): Appointment {
	return appointment({ id: uuid(), patientId: uuid(), providerId: 'p', typeId: 't', start, end, ...over });
}

const source = {
	patient: () => 'Pat Example',
	type: () => ({ name: 'Checkup', color: '#1d4ed8' })
};

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

describe('visible hours', () => {
	it('is 07:00–19:00 by default and widens to whole hours', () => {
		expect(visibleRange([])).toEqual({ startMin: 420, endMin: 1140 });
		expect(visibleRange([{ startMin: 405, endMin: 435 }])).toEqual({ startMin: 360, endMin: 1140 });
		expect(visibleRange([{ startMin: 1140, endMin: 1170 }])).toEqual({ startMin: 420, endMin: 1200 });
		expect(visibleRange([{ startMin: 1380, endMin: 1440 }])).toEqual({ startMin: 420, endMin: 1440 });
	});
});

describe('snapping and steps', () => {
	it('snaps to the nearest slot', () => {
		expect(snap(547, 15)).toBe(540);
		expect(snap(548, 15)).toBe(555);
		expect(snap(547, 10)).toBe(550);
		expect(snap(547, 5)).toBe(545);
		expect(snap(547, 20)).toBe(540);
		expect(snap(547, 30)).toBe(540);
	});

	it('steps an off-grid time onto the grid', () => {
		expect(stepSlot(547, 15, 1)).toBe(555);
		expect(stepSlot(547, 15, -1)).toBe(540);
		expect(stepSlot(540, 15, 1)).toBe(555);
		expect(stepSlot(540, 15, -1)).toBe(525);
	});

	it('drags a block by whole slots within the visible hours', () => {
		const range = { startMin: 420, endMin: 1140 };
		const block = { startMin: 540, durationMin: 30 };
		const px = pxPerMinute(15);
		expect(dragStart(block, 0, 15, range)).toBe(540);
		expect(dragStart(block, 7 * px, 15, range)).toBe(540);
		expect(dragStart(block, 8 * px, 15, range)).toBe(555);
		expect(dragStart(block, -60 * px, 15, range)).toBe(480);
		expect(dragStart(block, -1000 * px, 15, range)).toBe(420);
		expect(dragStart(block, 1000 * px, 15, range)).toBe(1110);
		// A 20-minute visit cannot start at 18:45: the latest on the grid is 18:30.
		expect(dragStart({ startMin: 540, durationMin: 20 }, 1000 * px, 15, range)).toBe(1110);
	});

	it('resizes to the grid with at least one slot', () => {
		const range = { startMin: 420, endMin: 1140 };
		const px = pxPerMinute(10);
		expect(dragLength({ startMin: 540, durationMin: 30 }, 10 * px, 10, range)).toBe(40);
		expect(dragLength({ startMin: 540, durationMin: 30 }, -100 * px, 10, range)).toBe(10);
		expect(dragLength({ startMin: 540, durationMin: 30 }, 2000 * px, 10, range)).toBe(600);
		// Off the grid: the end goes onto it, but never under one slot after the start.
		expect(dragLength({ startMin: 547, durationMin: 30 }, -100 * px, 10, range)).toBe(10);
		expect(dragLength({ startMin: 547, durationMin: 30 }, -15 * px, 10, range)).toBe(13);
	});

	it('moves and resizes by keyboard steps inside the range', () => {
		const range = { startMin: 420, endMin: 1140 };
		expect(keyStep({ startMin: 540, durationMin: 30 }, 1, 15, range)).toBe(555);
		expect(keyStep({ startMin: 420, durationMin: 30 }, -1, 15, range)).toBe(420);
		expect(keyStep({ startMin: 1110, durationMin: 30 }, 1, 15, range)).toBe(1110);
		expect(keyLength({ startMin: 540, durationMin: 30 }, 1, 15, range)).toBe(45);
		expect(keyLength({ startMin: 540, durationMin: 15 }, -1, 15, range)).toBe(15);
		expect(keyLength({ startMin: 540, durationMin: 20 }, -1, 15, range)).toBe(15);
	});

	it('finds the column under the pointer, or the nearest one', () => {
		const cols = [
			{ left: 100, right: 200 },
			{ left: 200, right: 300 },
			{ left: 300, right: 400 }
		];
		expect(columnAt(150, cols)).toBe(0);
		expect(columnAt(250, cols)).toBe(1);
		expect(columnAt(50, cols)).toBe(0);
		expect(columnAt(999, cols)).toBe(2);
		expect(columnAt(10, [])).toBe(-1);
	});
});

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

describe('conflicts and presence', () => {
	it('names open conflicts per appointment and ignores resolved ones', () => {
		const c = (kind: Conflict['kind'], ids: string[], resolved = false): Conflict => ({
			id: `${kind}${ids.join()}`,
			kind,
			appointmentIds: ids,
			resourceId: 'r',
			start: '',
			end: '',
			resolved
		});
		const texts = conflictTexts([
			c('provider-overlap', ['a', 'b']),
			c('over-break', ['a']),
			c('room-overlap', ['c', 'd'], true)
		]);
		expect(texts.get('a')).toBe('Double-booked, Over a break');
		expect(texts.get('b')).toBe('Double-booked');
		expect(texts.has('c')).toBe(false);
	});

	it('badges colleagues who have an appointment open on the schedule', () => {
		const map = presenceByRecord([
			{
				clientId: 1,
				user: { name: 'Ann Lee', color: '#0f766e' },
				view: { screen: 'schedule', recordId: 'a' }
			},
			{ clientId: 2, user: { name: 'Bo', color: '#7c3aed' }, view: { screen: 'patients', recordId: 'a' } },
			{ clientId: 3, user: { name: 'Cy Di Ex', color: '#b45309' }, view: { screen: 'schedule' } }
		]);
		expect(map.get('a')).toEqual([{ key: 1, name: 'Ann Lee', color: '#0f766e', initials: 'AL' }]);
		expect(map.size).toBe(1);
		expect(initials('Bo')).toBe('BO');
		expect(initials('Cy Di Ex')).toBe('CE');
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

describe('day and week views (server render)', () => {
	const id = (k: number) => `00000000-0000-4000-9000-${String(k).padStart(12, '0')}`;
	const [P1, P2, T1, R1, R2] = [id(1), id(2), id(3), id(4), id(5)];
	const booking = (start: string, end: string, over: Partial<Appointment> = {}) =>
		appt(at(start), at(end), { providerId: P1, typeId: T1, ...over });

	useTestWorkspace(() => ({
		providers: [
			provider(P1, 'Ada Vell'),
			provider(P2, 'Bo Tran'),
			provider(id(6), 'Old Doc', { active: false })
		],
		rooms: [room(R1, 'Exam 1'), room(R2, 'Storage', { bookable: false })],
		appointmentTypes: [appointmentType(T1)]
	}));

	beforeAll(async () => {
		const { patients } = await import('$lib/state');
		vi.spyOn(patients, 'nameOf').mockImplementation(() => 'Quinn Example');
	});

	async function show(appointments: Appointment[], conflicts: Conflict[] = []) {
		const { schedule } = await import('$lib/state');
		schedule.day = '2026-12-01';
		schedule.from = '2026-11-29';
		schedule.to = '2026-12-06';
		schedule.appointments = appointments;
		schedule.conflicts = conflicts;
		return schedule;
	}

	it('shows one column per active provider, with full accessible names and no withdrawn bookings', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const a = booking('2026-12-01T09:30', '2026-12-01T10:00');
		const gone = booking('2026-12-01T11:00', '2026-12-01T11:30', {
			status: 'cancelled',
			cancelReason: 'Ill'
		});
		await show([a, gone]);
		await canWrite(false);
		const out = render(DayView, { props: {} }).body;
		expect(out.match(/<h2[^>]*>/g)).toHaveLength(2);
		expect(out).toContain('Ada Vell');
		expect(out).not.toContain('Old Doc');
		expect(out.match(/data-testid="appointment"/g)).toHaveLength(1);
		expect(out).toContain(`data-appointment-id="${a.id}"`);
		expect(out).toContain('aria-label="9:30 AM, 30 minutes, Quinn Example, Follow-up visit, Booked"');
		// Read-only: no slots to book, no move help.
		expect(out).not.toContain('data-slot-start');
		expect(out).not.toContain('Keyboard');
		const all = render(DayView, { props: { showCancelled: true } }).body;
		expect(all.match(/data-testid="appointment"/g)).toHaveLength(2);
		expect(all).toContain('data-status="cancelled"');
	});

	it('gives writers one bookable cell (arrow keys move it) and a clickable group of rows per column', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		await show([]);
		await canWrite(true);
		const out = render(DayView, { props: {} }).body;
		// Not a button per slot (48 per provider here): one cell in the whole grid, at 8:00 on a day
		// that is not today, in the first column.
		expect(out.match(/<button[^>]*class="slot cell/g)).toHaveLength(1);
		expect(out.match(/data-slot-start=/g)).toHaveLength(1);
		expect(out).toContain(`data-slot-start="${at('2026-12-01T08:00')}"`);
		expect(out).toContain('aria-label="Book 8:00 AM with Ada Vell"');
		expect(out.match(/role="group" aria-label="Free slots with [^"]*"/g)).toEqual([
			'role="group" aria-label="Free slots with Ada Vell"',
			'role="group" aria-label="Free slots with Bo Tran"'
		]);
		expect(out).toContain(`data-column="${P2}"`);
		expect(out).toContain('Keyboard');
	});

	it('widens the hours to an early appointment and marks conflicts and colleagues', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const { workspace } = await import('$lib/state');
		const a = booking('2026-12-01T06:15', '2026-12-01T06:45');
		const b = booking('2026-12-01T06:30', '2026-12-01T07:00');
		await show(
			[a, b],
			[
				{
					id: 'c',
					kind: 'provider-overlap',
					appointmentIds: [a.id, b.id],
					resourceId: P1,
					start: b.start,
					end: a.end,
					resolved: false
				}
			]
		);
		workspace.sync.peers = [
			{
				clientId: 7,
				user: { id: 'ann-lee', name: 'Ann Lee', color: '#0f766e', deviceId: 'ws-0123456789' },
				view: { screen: 'schedule', recordId: a.id }
			}
		];
		await canWrite(true);
		const out = render(DayView, { props: {} }).body;
		expect(out).toContain('>6 AM<');
		expect(out.match(/data-testid="conflict-marker"/g)).toHaveLength(2);
		expect(out).toContain('Double-booked');
		expect(out.match(/data-testid="appointment-presence"/g)).toHaveLength(1);
		expect(out).toContain('title="Open by Ann Lee"');
		expect(out).toContain('open by Ann Lee"');
		// Overlapping bookings side by side.
		expect(out).toContain('--lanes: 2');
		workspace.sync.peers = [];
	});

	it("shades the hours outside a provider's template, and only for that provider", async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const { schedule } = await import('$lib/state');
		await show([booking('2026-12-01T09:00', '2026-12-01T09:30')]);
		await canWrite(true);
		schedule.templates = [
			availabilityTemplate.parse({
				id: id(50),
				createdAt: '2026-11-20T15:00:00.000Z',
				updatedAt: '2026-11-20T15:00:00.000Z',
				providerId: P1,
				effectiveFrom: '2026-01-01',
				// 2026-12-01 is a Tuesday.
				days: [
					{
						weekday: 2,
						intervals: [{ from: '09:00', to: '17:00' }],
						breaks: [{ from: '12:00', to: '13:00' }]
					}
				]
			})
		];
		try {
			const out = render(DayView, { props: {} }).body;
			// Ada Vell: before 9 and after 5 off, a lunch break; Bo Tran has no hours entered: no shading.
			expect(out.match(/class="shade off/g)).toHaveLength(2);
			expect(out.match(/class="shade break/g)).toHaveLength(1);
		} finally {
			schedule.templates = [];
		}
	});

	it('shows rooms and a "No room" column in rooms mode', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		await show([
			booking('2026-12-01T09:00', '2026-12-01T09:30', { roomId: R1 }),
			booking('2026-12-01T10:00', '2026-12-01T10:30')
		]);
		await canWrite(true);
		const out = render(DayView, { props: { mode: 'rooms' } }).body;
		expect(out).toContain('Exam 1');
		expect(out).not.toContain('Storage');
		expect(out).toContain('No room');
		expect(out).toContain(`data-column="${R1}"`);
		expect(out).toContain('aria-label="Book 8:00 AM in Exam 1"');
	});

	it('shows a week of one provider in seven day columns', async () => {
		const { default: WeekView } = await import('./WeekView.svelte');
		await show([
			booking('2026-12-01T09:00', '2026-12-01T09:30'),
			booking('2026-12-03T09:00', '2026-12-03T09:30'),
			booking('2026-12-03T09:00', '2026-12-03T09:30', { providerId: P2 })
		]);
		await canWrite(true);
		const out = render(WeekView, { props: { providerId: P1 } }).body;
		expect(out.match(/<h2[^>]*>/g)).toHaveLength(7);
		expect(out).toContain('Tue, 12/1');
		expect(out.match(/data-testid="appointment"/g)).toHaveLength(2);
		expect(out).toContain('aria-label="Book 8:00 AM on Sunday, November 29"');
		expect(out).toContain('Week of Sunday, November 29 for Ada Vell');
	});

	it('renders 5 providers × 40 appointments quickly', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const { workspace } = await import('$lib/state');
		const saved = workspace.providers;
		const ids = [1, 2, 3, 4, 5].map((k) => id(100 + k));
		workspace.providers = ids.map((pid, k) => provider(pid, `Doc ${'ABCDE'[k]}`));
		const list: Appointment[] = [];
		for (const pid of ids)
			for (let i = 0; i < 40; i++) {
				const start = Date.parse(at('2026-12-01T07:00')) + i * 15 * 60000;
				list.push(
					appt(
						new Date(start).toISOString(),
						new Date(start + (i % 3 === 0 ? 45 : 15) * 60000).toISOString(),
						{
							providerId: pid,
							typeId: T1
						}
					)
				);
			}
		await show(list);
		await canWrite(true);
		render(DayView, { props: {} }); // warm-up: compiles and caches formatters
		const t0 = performance.now();
		const out = render(DayView, { props: {} }).body;
		const ms = performance.now() - t0;
		expect(out.match(/data-testid="appointment"/g)).toHaveLength(200);
		expect(ms).toBeLessThan(500);
		workspace.providers = saved;
	});
});

describe('pending moves', () => {
	const range = { startMin: 420, endMin: 1140 };
	const cols = [{ acceptsMoves: true }, { acceptsMoves: false }, { acceptsMoves: true }];
	const block = { id: 'a', startMin: 540, durationMin: 30 };

	it('moves by keyboard through the columns that take moves', () => {
		let p = startMove(block, 0, 'keyboard');
		p = keyMove(p, 'ArrowDown', false, cols, 15, range)!;
		expect(p).toMatchObject({ startMin: 555, durationMin: 30, col: 0 });
		p = keyMove(p, 'ArrowDown', true, cols, 15, range)!;
		expect(p).toMatchObject({ startMin: 555, durationMin: 45 });
		p = keyMove(p, 'ArrowRight', false, cols, 15, range)!;
		expect(p.col).toBe(2); // skips the column that takes no moves
		p = keyMove(p, 'ArrowRight', false, cols, 15, range)!;
		expect(p.col).toBe(2);
		expect(keyMove(p, 'x', false, cols, 15, range)).toBeUndefined();
		expect(describeMove(p, 'with Ada Vell')).toBe(
			'Move to 9:15 AM with Ada Vell, 45 minutes; Enter to confirm, Escape to cancel'
		);
	});

	it('follows the pointer across columns, or resizes in place', () => {
		const rects = [
			{ left: 0, right: 100 },
			{ left: 100, right: 200 },
			{ left: 200, right: 300 }
		];
		const px = pxPerMinute(15);
		const moving = startMove(block, 0, 'pointer');
		expect(pointerMove(moving, 250, 30 * px, rects, cols, 15, range)).toMatchObject({
			col: 2,
			startMin: 570
		});
		expect(pointerMove(moving, 150, 30 * px, rects, cols, 15, range)).toMatchObject({
			col: 0,
			startMin: 570
		});
		const resizing = startMove(block, 0, 'pointer', 'resize');
		expect(pointerMove(resizing, 250, 15 * px, rects, cols, 15, range)).toMatchObject({
			col: 0,
			startMin: 540,
			durationMin: 45
		});
	});

	it('plans a move, a resize, or nothing, keeping an unchanged start as it was', () => {
		const a = appt('2026-11-01T06:30:00Z', '2026-11-01T07:00:00Z', { providerId: 'p1' }); // 1:30 CST, the second 1:30
		const [b] = layoutBlocks([a], FALL, CHICAGO, { slotMinutes: 15, canWrite: true, source });
		const column = (key: string, over: Partial<ColumnModel> = {}): ColumnModel => ({
			key,
			id: key,
			date: FALL,
			heading: key,
			where: `with ${key}`,
			providerId: key,
			acceptsMoves: true,
			shading: [],
			blocks: [],
			...over
		});
		const columns = [column('p1', { blocks: [b!] }), column('p2')];
		const p = startMove(b!, 0, 'keyboard');
		expect(planMove(p, columns, CHICAGO)).toEqual({ kind: 'none', message: 'Not moved' });
		expect(planMove({ ...p, durationMin: 45 }, columns, CHICAGO)).toEqual({
			kind: 'resize',
			id: a.id,
			end: '2026-11-01T07:15:00.000Z',
			message: 'Now 45 minutes, until 1:15 AM'
		});
		// Another provider at the same (ambiguous) time: still the second 1:30.
		expect(planMove({ ...p, col: 1 }, columns, CHICAGO)).toMatchObject({
			kind: 'move',
			to: { start: a.start, end: '2026-11-01T07:00:00.000Z', providerId: 'p2' },
			message: 'Moved to 1:30 AM with p2'
		});
		expect(planMove({ ...p, startMin: 600 }, columns, CHICAGO)).toMatchObject({
			kind: 'move',
			to: { start: '2026-11-01T16:00:00.000Z', end: '2026-11-01T16:30:00.000Z', providerId: 'p1' }
		});
		// A room column keeps the provider and sets the room.
		const rooms = [
			column('r1', { providerId: undefined, roomId: 'r1', blocks: [b!] }),
			column('r2', { providerId: undefined, roomId: 'r2' })
		];
		expect(planMove({ ...p, col: 1 }, rooms, CHICAGO)).toMatchObject({
			kind: 'move',
			to: { providerId: 'p1', roomId: 'r2' }
		});
		expect(planMove({ ...p, id: 'gone' }, columns, CHICAGO).kind).toBe('none');
	});

	it('frees the room on a move into the "No room" column, and only then', () => {
		const a = appt('2026-11-01T15:00:00Z', '2026-11-01T15:30:00Z', { providerId: 'p1', roomId: 'r1' });
		const [b] = layoutBlocks([a], FALL, CHICAGO, { slotMinutes: 15, canWrite: true, source });
		const column = (key: string, roomId: string | null, blocks: ColumnModel['blocks'] = []): ColumnModel => ({
			key,
			id: key,
			date: FALL,
			heading: key,
			where: roomId ? `in ${key}` : 'without a room',
			roomId,
			acceptsMoves: true,
			shading: [],
			blocks
		});
		const p = startMove(b!, 0, 'keyboard');
		const into = planMove({ ...p, col: 1 }, [column('r1', 'r1', [b!]), column('none', null)], CHICAGO);
		expect(into).toMatchObject({
			kind: 'move',
			to: { start: a.start, providerId: 'p1', roomId: null },
			message: 'Moved to 9:00 AM without a room'
		});
		// A new time inside "No room" keeps whatever room the appointment has (an unlisted one, say).
		const within = planMove({ ...p, startMin: p.startMin + 30 }, [column('none', null, [b!])], CHICAGO);
		expect(within.kind).toBe('move');
		expect(within.kind === 'move' && 'roomId' in within.to).toBe(false);
		// Out of "No room" into a room books that room.
		const out = planMove({ ...p, col: 1 }, [column('none', null, [b!]), column('r2', 'r2')], CHICAGO);
		expect(out).toMatchObject({ kind: 'move', to: { roomId: 'r2' } });
	});
});
