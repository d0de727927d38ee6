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
import { CLINICDESK_NAMESPACE, uuidV5 } from './recurrence';
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

export function conflictId(kind: ConflictKind, appointmentIds: readonly string[]): string {
	return uuidV5(`conflict/${kind}/${[...appointmentIds].sort().join('+')}`, CLINICDESK_NAMESPACE);
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

/** Every conflict in a set of appointments (typically one or more merged schedule months). */
export function detectConflicts(appointments: readonly Slot[], ctx: ConflictContext = {}): Conflict[] {
	const acknowledged = new Set(ctx.acknowledgements ?? []);
	const seen = new Map<string, Conflict>();
	const add = (kind: ConflictKind, ids: string[], resourceId: string, startMs: number, endMs: number) => {
		const sorted = [...ids].sort();
		const id = conflictId(kind, sorted);
		if (seen.has(id)) return;
		seen.set(id, {
			id,
			kind,
			appointmentIds: sorted,
			resourceId,
			start: iso(startMs),
			end: iso(endMs),
			resolved: acknowledged.has(id)
		});
	};

	// One booking per id (a replica should never hold two, but inputs may concatenate months).
	const unique = new Map<string, Timed>();
	for (const a of appointments) {
		if (a.deletedAt || !occupiesSlot(a.status)) continue;
		const ms = Date.parse(a.start);
		const endMs = Date.parse(a.end);
		if (!(endMs > ms)) continue;
		unique.set(a.id, { id: a.id, ms, endMs, a });
	}
	const live = [...unique.values()];

	const groups = (key: (t: Timed) => string | undefined) => {
		const m = new Map<string, Timed[]>();
		for (const t of live) {
			const k = key(t);
			if (k === undefined) continue;
			const list = m.get(k);
			if (list) list.push(t);
			else m.set(k, [t]);
		}
		return m;
	};
	const overlap = (kind: ConflictKind) => (resourceId: string) => (x: Timed, y: Timed) =>
		add(kind, [x.id, y.id], resourceId, Math.max(x.ms, y.ms), Math.min(x.endMs, y.endMs));
	for (const [p, list] of groups((t) => t.a.providerId)) sweep(list, overlap('provider-overlap')(p));
	for (const [r, list] of groups((t) => t.a.roomId)) sweep(list, overlap('room-overlap')(r));

	const rules = ctx.rules;
	if (rules) {
		const dayGroups = new Map<string, Timed[]>();
		for (const t of live) {
			const date = localDate(t.a.start, rules.timeZone);
			const day = rules.day(t.a.providerId, date);
			if (day) {
				const inside = day.hours.some((h) => Date.parse(h.start) <= t.ms && t.endMs <= Date.parse(h.end));
				if (!inside) add('outside-hours', [t.id], t.a.providerId, t.ms, t.endMs);
				if (day.breaks.some((b) => Date.parse(b.start) < t.endMs && t.ms < Date.parse(b.end)))
					add('over-break', [t.id], t.a.providerId, t.ms, t.endMs);
			}
			const key = `${t.a.providerId}|${t.a.typeId}|${date}`;
			const list = dayGroups.get(key);
			if (list) list.push(t);
			else dayGroups.set(key, [t]);
		}
		if (rules.maxPerDay)
			for (const list of dayGroups.values()) {
				const { providerId, typeId } = list[0]!.a;
				const max = rules.maxPerDay(typeId, providerId);
				if (max === undefined || list.length <= max) continue;
				add(
					'max-per-day',
					list.map((t) => t.id),
					providerId,
					Math.min(...list.map((t) => t.ms)),
					Math.max(...list.map((t) => t.endMs))
				);
			}
	}

	const kindOrder: ConflictKind[] = [
		'provider-overlap',
		'room-overlap',
		'outside-hours',
		'over-break',
		'max-per-day'
	];
	const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
	return [...seen.values()].sort(
		(a, b) =>
			cmp(a.start, b.start) || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || cmp(a.id, b.id)
	);
}
