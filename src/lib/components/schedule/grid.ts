/**
 * Layout maths of the time-grid calendar (day and week views), kept free of Svelte and the DOM so
 * it can be tested.
 *
 * Positions are wall-clock minutes since the clinic's local midnight (`localMinutes`), never
 * "milliseconds since the start of the day": on a daylight-saving day the day is 23 or 25 hours
 * long, and 9:00 must still sit on the 9:00 line.
 */
import {
	localDate,
	localMinutes,
	occupiesSlot,
	zonedDayRange,
	zonedTimeToUtc,
	type Appointment,
	type AppointmentStatus,
	type AvailabilityException,
	type AvailabilityTemplate
} from '$lib/domain';
import type { Conflict, ConflictKind } from '$lib/domain/schedule/conflicts';
import { minuteLabel } from './format';

export const DAY_MINUTES = 24 * 60;
export const DEFAULT_START = 7 * 60;
export const DEFAULT_END = 19 * 60;
/** Shortest block on screen, in pixels: anything shorter cannot show a line of text. */
export const MIN_BLOCK_PX = 18;
/** A pointer that travels less than this between down and up clicked rather than dragged. */
export const DRAG_THRESHOLD_PX = 4;

/** Row height per slot size: small slots get short rows so a morning still fits on screen. */
const ROW_PX: Record<number, number> = { 5: 16, 10: 20, 15: 24, 20: 26, 30: 30 };

export function rowPx(slotMinutes: number): number {
	return ROW_PX[slotMinutes] ?? 24;
}

export function pxPerMinute(slotMinutes: number): number {
	return rowPx(slotMinutes) / slotMinutes;
}

// ---------------------------------------------------------------------------------------------
// Time

/**
 * Wall-clock minute of an instant on a local date, clamped to that date: an instant before the date
 * is 0, one after it (or the next midnight itself) is 1440.
 */
export function minutesOnDate(iso: string, date: string, timeZone: string): number {
	const d = localDate(iso, timeZone);
	if (d < date) return 0;
	if (d > date) return DAY_MINUTES;
	return localMinutes(iso, timeZone);
}

/** The instant of a wall-clock minute on a local date. */
export function slotInstant(date: string, minute: number, timeZone: string): string {
	return zonedTimeToUtc(date, Math.floor(minute / 60), minute % 60, timeZone).toISOString();
}

/** False for the wall-clock times a spring-forward day skips (2:00–2:59 in the US). */
export function slotExists(date: string, minute: number, timeZone: string): boolean {
	const iso = slotInstant(date, minute, timeZone);
	return localDate(iso, timeZone) === date && localMinutes(iso, timeZone) === minute;
}

export function snap(minute: number, slotMinutes: number): number {
	return Math.round(minute / slotMinutes) * slotMinutes;
}

/** The next grid line after (`+1`) or before (`-1`) a minute, so off-grid times land on the grid. */
export function stepSlot(minute: number, slotMinutes: number, direction: 1 | -1): number {
	return direction > 0
		? Math.floor(minute / slotMinutes) * slotMinutes + slotMinutes
		: Math.ceil(minute / slotMinutes) * slotMinutes - slotMinutes;
}

export function clamp(n: number, lo: number, hi: number): number {
	return Math.min(Math.max(n, lo), hi);
}

/** Wall-clock minutes of the slot rows from `startMin` (inclusive) to `endMin` (exclusive). */
export function slotMinutesOf(startMin: number, endMin: number, slotMinutes: number): number[] {
	const out: number[] = [];
	for (let m = startMin; m < endMin; m += slotMinutes) out.push(m);
	return out;
}

/**
 * The hours the grid shows: 07:00–19:00 widened to whole hours around every span given
 * (appointments, working hours).
 */
export function visibleRange(
	spans: Iterable<{ startMin: number; endMin: number }>,
	defaults: { startMin: number; endMin: number } = { startMin: DEFAULT_START, endMin: DEFAULT_END }
): { startMin: number; endMin: number } {
	let lo = defaults.startMin;
	let hi = defaults.endMin;
	for (const s of spans) {
		if (s.endMin <= s.startMin) continue;
		lo = Math.min(lo, s.startMin);
		hi = Math.max(hi, s.endMin);
	}
	return {
		startMin: clamp(Math.floor(lo / 60) * 60, 0, DAY_MINUTES),
		endMin: clamp(Math.ceil(hi / 60) * 60, 0, DAY_MINUTES)
	};
}

/** `9 AM` for an hour line. */
export function hourLabel(minute: number): string {
	const h = Math.floor(minute / 60) % 24;
	return `${((h + 11) % 12) + 1} ${h < 12 ? 'AM' : 'PM'}`;
}

