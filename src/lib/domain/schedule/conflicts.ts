/**
 * Conflicts in the merged schedule. Offline workstations can book the same provider or room at the
 * same time; after merging, both bookings exist (nothing is dropped) and this module reports them.
 *
 * Overlaps are reported per *pair* of appointments, so adding a third booking over an acknowledged
 * double-booking raises new conflicts without invalidating the acknowledged one. Each conflict's id is
 * a UUIDv5 of its kind and sorted appointment ids: every replica computes the same ids for the same
 * merged schedule, and an acknowledgement (a person accepting an intentional double-booking) can be
 * stored as a record keyed by that id. Output order is deterministic whatever the input order.
 */
import { CLINICDESK_NAMESPACE, uuidV5 } from '../common/uuid';
import { localDate } from '../common/time';
import { occupiesSlot, type Appointment } from './schemas';

export type ConflictKind =
	'provider-overlap' | 'room-overlap' | 'outside-hours' | 'over-break' | 'max-per-day';

export interface Conflict {
	id: string;
	kind: ConflictKind;
	/** Sorted. Two for overlaps, one for hours/breaks, all of the day's group for max-per-day. */
	appointmentIds: string[];
	/** Provider or room concerned. */
	resourceId: string;
	/** The overlapping interval, or the offending appointment's (or day group's) span. */
	start: string;
	end: string;
	resolved: boolean;
}

/** Working hours and breaks of a provider on one clinic-local day, as ISO intervals. */
export interface DayRules {
	hours: readonly { start: string; end: string }[];
	breaks: readonly { start: string; end: string }[];
}

export interface ConflictRules {
	timeZone: string;
	/** The provider's rules for a local date; undefined means unknown, so no rule conflicts are raised. */
	day(providerId: string, date: string): DayRules | undefined;
	/** Maximum appointments of a type per provider per day; undefined means no limit. */
	maxPerDay?(typeId: string, providerId: string): number | undefined;
}

export interface ConflictContext {
	/** Conflict ids a person accepted. */
	acknowledgements?: Iterable<string>;
	rules?: ConflictRules;
}

type Slot = Pick<
	Appointment,
	'id' | 'providerId' | 'roomId' | 'typeId' | 'start' | 'end' | 'status' | 'deletedAt'
>;

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
interface Times {
	start: string;
	end: string;
	ms: number;
	endMs: number;
	timeZone?: string;
	date?: string;
}
const timesCache = new WeakMap<object, Times>();

function timesOf(a: Slot): Times {
	let t = timesCache.get(a);
	// Compared by value anyway (cheap): a caller that mutates a record still gets the right answer.
	if (!t || t.start !== a.start || t.end !== a.end) {
		t = { start: a.start, end: a.end, ms: Date.parse(a.start), endMs: Date.parse(a.end) };
		timesCache.set(a, t);
	}
	return t;
}

function localDateOf(instant: string, t: Times, timeZone: string): string {
	if (t.timeZone !== timeZone || t.date === undefined) {
		t.date = localDate(instant, timeZone);
		t.timeZone = timeZone;
	}
	return t.date;
}

const byStartThenId = (
	a: { ms: number; endMs: number; id: string },
	b: { ms: number; endMs: number; id: string }
) => a.ms - b.ms || a.endMs - b.endMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

interface Timed {
	id: string;
	ms: number;
	endMs: number;
	a: Slot;
	/** The day bucket the record starts in (its rule checks belong there). */
	home: string;
}

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

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 86_400_000;

type Open = Omit<Conflict, 'resolved'>;

interface Bucket {
	kind: 'provider' | 'room';
	resourceId: string;
	/** A clinic-local date when there are rules (hours are per local day), else a UTC day number. */
	day: string;
	items: Map<string, Timed>;
	conflicts: Open[];
}

interface Entry {
	item: Timed;
	/** The buckets the record is in. */
	keys: string[];
	/** The last `detect` call that saw it. */
	seen: number;
}

