/**
 * The checks behind `ConflictIndex` (conflicts.ts): one bucket (a provider's or a room's day) at a
 * time, with the per-record times and conflict ids remembered between calls.
 */
import { CLINICDESK_NAMESPACE, uuidV5 } from '../common/uuid';
import { localDate } from '../common/time';
import { occupiesSlot, type Appointment } from './schemas';
import type { Conflict, ConflictKind, ConflictRules } from './conflicts';

export type Slot = Pick<
	Appointment,
	'id' | 'providerId' | 'roomId' | 'typeId' | 'start' | 'end' | 'status' | 'deletedAt'
>;

export type Open = Omit<Conflict, 'resolved'>;

/**
 * Ids already computed: the schedule derives its conflicts after every edit and each id is a SHA-1
 * in JavaScript, while the set of conflicts barely changes between two edits. Bounded: cleared
 * when it grows past what any open window holds.
 */
const idCache = new Map<string, string>();
const ID_CACHE_MAX = 20_000;

export function conflictId(kind: ConflictKind, appointmentIds: readonly string[]): string {
	const name = `conflict/${kind}/${[...appointmentIds].sort().join('+')}`;
	let id = idCache.get(name);
	if (id === undefined) {
		if (idCache.size >= ID_CACHE_MAX) idCache.clear();
		id = uuidV5(name, CLINICDESK_NAMESPACE);
		idCache.set(name, id);
	}
	return id;
}

/**
 * Per record: its instants as numbers and its clinic-local date. Records are immutable values (a
 * change produces a new object), so a record's entry stays right for as long as it is in use, and
 * an edit costs only the parsing of the records it changed.
 */
export interface Times {
	start: string;
	end: string;
	ms: number;
	endMs: number;
	timeZone?: string;
	date?: string;
	/** `ms` and `endMs` as `toISOString` gives them (a conflict's span), once made. */
	startIso?: string;
	endIso?: string;
}
const timesCache = new WeakMap<object, Times>();

export function timesOf(a: Slot): Times {
	let t = timesCache.get(a);
	// Compared by value anyway (cheap): a caller that mutates a record still gets the right answer.
	if (!t || t.start !== a.start || t.end !== a.end) {
		t = { start: a.start, end: a.end, ms: Date.parse(a.start), endMs: Date.parse(a.end) };
		timesCache.set(a, t);
	}
	return t;
}

export function localDateOf(instant: string, t: Times, timeZone: string): string {
	if (t.timeZone !== timeZone || t.date === undefined) {
		t.date = localDate(instant, timeZone);
		t.timeZone = timeZone;
	}
	return t.date;
}

/** The end's own cache entry (a second `Times` keyed by the record's end string). */
const endCache = new WeakMap<object, Times>();
export function endTimesOf(a: Slot, t: Times): Times {
	let e = endCache.get(a);
	if (!e || e.start !== a.end) {
		e = { start: a.end, end: a.end, ms: t.endMs, endMs: t.endMs };
		endCache.set(a, e);
	}
	return e;
}

/** Whether a record takes its provider's (and room's) time: not deleted, a slot status, not empty. */
export function isLive(a: Slot): boolean {
	if (a.deletedAt || !occupiesSlot(a.status)) return false;
	const t = timesOf(a);
	return t.endMs > t.ms;
}

export interface Timed {
	id: string;
	ms: number;
	endMs: number;
	t: Times;
	a: Slot;
	/** The day bucket the record starts in (its rule checks belong there). */
	home: string;
}

export interface Bucket {
	kind: 'provider' | 'room';
	resourceId: string;
	/** A clinic-local date when there are rules (hours are per local day), else a UTC day number. */
	day: string;
	items: Map<string, Timed>;
	conflicts: Open[];
}

export const DAY_MS = 86_400_000;
const startIso = (x: Timed) => (x.t.startIso ??= new Date(x.ms).toISOString());
const endIso = (x: Timed) => (x.t.endIso ??= new Date(x.endMs).toISOString());

const byStartThenId = (
	a: { ms: number; endMs: number; id: string },
	b: { ms: number; endMs: number; id: string }
) => a.ms - b.ms || a.endMs - b.endMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Overlapping pairs within one resource's bookings, by a sweep over start times. */
function sweep(items: Timed[], push: (x: Timed, y: Timed) => void): void {
	items.sort(byStartThenId);
	let active: Timed[] = [];
	for (const item of items) {
		active = active.filter((o) => o.endMs > item.ms);
		for (const o of active) push(o, item);
		active.push(item);
	}
}

/** The day keys after `first` up to `last` (local dates, or UTC day numbers); at most 31. */
export function daysBetween(first: string, last: string, local: boolean): string[] {
	const out: string[] = [];
	if (local) {
		let d = first;
		for (let i = 0; i < 31 && d < last; i++) {
			d = new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
			out.push(d);
		}
	} else {
		for (let n = Number(first) + 1; n <= Number(last) && out.length < 31; n++) out.push(String(n));
	}
	return out;
}

/** The conflicts inside one bucket: overlaps, and for a provider's day the rules. */
export function checkBucket(bucket: Bucket, rules: ConflictRules | undefined): Open[] {
	const { day } = bucket;
	const out: Open[] = [];
	// A conflict spans from the latest start to the earliest end of its records (one record: its own).
	const add = (kind: ConflictKind, ids: string[], from: Timed, to: Timed) => {
		const sorted = [...ids].sort();
		out.push({
			id: conflictId(kind, sorted),
			kind,
			appointmentIds: sorted,
			resourceId: bucket.resourceId,
			start: startIso(from),
			end: endIso(to)
		});
	};
	const kind: ConflictKind = bucket.kind === 'provider' ? 'provider-overlap' : 'room-overlap';
	const items = [...bucket.items.values()];
	sweep(items, (x, y) => add(kind, [x.id, y.id], x.ms >= y.ms ? x : y, x.endMs <= y.endMs ? x : y));
	if (!rules || bucket.kind !== 'provider') return out;

	// Rules belong to the day a booking starts on: checked once, in its home bucket.
	const home = items.filter((t) => t.home === day);
	const dayRules = rules.day(bucket.resourceId, day);
	const byType = new Map<string, Timed[]>();
	for (const t of home) {
		if (dayRules) {
			const inside = dayRules.hours.some((h) => Date.parse(h.start) <= t.ms && t.endMs <= Date.parse(h.end));
			if (!inside) add('outside-hours', [t.id], t, t);
			if (dayRules.breaks.some((b) => Date.parse(b.start) < t.endMs && t.ms < Date.parse(b.end)))
				add('over-break', [t.id], t, t);
		}
		const list = byType.get(t.a.typeId);
		if (list) list.push(t);
		else byType.set(t.a.typeId, [t]);
	}
	if (rules.maxPerDay)
		for (const [typeId, list] of byType) {
			const max = rules.maxPerDay(typeId, bucket.resourceId);
			if (max === undefined || list.length <= max) continue;
			add(
				'max-per-day',
				list.map((t) => t.id),
				list.reduce((x, y) => (y.ms < x.ms ? y : x)),
				list.reduce((x, y) => (y.endMs > x.endMs ? y : x))
			);
		}
	return out;
}

export const sameConflict = (a: Open, b: Open) =>
	a.kind === b.kind &&
	a.resourceId === b.resourceId &&
	a.start === b.start &&
	a.end === b.end &&
	a.appointmentIds.length === b.appointmentIds.length &&
	a.appointmentIds.every((x, i) => x === b.appointmentIds[i]);