/** `30 minutes`, `1 hour`, `1 hour 15 minutes`. */
export function durationText(minutes: number): string {
	const h = Math.floor(minutes / 60);
	const m = minutes % 60;
	const hours = h === 0 ? '' : h === 1 ? '1 hour' : `${h} hours`;
	const mins = m === 0 ? '' : m === 1 ? '1 minute' : `${m} minutes`;
	return [hours, mins].filter(Boolean).join(' ') || '0 minutes';
}

const dayFormats = {
	long: new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }),
	short: new Intl.DateTimeFormat('en-US', {
		weekday: 'short',
		month: 'numeric',
		day: 'numeric',
		timeZone: 'UTC'
	})
};

/** `Tuesday, March 10` for a calendar date. */
export function dayLabel(date: string, style: 'long' | 'short' = 'long'): string {
	// One formatter per style: creating one costs about a millisecond, and every change of day asks.
	return dayFormats[style].format(new Date(`${date}T00:00:00Z`));
}

// ---------------------------------------------------------------------------------------------
// Lanes

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

// ---------------------------------------------------------------------------------------------
// Blocks and columns

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

// ---------------------------------------------------------------------------------------------
// Working hours

export interface Shade {
	startMin: number;
	endMin: number;
	kind: 'off' | 'break';
	label?: string | undefined;
}

/**
 * Shading of a column from a provider's intervals of the day: time outside every working interval
 * is 'off', breaks and blocked time are 'break'. `known` false (no hours entered for the date) gives
 * no shading at all: unknown hours are not "closed".
 */
export function shadeDay(
	intervals: readonly { start: string; end: string; kind: 'work' | 'break' | 'blocked'; label?: string }[],
	date: string,
	timeZone: string,
	range: { startMin: number; endMin: number },
	known: boolean
): Shade[] {
	if (!known && intervals.length === 0) return [];
	const toMin = (i: { start: string; end: string }) => ({
		startMin: minutesOnDate(i.start, date, timeZone),
		endMin: minutesOnDate(i.end, date, timeZone)
	});
	const work = intervals
		.filter((i) => i.kind === 'work')
		.map(toMin)
		.filter((i) => i.endMin > i.startMin)
		.sort((a, b) => a.startMin - b.startMin);
	const out: Shade[] = [];
	let cursor = range.startMin;
	for (const w of work) {
		if (w.startMin > cursor)
			out.push({ startMin: cursor, endMin: Math.min(w.startMin, range.endMin), kind: 'off' });
		cursor = Math.max(cursor, w.endMin);
	}
	if (cursor < range.endMin) out.push({ startMin: cursor, endMin: range.endMin, kind: 'off' });
	for (const i of intervals) {
		if (i.kind === 'work') continue;
		const m = toMin(i);
		const startMin = Math.max(m.startMin, range.startMin);
		const endMin = Math.min(m.endMin, range.endMin);
		if (endMin > startMin) out.push({ startMin, endMin, kind: 'break', label: i.label });
	}
	return out.filter((s) => s.endMin > s.startMin);
}

/** Working intervals as wall-clock spans, for widening the visible hours. */
export function workSpans(
	intervals: readonly { start: string; end: string; kind: string }[],
	date: string,
	timeZone: string
): Span[] {
	return intervals
		.filter((i) => i.kind === 'work')
		.map((i, n) => ({
			id: String(n),
			startMin: minutesOnDate(i.start, date, timeZone),
			endMin: minutesOnDate(i.end, date, timeZone)
		}));
}

// ---------------------------------------------------------------------------------------------
// Conflicts and presence

const CONFLICT_TEXT: Record<ConflictKind, string> = {
	'provider-overlap': 'Double-booked',
	'room-overlap': 'Room double-booked',
	'outside-hours': 'Outside working hours',
	'over-break': 'Over a break',
	'max-per-day': 'Over the daily limit'
};

/** For each appointment in an open conflict, what is wrong, in words ("Double-booked"). */
export function conflictTexts(conflicts: readonly Conflict[]): Map<string, string> {
	const kinds = new Map<string, Set<ConflictKind>>();
	for (const c of conflicts) {
		if (c.resolved) continue;
		for (const id of c.appointmentIds) {
			let set = kinds.get(id);
			if (!set) kinds.set(id, (set = new Set()));
			set.add(c.kind);
		}
	}
	const out = new Map<string, string>();
	for (const [id, set] of kinds) out.set(id, [...set].map((k) => CONFLICT_TEXT[k]).join(', '));
	return out;
}

/**
 * `next`, or `prev` when both hold the same entries: a conflict list that changed without changing
 * any block's words (a moved booking that stays outside hours) then re-renders no block.
 */
export function sameOrNew<V>(prev: ReadonlyMap<string, V>, next: Map<string, V>): ReadonlyMap<string, V> {
	if (prev.size !== next.size) return next;
	for (const [k, v] of next) if (prev.get(k) !== v) return next;
	return prev;
}

