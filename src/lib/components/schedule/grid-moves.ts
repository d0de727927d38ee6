/**
 * Moving and resizing on the grid, by pointer and by keyboard: the pending move, its steps on the
 * slot grid, and what committing it asks of the page. Free of Svelte and the DOM.
 */
import { localMinutes } from '$lib/domain';
import { minuteLabel } from './format';
import type { BlockModel, ColumnModel } from './grid-layout';
import { clamp, durationText, pxPerMinute, slotInstant, snap, stepSlot } from './grid-time';

export interface Range {
	startMin: number;
	endMin: number;
}

/** New start of a block dragged `dyPx` down (negative: up), on the slot grid and inside the range. */
export function dragStart(
	block: { startMin: number; durationMin: number },
	dyPx: number,
	slotMinutes: number,
	range: Range
): number {
	const s = snap(block.startMin + dyPx / pxPerMinute(slotMinutes), slotMinutes);
	const latest = Math.max(
		range.startMin,
		Math.floor((range.endMin - block.durationMin) / slotMinutes) * slotMinutes
	);
	return clamp(s, range.startMin, latest);
}

/** New length of a block whose bottom edge is dragged `dyPx`: the end on the grid, at least one slot. */
export function dragLength(
	block: { startMin: number; durationMin: number },
	dyPx: number,
	slotMinutes: number,
	range: Range
): number {
	const end = snap(block.startMin + block.durationMin + dyPx / pxPerMinute(slotMinutes), slotMinutes);
	const latest = Math.max(range.endMin, block.startMin + slotMinutes);
	return clamp(end, block.startMin + slotMinutes, latest) - block.startMin;
}

/** One keyboard step of a pending move: a slot earlier or later, onto the grid, inside the range. */
export function keyStep(
	pending: { startMin: number; durationMin: number },
	direction: 1 | -1,
	slotMinutes: number,
	range: Range
): number {
	const next = stepSlot(pending.startMin, slotMinutes, direction);
	if (next < range.startMin || next + pending.durationMin > range.endMin) return pending.startMin;
	return next;
}

/** One keyboard step of a pending resize: a slot longer or shorter, never under one slot. */
export function keyLength(
	pending: { startMin: number; durationMin: number },
	direction: 1 | -1,
	slotMinutes: number,
	range: Range
): number {
	const end = stepSlot(pending.startMin + pending.durationMin, slotMinutes, direction);
	if (end - pending.startMin < slotMinutes || end > Math.max(range.endMin, pending.startMin + slotMinutes))
		return pending.durationMin;
	return end - pending.startMin;
}

/** Index of the column under a horizontal position: the one containing it, else the nearest. */
export function columnAt(x: number, columns: readonly { left: number; right: number }[]): number {
	let best = -1;
	let bestDistance = Infinity;
	columns.forEach((c, i) => {
		const d = x < c.left ? c.left - x : x > c.right ? x - c.right : 0;
		if (d < bestDistance) {
			best = i;
			bestDistance = d;
		}
	});
	return best;
}

/**
 * The instants of a pending move: the start is the wall-clock minute on the target date; the end
 * keeps the real length (so a 30-minute visit stays 30 minutes across a clock change).
 */
export function targetTimes(
	date: string,
	startMin: number,
	durationMin: number,
	timeZone: string
): { start: string; end: string } {
	const start = slotInstant(date, startMin, timeZone);
	return { start, end: new Date(Date.parse(start) + durationMin * 60000).toISOString() };
}

/** An empty slot chosen for a booking. `providerId` is absent in the rooms view (the form asks). */
export interface CreateRequest {
	start: string;
	providerId?: string;
	roomId?: string;
}

/** Where an appointment is moved to (the shape of `ScheduleState.move`'s `SlotChange`). */
export interface MoveRequest {
	start: string;
	end: string;
	providerId: string;
	/** A room to book, `null` to free the room, absent to keep it. */
	roomId?: string | null;
}

export interface GridCallbacks {
	onopen?: (id: string) => void;
	oncreate?: (request: CreateRequest) => void;
	/** Return false when the move was refused, so the grid does not announce it as done. */
	onmove?: (id: string, to: MoveRequest) => boolean | void;
	onresize?: (id: string, end: string) => boolean | void;
}

/** A move or resize in progress, by pointer or keyboard; the block stays put until it is committed. */
export interface PendingMove {
	id: string;
	via: 'pointer' | 'keyboard';
	mode: 'move' | 'resize';
	fromCol: number;
	fromStart: number;
	fromDuration: number;
	col: number;
	startMin: number;
	durationMin: number;
}

