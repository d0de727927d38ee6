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
import {
	checkBucket,
	DAY_MS,
	daysBetween,
	endTimesOf,
	isLive,
	localDateOf,
	sameConflict,
	timesOf,
	type Bucket,
	type Open,
	type Slot,
	type Timed,
	type Times
} from './conflict-check';

export { conflictId } from './conflict-check';

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
 * each day it touches). Only the buckets a changed record left or joined are checked again, and the
 * list changes only where their conflicts did: after a one-record edit the schedule re-checks one or
 * two buckets instead of the whole window, and gets the same array back when nothing changed.
 *
 * Two ways in. `detect` takes the whole set and finds what changed by identity (records are
 * immutable values, a change is a new object). `update` takes only what changed — for a caller that
 * knows it (the schedule's store names the records each transaction touched) — and so costs the
 * changed records, not a walk over the window. Either way the answer is that of a fresh
 * `detectConflicts`, which is this class used once.
 */
export class ConflictIndex {
	private entries = new Map<string, Entry>();
	private buckets = new Map<string, Bucket>();
	/** Every open conflict once (an overlap over midnight is found in both days), and how many buckets hold it. */
	private open = new Map<string, { c: Open; n: number }>();
	private rules: ConflictRules | undefined;
	private calls = 0;
	private output: Conflict[] = [];
	private acknowledged = new Set<string>();
	/** One object per conflict, so that an unchanged conflict is the same object next time. */
	private shown = new Map<string, Conflict>();

	detect(appointments: readonly Slot[], ctx: ConflictContext = {}): Conflict[] {
		const call = ++this.calls;
		if (ctx.rules !== this.rules || call === 1) {
			this.clear();
			this.calls = call;
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
			const live = isLive(a);
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
		return this.finish(dirty, ctx);
	}

	/** Whether `update` may follow: a `detect` ran with these rules and nothing cleared the index since. */
	canUpdate(rules: ConflictRules | undefined): boolean {
		return this.calls > 0 && rules === this.rules;
	}

	/**
	 * The set the last call saw with `changes` applied — each id with its record now, or undefined
	 * when it left the set (deleted, or out of the window) — gives what `detect` of the new set would.
	 * The caller answers for the rest of the set being unchanged; see `canUpdate`.
	 */
	update(changes: ReadonlyMap<string, Slot | undefined>, ctx: ConflictContext = {}): Conflict[] {
		if (!this.canUpdate(ctx.rules)) throw new Error('ConflictIndex.update: detect the whole set first');
		const dirty = new Set<string>();
		for (const [id, a] of changes) {
			const prev = this.entries.get(id);
			if (prev && prev.item.a === a) continue;
			if (prev) this.remove(prev, dirty);
			if (a && a.id === id && isLive(a)) this.add(a, this.calls, dirty);
		}
		return this.finish(dirty, ctx);
	}

	clear(): void {
		this.entries.clear();
		this.buckets.clear();
		this.open.clear();
		this.shown.clear();
		this.output = [];
		this.calls = 0;
	}

	/** Checks the buckets changes touched again, and the list where their conflicts changed. */
	private finish(dirty: ReadonlySet<string>, ctx: ConflictContext): Conflict[] {
		const changed = new Set<string>();
		for (const key of dirty) {
			const bucket = this.buckets.get(key);
			if (!bucket) continue;
			const before = bucket.conflicts;
			bucket.conflicts = bucket.items.size ? checkBucket(bucket, this.rules) : [];
			if (!bucket.items.size) this.buckets.delete(key);
			// The new ones first, so a conflict still there is never counted down to nothing in between.
			for (const c of bucket.conflicts) {
				const held = this.open.get(c.id);
				if (!held) {
					this.open.set(c.id, { c, n: 1 });
					changed.add(c.id);
				} else {
					held.n++;
					if (!sameConflict(held.c, c)) {
						held.c = c;
						changed.add(c.id);
					}
				}
			}
			for (const c of before) {
				const held = this.open.get(c.id);
				if (held && --held.n === 0) {
					this.open.delete(c.id);
					changed.add(c.id);
				}
			}
		}

		const acknowledged = new Set(ctx.acknowledgements ?? []);
		const sameAcks = sameSet(acknowledged, this.acknowledged);
		if (changed.size === 0 && sameAcks) return this.output;
		this.acknowledged = acknowledged;
		if (!sameAcks) {
			const before = this.shown;
			this.shown = new Map();
			const out = [...this.open.values()].map(({ c }) => this.shownOf(c, before));
			return (this.output = out.sort(byStartKindId));
		}
		const out = this.output.filter((c) => !changed.has(c.id));
		for (const id of changed) {
			const held = this.open.get(id);
			if (!held) this.shown.delete(id);
			else insertSorted(out, this.shownOf(held.c));
		}
		return (this.output = out);
	}

	private shownOf(c: Open, before = this.shown): Conflict {
		const resolved = this.acknowledged.has(c.id);
		let shown = before.get(c.id);
		if (!shown || shown.resolved !== resolved || !sameConflict(shown, c)) {
			shown = { ...c, resolved };
		}
		this.shown.set(c.id, shown);
		return shown;
	}

	private dayOf(instant: string, t: Times): string {
		return this.rules
			? localDateOf(instant, t, this.rules.timeZone)
			: String(Math.floor(Date.parse(instant) / DAY_MS));
	}

	private add(a: Slot, call: number, dirty: Set<string>): void {
		const t = timesOf(a);
		const item: Timed = { id: a.id, ms: t.ms, endMs: t.endMs, t, a, home: this.dayOf(a.start, t) };
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

	/** Takes a record out of its buckets; a bucket left empty goes in `finish`, after its conflicts. */
	private remove(e: Entry, dirty: Set<string>): void {
		this.entries.delete(e.item.id);
		for (const key of e.keys) {
			const b = this.buckets.get(key);
			if (!b) continue;
			b.items.delete(e.item.id);
			dirty.add(key);
		}
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

const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byStartKindId = (a: Conflict, b: Conflict) =>
	cmp(a.start, b.start) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmp(a.id, b.id);

/** Puts `c` into a list sorted by `byStartKindId`, in its place. */
function insertSorted(list: Conflict[], c: Conflict): void {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (byStartKindId(list[mid]!, c) < 0) lo = mid + 1;
		else hi = mid;
	}
	list.splice(lo, 0, c);
}

/** Every conflict in a set of appointments (typically one or more merged schedule months). */
export function detectConflicts(appointments: readonly Slot[], ctx: ConflictContext = {}): Conflict[] {
	return new ConflictIndex().detect(appointments, ctx);
}