/**
 * Conflict detection that remembers its work between calls. Conflicts never cross a resource and a
 * day, so records are kept in buckets (provider × day, room × day; a booking over midnight is in
 * each day it touches). Records are immutable values (a change is a new object), so a call finds
 * what changed by identity, moves only those records between buckets and checks again only the
 * buckets they left or joined. After a one-record edit the schedule re-checks one or two buckets
 * instead of the whole window, and gets the same array back when nothing changed. The answer is
 * the same as a fresh `detectConflicts`, which is this class used once.
 */
export class ConflictIndex {
	private entries = new Map<string, Entry>();
	private buckets = new Map<string, Bucket>();
	/** Buckets that hold at least one conflict. */
	private withConflicts = new Set<string>();
	private rules: ConflictRules | undefined;
	private calls = 0;
	private output: Conflict[] = [];
	private acknowledged = new Set<string>();
	/** One object per conflict and state, so that an unchanged conflict is the same object next time. */
	private shown = new Map<string, Conflict>();

	detect(appointments: readonly Slot[], ctx: ConflictContext = {}): Conflict[] {
		const call = ++this.calls;
		if (ctx.rules !== this.rules || call === 1) {
			this.clear();
			this.rules = ctx.rules;
		}
		const dirty = new Set<string>();
		let matched = 0;
		for (const a of appointments) {
			const prev = this.entries.get(a.id);
			if (prev && prev.item.a === a) {
				if (prev.seen !== call) matched++;
				prev.seen = call;
				continue;
			}
			const live = !a.deletedAt && occupiesSlot(a.status) && timesOf(a).endMs > timesOf(a).ms;
			// A second copy of an id in one input (concatenated months): the last live copy counts.
			if (prev && (live || prev.seen !== call)) {
				if (prev.seen === call) matched--;
				this.remove(prev, dirty);
			}
			if (live) {
				this.add(a, call, dirty);
				matched++;
			}
		}
		if (matched !== this.entries.size)
			for (const e of [...this.entries.values()]) if (e.seen !== call) this.remove(e, dirty);

		for (const key of dirty) {
			const bucket = this.buckets.get(key);
			if (!bucket) {
				this.withConflicts.delete(key);
				continue;
			}
			bucket.conflicts = checkBucket(bucket, this.rules);
			if (bucket.conflicts.length) this.withConflicts.add(key);
			else this.withConflicts.delete(key);
		}

		const acknowledged = new Set(ctx.acknowledgements ?? []);
		if (dirty.size === 0 && call > 1 && sameSet(acknowledged, this.acknowledged)) return this.output;
		this.acknowledged = acknowledged;
		return (this.output = this.collect());
	}

	clear(): void {
		this.entries.clear();
		this.buckets.clear();
		this.withConflicts.clear();
		this.shown.clear();
		this.output = [];
	}

	private dayOf(instant: string, t: Times): string {
		return this.rules
			? localDateOf(instant, t, this.rules.timeZone)
			: String(Math.floor(Date.parse(instant) / DAY_MS));
	}

	private add(a: Slot, call: number, dirty: Set<string>): void {
		const t = timesOf(a);
		const item: Timed = { id: a.id, ms: t.ms, endMs: t.endMs, a, home: this.dayOf(a.start, t) };
		const days = [item.home];
		// Most bookings end on the day they start; one over midnight is checked on each day it touches.
		if (t.endMs - t.ms > 60_000) {
			const last = this.rules
				? localDateOf(a.end, endTimesOf(a, t), this.rules.timeZone)
				: String(Math.floor((t.endMs - 1) / DAY_MS));
			if (last !== item.home) days.push(...daysBetween(item.home, last, this.rules !== undefined));
		}
		const keys: string[] = [];
		const put = (kind: Bucket['kind'], resourceId: string, day: string) => {
			const key = `${kind}|${resourceId}|${day}`;
			let b = this.buckets.get(key);
			if (!b) this.buckets.set(key, (b = { kind, resourceId, day, items: new Map(), conflicts: [] }));
			b.items.set(a.id, item);
			keys.push(key);
			dirty.add(key);
		};
		for (const day of days) {
			put('provider', a.providerId, day);
			if (a.roomId) put('room', a.roomId, day);
		}
		this.entries.set(a.id, { item, keys, seen: call });
	}