export interface PresenceBadge {
	key: number;
	name: string;
	color: string;
	initials: string;
}

/** `Ann Lee` → `AL`; a single name gives its first two letters. */
export function initials(name: string): string {
	const words = name.trim().split(/\s+/).filter(Boolean);
	if (words.length === 0) return '?';
	if (words.length === 1) return words[0]!.slice(0, 2).toUpperCase();
	return (words[0]!.charAt(0) + words[words.length - 1]!.charAt(0)).toUpperCase();
}

/** Colleagues with an appointment open in the schedule, by appointment id. */
export function presenceByRecord(
	peers: readonly {
		clientId: number;
		user: { name: string; color: string };
		view: { screen: string; recordId?: string | undefined };
	}[]
): Map<string, PresenceBadge[]> {
	const out = new Map<string, PresenceBadge[]>();
	for (const p of peers) {
		if (p.view.screen !== 'schedule' || !p.view.recordId) continue;
		const badge = {
			key: p.clientId,
			name: p.user.name,
			color: p.user.color,
			initials: initials(p.user.name)
		};
		const list = out.get(p.view.recordId);
		if (list) list.push(badge);
		else out.set(p.view.recordId, [badge]);
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Moving and resizing

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

/** Whether an instant falls on a local date, and its wall-clock minute (for the current-time line). */
export function nowOn(nowMs: number, timeZone: string): { date: string; minute: number } {
	const iso = new Date(nowMs).toISOString();
	return { date: localDate(iso, timeZone), minute: localMinutes(iso, timeZone) };
}

/**
 * The instant of each slot row on a date ('' for a wall-clock time the date skips). A 24-hour day
 * has one offset throughout, so only a daylight-saving day pays for a zone lookup per slot.
 */
export function slotStarts(date: string, minutes: readonly number[], timeZone: string): string[] {
	const day = zonedDayRange(date, timeZone);
	const startMs = Date.parse(day.start);
	if (Date.parse(day.end) - startMs === DAY_MINUTES * 60000)
		return minutes.map((m) => new Date(startMs + m * 60000).toISOString());
	return minutes.map((m) => (slotExists(date, m, timeZone) ? slotInstant(date, m, timeZone) : ''));
}

/** The wall-clock minutes among `minutes` that a date skips (none on a 24-hour day). */
export function skippedMinutes(date: string, minutes: readonly number[], timeZone: string): number[] {
	const day = zonedDayRange(date, timeZone);
	if (Date.parse(day.end) - Date.parse(day.start) === DAY_MINUTES * 60000) return [];
	return minutes.filter((m) => !slotExists(date, m, timeZone));
}

// ---------------------------------------------------------------------------------------------
// What the grid asks of the page

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

// ---------------------------------------------------------------------------------------------
// Provider days

export function indexById<T extends { id: string }>(items: readonly T[]): Map<string, T> {
	return new Map(items.map((i) => [i.id, i]));
}

/**
 * Whether a provider's hours on a date are known (a template in effect, the provider's own holiday
 * or changed hours, a vacation, a clinic holiday). `hoursOf` answers [] both for "no hours entered"
 * and for "closed": only a known day with no hours is shaded as closed.
 */
export function hoursKnown(
	templates: readonly AvailabilityTemplate[],
	exceptions: readonly AvailabilityException[],
	providerId: string,
	date: string
): boolean {
	if (
		templates.some(
			(t) =>
				!t.deletedAt &&
				t.providerId === providerId &&
				t.effectiveFrom <= date &&
				(t.effectiveTo === undefined || t.effectiveTo >= date)
		)
	)
		return true;
	return exceptions.some((e) => {
		if (e.deletedAt) return false;
		if (e.kind === 'holiday')
			return e.date === date && (e.providerId === undefined || e.providerId === providerId);
		if (e.kind === 'vacation') return e.providerId === providerId && e.from <= date && e.to >= date;
		return e.kind === 'changed-hours' && e.providerId === providerId && e.date === date;
	});
}

/** The provider's own day off, in words, for the column header ("Vacation", "Holiday: …"). */
export function providerDayOff(
	exceptions: readonly AvailabilityException[],
	providerId: string,
	date: string
): string | undefined {
	for (const e of exceptions) {
		if (e.deletedAt || !('providerId' in e) || e.providerId !== providerId) continue;
		if (e.kind === 'vacation' && e.from <= date && e.to >= date) return 'Away (vacation)';
		if (e.kind === 'holiday' && e.date === date) return e.name ? `Day off: ${e.name}` : 'Day off';
		if (e.kind === 'changed-hours' && e.date === date && e.intervals.length === 0) return 'Day off';
	}
	return undefined;
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

// ---------------------------------------------------------------------------------------------
// A pending move

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
