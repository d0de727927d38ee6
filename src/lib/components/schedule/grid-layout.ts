/**
 * Blocks and columns of the time grid: lanes for overlapping appointments, each block's position
 * and words, and the bookkeeping that hands back the same objects for what did not change (so
 * Svelte's keyed lists leave them alone).
 */
import { occupiesSlot, zonedDayRange, type Appointment, type AppointmentStatus } from '$lib/domain';
import type { Shade } from './grid-hours';
import { DAY_MINUTES, MIN_BLOCK_PX, minutesOnDate, pxPerMinute } from './grid-time';

export interface Span {
	id: string;
	startMin: number;
	endMin: number;
}

export interface Lane {
	/** 0-based lane of the item. */
	lane: number;
	/** Lanes in the item's group of (transitively) overlapping items. */
	lanes: number;
}

/**
 * Side-by-side lanes for overlapping items: each item takes the first lane free at its start, and
 * every item of a group of overlapping items gets the group's lane count as its width divisor.
 * Deterministic whatever the input order (sorted by start, longest first, then id).
 */
export function assignLanes(items: readonly Span[]): Map<string, Lane> {
	const sorted = [...items].sort(
		(a, b) => a.startMin - b.startMin || b.endMin - a.endMin || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
	);
	const out = new Map<string, Lane>();
	let group: { id: string; lane: number }[] = [];
	let laneEnds: number[] = [];
	let groupEnd = -Infinity;
	const close = () => {
		for (const g of group) out.set(g.id, { lane: g.lane, lanes: laneEnds.length });
		group = [];
		laneEnds = [];
	};
	for (const item of sorted) {
		const end = Math.max(item.endMin, item.startMin + 1);
		if (item.startMin >= groupEnd) close();
		let lane = laneEnds.findIndex((e) => e <= item.startMin);
		if (lane < 0) {
			lane = laneEnds.length;
			laneEnds.push(end);
		} else laneEnds[lane] = end;
		group.push({ id: item.id, lane });
		groupEnd = Math.max(groupEnd, end);
	}
	close();
	return out;
}

/** Cancelled and rescheduled bookings no longer hold their slot; they are hidden unless asked for. */
export function isWithdrawn(status: AppointmentStatus): boolean {
	return status === 'cancelled' || status === 'rescheduled';
}

/** What `ScheduleState.move` accepts: a slot-holding appointment that has not been completed. */
export function isMovable(status: AppointmentStatus): boolean {
	return occupiesSlot(status) && status !== 'completed';
}

export interface BlockModel {
	id: string;
	appointment: Appointment;
	/** Wall-clock minutes on the column's date, clamped to it. */
	startMin: number;
	endMin: number;
	/** Real length in minutes (what a move keeps). */
	durationMin: number;
	lane: number;
	lanes: number;
	patient: string;
	typeName: string;
	color: string;
	movable: boolean;
}

export interface ColumnModel {
	/** Unique among the grid's columns. */
	key: string;
	/** Provider or room id (`none` for the "No room" column), written as `data-column`. */
	id: string;
	date: string;
	heading: string;
	/** Accent colour of the heading (a provider's colour). */
	color?: string | undefined;
	/** "with Dr. Lee", "in Exam 2", "on Tuesday, March 10": the place in an announcement. */
	where: string;
	/** Provider a booking or move into this column gets; undefined keeps the appointment's (rooms). */
	providerId?: string | undefined;
	/** Room a move into this column gets (rooms mode); `null` for the "No room" column, which frees it. */
	roomId?: string | null | undefined;
	/** False for a column appointments cannot be moved into from another. */
	acceptsMoves: boolean;
	/** Holiday, vacation or similar, shown under the heading. */
	banner?: string | undefined;
	shading: Shade[];
	blocks: BlockModel[];
}

export interface BlockSource {
	/** The patient's name; depends on `a.patientId` only (remembered per source and patient). */
	patient(a: Appointment): string;
	type(a: Appointment): { name: string; color: string } | undefined;
}

/**
 * The blocks of one column: appointments overlapping the local date, with positions and lanes.
 * Computed once per change of the schedule, not per block.
 */
export function layoutBlocks(
	appointments: readonly Appointment[],
	date: string,
	timeZone: string,
	opts: { slotMinutes: number; canWrite: boolean; source: BlockSource }
): BlockModel[] {
	const day = zonedDayRange(date, timeZone);
	const dayStart = Date.parse(day.start);
	const dayEnd = Date.parse(day.end);
	const minVisual = MIN_BLOCK_PX / pxPerMinute(opts.slotMinutes);
	const blocks: BlockModel[] = [];
	for (const a of appointments) {
		const s = Date.parse(a.start);
		const e = Date.parse(a.end);
		if (!(s < dayEnd && e > dayStart)) continue;
		const minutes = minutesOf(a, date, timeZone);
		const startMin = minutes.startMin;
		let endMin = minutes.endMin;
		// The next midnight reads as 0 on the following date: clamp gives 1440 already; this guards odd zones.
		if (endMin <= startMin) endMin = Math.min(DAY_MINUTES, startMin + Math.round((e - s) / 60000));
		const type = opts.source.type(a);
		blocks.push({
			id: a.id,
			appointment: a,
			startMin,
			endMin,
			durationMin: Math.round((e - s) / 60000),
			lane: 0,
			lanes: 1,
			patient: nameOf(opts.source, a),
			typeName: type?.name ?? 'Unknown type',
			color: type?.color ?? '#6b7280',
			movable: opts.canWrite && isMovable(a.status)
		});
	}
	const lanes = assignLanes(
		blocks.map((b) => ({
			id: b.id,
			startMin: b.startMin,
			endMin: Math.max(b.endMin, b.startMin + minVisual)
		}))
	);
	for (const b of blocks) {
		const l = lanes.get(b.id);
		if (l) {
			b.lane = l.lane;
			b.lanes = l.lanes;
		}
	}
	return blocks.map(stableBlock);
}