	private remove(e: Entry, dirty: Set<string>): void {
		this.entries.delete(e.item.id);
		for (const key of e.keys) {
			const b = this.buckets.get(key);
			if (!b) continue;
			b.items.delete(e.item.id);
			if (b.items.size === 0) this.buckets.delete(key);
			dirty.add(key);
		}
	}

	private collect(): Conflict[] {
		const found = new Map<string, Open>();
		for (const key of this.withConflicts)
			for (const c of this.buckets.get(key)?.conflicts ?? []) if (!found.has(c.id)) found.set(c.id, c);
		const shown = new Map<string, Conflict>();
		const out: Conflict[] = [];
		for (const c of found.values()) {
			const resolved = this.acknowledged.has(c.id);
			const key = `${resolved ? 1 : 0}${c.id}`;
			let prev = this.shown.get(key);
			if (!prev || !sameConflict(prev, c)) prev = { ...c, resolved };
			shown.set(key, prev);
			out.push(prev);
		}
		this.shown = shown;
		const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
		return out.sort(
			(a, b) =>
				cmp(a.start, b.start) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmp(a.id, b.id)
		);
	}
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
	a.size === b.size && [...a].every((x) => b.has(x));

const KIND_ORDER: ConflictKind[] = [
	'provider-overlap',
	'room-overlap',
	'outside-hours',
	'over-break',
	'max-per-day'
];

const sameConflict = (a: Open, b: Open) =>
	a.kind === b.kind &&
	a.resourceId === b.resourceId &&
	a.start === b.start &&
	a.end === b.end &&
	sameMembersStr(a.appointmentIds, b.appointmentIds);

const sameMembersStr = (a: readonly string[], b: readonly string[]) =>
	a.length === b.length && a.every((x, i) => x === b[i]);

/** The end's own cache entry (a second `Times` keyed by the record's end string). */
const endCache = new WeakMap<object, Times>();
function endTimesOf(a: Slot, t: Times): Times {
	let e = endCache.get(a);
	if (!e || e.start !== a.end) {
		e = { start: a.end, end: a.end, ms: t.endMs, endMs: t.endMs };
		endCache.set(a, e);
	}
	return e;
}

/** The day keys after `first` up to `last` (local dates, or UTC day numbers); at most 31. */
function daysBetween(first: string, last: string, local: boolean): string[] {
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
function checkBucket(bucket: Bucket, rules: ConflictRules | undefined): Open[] {
	const { day } = bucket;
	const out: Open[] = [];
	const add = (kind: ConflictKind, ids: string[], startMs: number, endMs: number) => {
		const sorted = [...ids].sort();
		out.push({
			id: conflictId(kind, sorted),
			kind,
			appointmentIds: sorted,
			resourceId: bucket.resourceId,
			start: iso(startMs),
			end: iso(endMs)
		});
	};
	const kind: ConflictKind = bucket.kind === 'provider' ? 'provider-overlap' : 'room-overlap';
	const items = [...bucket.items.values()];
	sweep(items, (x, y) => add(kind, [x.id, y.id], Math.max(x.ms, y.ms), Math.min(x.endMs, y.endMs)));
	if (!rules || bucket.kind !== 'provider') return out;

	// Rules belong to the day a booking starts on: checked once, in its home bucket.
	const home = items.filter((t) => t.home === day);
	const dayRules = rules.day(bucket.resourceId, day);
	const byType = new Map<string, Timed[]>();
	for (const t of home) {
		if (dayRules) {
			const inside = dayRules.hours.some((h) => Date.parse(h.start) <= t.ms && t.endMs <= Date.parse(h.end));
			if (!inside) add('outside-hours', [t.id], t.ms, t.endMs);
			if (dayRules.breaks.some((b) => Date.parse(b.start) < t.endMs && t.ms < Date.parse(b.end)))
				add('over-break', [t.id], t.ms, t.endMs);
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
				Math.min(...list.map((t) => t.ms)),
				Math.max(...list.map((t) => t.endMs))
			);
		}
	return out;
}

/** Every conflict in a set of appointments (typically one or more merged schedule months). */
export function detectConflicts(appointments: readonly Slot[], ctx: ConflictContext = {}): Conflict[] {
	return new ConflictIndex().detect(appointments, ctx);
}