export function startMove(
	block: Pick<BlockModel, 'id' | 'startMin' | 'durationMin'>,
	col: number,
	via: PendingMove['via'],
	mode: PendingMove['mode'] = 'move'
): PendingMove {
	const { id, startMin, durationMin } = block;
	return {
		id,
		via,
		mode,
		fromCol: col,
		fromStart: startMin,
		fromDuration: durationMin,
		col,
		startMin,
		durationMin
	};
}

/**
 * A pending move after an arrow key: ↑/↓ a slot earlier or later, Shift+↑/↓ a slot shorter or
 * longer, ←/→ the previous or next column that takes moves. Undefined for any other key.
 */
export function keyMove(
	p: PendingMove,
	key: string,
	shift: boolean,
	columns: readonly { acceptsMoves: boolean }[],
	slotMinutes: number,
	range: Range
): PendingMove | undefined {
	if (key === 'ArrowUp' || key === 'ArrowDown') {
		const dir = key === 'ArrowUp' ? -1 : 1;
		return shift
			? { ...p, durationMin: keyLength(p, dir, slotMinutes, range) }
			: { ...p, startMin: keyStep(p, dir, slotMinutes, range) };
	}
	if (key === 'ArrowLeft' || key === 'ArrowRight') {
		const dir = key === 'ArrowLeft' ? -1 : 1;
		let c = p.col + dir;
		while (c >= 0 && c < columns.length && c !== p.fromCol && !columns[c]?.acceptsMoves) c += dir;
		return c >= 0 && c < columns.length ? { ...p, col: c } : p;
	}
	return undefined;
}

/** A pending move after the pointer went `dx`, `dy` from where it was pressed. */
export function pointerMove(
	p: PendingMove,
	clientX: number,
	dyPx: number,
	rects: readonly { left: number; right: number }[],
	columns: readonly { acceptsMoves: boolean }[],
	slotMinutes: number,
	range: Range
): PendingMove {
	const from = { startMin: p.fromStart, durationMin: p.fromDuration };
	if (p.mode === 'resize') return { ...p, durationMin: dragLength(from, dyPx, slotMinutes, range) };
	const c = columnAt(clientX, rects);
	const col = c >= 0 && (c === p.fromCol || columns[c]?.acceptsMoves) ? c : p.fromCol;
	return { ...p, col, startMin: dragStart(from, dyPx, slotMinutes, range) };
}

export function describeMove(p: PendingMove, where: string): string {
	return `Move to ${minuteLabel(p.startMin)} ${where}, ${durationText(p.durationMin)}; Enter to confirm, Escape to cancel`;
}

export type MovePlan =
	| { kind: 'none'; message: string }
	| { kind: 'resize'; id: string; end: string; message: string }
	| { kind: 'move'; id: string; to: MoveRequest; message: string };

/**
 * What committing a pending move asks of the page. An unchanged start keeps its instant (the second
 * 1:30 of a fall-back day stays the second one); the length is kept in real minutes.
 */
export function planMove(p: PendingMove, columns: readonly ColumnModel[], timeZone: string): MovePlan {
	const from = columns[p.fromCol];
	const to = columns[p.col];
	const block = from?.blocks.find((b) => b.id === p.id);
	if (!from || !to || !block)
		return { kind: 'none', message: 'Move cancelled: the appointment changed meanwhile' };
	const a = block.appointment;
	const keepStart = p.startMin === p.fromStart && to.date === from.date;
	const sameColumn = p.col === p.fromCol;
	if (keepStart && sameColumn && p.durationMin === p.fromDuration)
		return { kind: 'none', message: 'Not moved' };
	const start = keepStart ? a.start : slotInstant(to.date, p.startMin, timeZone);
	const end = new Date(Date.parse(start) + p.durationMin * 60000).toISOString();
	if (keepStart && sameColumn)
		return {
			kind: 'resize',
			id: p.id,
			end,
			message: `Now ${durationText(p.durationMin)}, until ${minuteLabel(localMinutes(end, timeZone))}`
		};
	// Only a move out of another column frees the room: the "No room" column also holds appointments
	// in rooms the grid does not show, which a change of time there must not take away.
	const roomId = to.roomId === null && sameColumn ? undefined : to.roomId;
	return {
		kind: 'move',
		id: p.id,
		to: {
			start,
			end,
			providerId: to.providerId ?? a.providerId,
			...(roomId !== undefined ? { roomId } : {})
		},
		message: `Moved to ${minuteLabel(localMinutes(start, timeZone))} ${to.where}`
	};
}