/**
 * `layoutBlocks` per column, remembered: a column whose appointments are the same objects in the
 * same order (and the same date, zone and options) gets back the very array it had, so an edit lays
 * out only the column it touched. One per view component (keys are its column keys).
 */
export function columnLayouts(): (
	key: string,
	appointments: readonly Appointment[],
	date: string,
	timeZone: string,
	opts: { slotMinutes: number; canWrite: boolean; source: BlockSource }
) => BlockModel[] {
	interface Last {
		appointments: readonly Appointment[];
		date: string;
		timeZone: string;
		opts: object;
		blocks: BlockModel[];
	}
	const last = new Map<string, Last>();
	return (key, appointments, date, timeZone, opts) => {
		const prev = last.get(key);
		if (
			prev &&
			prev.date === date &&
			prev.timeZone === timeZone &&
			prev.opts === opts &&
			sameList(prev.appointments, appointments, (x, y) => x === y)
		) {
			return prev.blocks;
		}
		const blocks = layoutBlocks(appointments, date, timeZone, opts);
		// Week views key columns by date: browsing weeks must not grow this without end.
		if (last.size >= 64 && !prev) last.clear();
		last.set(key, { appointments, date, timeZone, opts, blocks });
		return blocks;
	};
}

/** Names per source (a new source comes with a changed patient list) and patient. */
const names = new WeakMap<BlockSource, Map<string, string>>();

function nameOf(source: BlockSource, a: Appointment): string {
	let known = names.get(source);
	if (!known) names.set(source, (known = new Map()));
	let name = known.get(a.patientId);
	if (name === undefined) known.set(a.patientId, (name = source.patient(a)));
	return name;
}

/** Wall-clock minutes of an appointment on a date, remembered (zone arithmetic per block adds up). */
const lastMinutes = new WeakMap<Appointment, { key: string; startMin: number; endMin: number }>();

function minutesOf(a: Appointment, date: string, timeZone: string): { startMin: number; endMin: number } {
	const key = `${date}|${timeZone}|${a.start}|${a.end}`;
	let m = lastMinutes.get(a);
	if (!m || m.key !== key) {
		m = {
			key,
			startMin: minutesOnDate(a.start, date, timeZone),
			endMin: minutesOnDate(a.end, date, timeZone)
		};
		lastMinutes.set(a, m);
	}
	return m;
}

/**
 * The model of each appointment's block from the last layout. Appointments are immutable values
 * (a change is a new object), so after an edit every other block gets back the very object it had
 * and the keyed `{#each}` leaves it alone: a one-block edit re-renders one block.
 */
const lastBlock = new WeakMap<Appointment, BlockModel>();

function stableBlock(b: BlockModel): BlockModel {
	const prev = lastBlock.get(b.appointment);
	if (prev && sameFields(prev, b)) return prev;
	lastBlock.set(b.appointment, b);
	return b;
}

const sameFields = <T extends object>(a: T, b: T): boolean => {
	for (const k in a) if (a[k] !== b[k]) return false;
	for (const k in b) if (!(k in a)) return false;
	return true;
};

const sameList = <T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean) =>
	a.length === b.length && a.every((x, i) => same(x, b[i]!));

/**
 * The previous column objects where nothing in them changed (same blocks, same shading, same
 * heading), so a grid column whose appointments did not change is not rendered again.
 */
export function reuseColumns(prev: readonly ColumnModel[], next: ColumnModel[]): ColumnModel[] {
	const byKey = new Map(prev.map((c) => [c.key, c]));
	return next.map((c) => {
		const old = byKey.get(c.key);
		if (!old) return c;
		const { blocks, shading, ...rest } = c;
		const { blocks: oldBlocks, shading: oldShading, ...oldRest } = old;
		return sameFields(oldRest, rest) &&
			sameList(oldBlocks, blocks, (x, y) => x === y) &&
			sameList(oldShading, shading, sameFields)
			? old
			: c;
	});
}

/**
 * A view's column models across renders: each call hands back the previous call's column objects
 * where nothing changed (`reuseColumns`). Not reactive state: one per view component.
 */
export function stableColumns(): (next: ColumnModel[]) => ColumnModel[] {
	let last: ColumnModel[] = [];
	return (next) => (last = reuseColumns(last, next));
}

/** Appointments grouped by a key (provider, room), keeping their order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
	const out = new Map<string, T[]>();
	for (const item of items) {
		const k = key(item);
		const list = out.get(k);
		if (list) list.push(item);
		else out.set(k, [item]);
	}
	return out;
}

/** Appointments by room, those without one of `roomIds` (none, or an unlisted room) under `fallback`. */
export function groupByRoom<T extends { roomId?: string | undefined }>(
	items: readonly T[],
	roomIds: readonly string[],
	fallback: string
): Map<string, T[]> {
	const known = new Set(roomIds);
	return groupBy(items, (a) => (a.roomId && known.has(a.roomId) ? a.roomId : fallback));
}

export function indexById<T extends { id: string }>(items: readonly T[]): Map<string, T> {
	return new Map(items.map((i) => [i.id, i]));
}
