import { describe, expect, it } from 'vitest';
import { pxPerMinute, snap, stepSlot } from './grid-time';
import { type ColumnModel, layoutBlocks } from './grid-layout';
import {
	columnAt,
	describeMove,
	dragLength,
	dragStart,
	keyLength,
	keyMove,
	keyStep,
	planMove,
	pointerMove,
	startMove
} from './grid-moves';
import { appt, blockSource, CHICAGO, FALL } from './test-fixtures';

const source = blockSource;

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
