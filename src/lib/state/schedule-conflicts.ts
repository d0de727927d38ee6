/**
 * What the schedule derives after every change — the view's appointments, no-show counts and the
 * conflicts over the watched window — and the writes by which a person accepts a conflict ("keep
 * both") or takes that back.
 */
import { addDays, scheduleMonth, zonedDayRange, type Appointment } from '../domain';
import { ConflictIndex, type Conflict, type ConflictRules } from '../domain/schedule/conflicts';
import { conflictResolutionsIn } from '../crdt/collections';
import { scheduleDoc } from '../crdt/layout';
import { CONFLICT_DAYS_BACK } from './schedule-helpers';
import { ScheduleStore, type AppointmentChange } from './schedule-store';

export interface DeriveInput {
	/** Loaded appointments overlapping the view (`deriveRanges(…).view`). */
	inView: readonly Appointment[];
	/**
	 * The view's appointments as the last call returned them, with what changed in the view since
	 * (`viewChanges`): the list is patched instead of sorted again, and stays the same array when
	 * nothing in it changed (no re-render).
	 */
	sorted?:
		{ previous: readonly Appointment[]; changed: ReadonlyMap<string, Appointment | undefined> } | undefined;
	/** Loaded appointments ending after the conflict window's start (read only when `changed` cannot be used). */
	watched: () => readonly Appointment[];
	/**
	 * What changed in the conflict check's set since the last call with `index` (`relevantChanges`):
	 * each id with its record now, or undefined when it left the set. With it, only those records are
	 * checked; without it (or when `index` cannot follow), the whole set is.
	 */
	changed?: ReadonlyMap<string, Appointment | undefined> | undefined;
	/** The conflict window's start (`deriveRanges(…).windowStart`). */
	windowStart: string;
	/** Conflicts someone accepted. */
	acknowledgements: string[];
	/** Hours and breaks to check against; absent, only overlaps are conflicts. */
	rules?: ConflictRules | undefined;
	/** Remembers conflicts between calls, so that an edit re-checks only the days it touched. */
	index?: ConflictIndex;
}

export interface Derived {
	/** In the view's range, by start. */
	appointments: Appointment[];
	/** Open ones first. */
	conflicts: Conflict[];
}

/** Where the view's and the conflict window's appointments come from (see `ScheduleStore.appointmentsAround`). */
export function deriveRanges(from: string, to: string, today: string, tz: string) {
	return {
		view: { start: zonedDayRange(from, tz).start, end: zonedDayRange(addDays(to, -1), tz).end },
		windowStart: zonedDayRange(addDays(today, -CONFLICT_DAYS_BACK), tz).start
	};
}

export function deriveSchedule(input: DeriveInput): Derived {
	const appointments = input.sorted
		? patchSorted(input.sorted.previous, input.sorted.changed)
		: [...input.inView].sort(byStart);
	const index = input.index ?? new ConflictIndex();
	const ctx = { acknowledgements: input.acknowledgements, ...(input.rules ? { rules: input.rules } : {}) };
	if (input.changed && index.canUpdate(input.rules))
		return { appointments, conflicts: openFirst(index.update(input.changed, ctx)) };
	// A view in the past adds its own days to the conflict check.
	const past = appointments.filter((a) => !(a.end > input.windowStart));
	const watched = input.watched();
	const relevant = past.length > 0 ? [...watched, ...past] : watched;
	return { appointments, conflicts: openFirst(index.detect(relevant, ctx)) };
}

/**
 * The store's changed appointments as changes of the conflict check's set: those of the window
 * (`overlapping(windowStart)`) and the view's own past days, as `deriveSchedule` puts them together;
 * a record outside both has left the set.
 */
export function relevantChanges(
	changes: ReadonlyMap<string, AppointmentChange>,
	view: { start: string; end: string },
	windowStart: string
): Map<string, Appointment | undefined> {
	const inWindow = ScheduleStore.within(windowStart);
	const inView = ScheduleStore.within(view.start, view.end);
	const out = new Map<string, Appointment | undefined>();
	for (const [id, { name, a }] of changes) {
		const member = a && (inWindow(name, a) || (!(a.end > windowStart) && inView(name, a)));
		out.set(id, member ? a : undefined);
	}
	return out;
}

/**
 * The store's changed appointments as changes of the view's list (`overlapping(view.start, view.end)`):
 * each id with its record now, or undefined when it is not (or no longer) in the view.
 */
export function viewChanges(
	changes: ReadonlyMap<string, AppointmentChange>,
	view: { start: string; end: string }
): Map<string, Appointment | undefined> {
	const inView = ScheduleStore.within(view.start, view.end);
	const out = new Map<string, Appointment | undefined>();
	for (const [id, { name, a }] of changes) out.set(id, a && inView(name, a) ? a : undefined);
	return out;
}

/** Above this many changed records the view's list is sorted again rather than patched. */
const PATCH_SORTED_MAX = 32;

/**
 * `previous` (sorted by start, then id) with the `changed` ids taken out and their records now put in
 * at their place: what sorting the new list gives, without the sort (for a 200-visit day, most of what
 * deriving cost after a one-record edit). Nothing of it changed: `previous` itself.
 */
export function patchSorted(
	previous: readonly Appointment[],
	changed: ReadonlyMap<string, Appointment | undefined>
): Appointment[] {
	const out = previous.filter((a) => !changed.has(a.id));
	const added = [...changed.values()].filter((a) => a !== undefined);
	if (out.length === previous.length && added.length === 0) return previous as Appointment[];
	if (added.length > PATCH_SORTED_MAX) return [...out, ...added].sort(byStart);
	for (const a of added) {
		let lo = 0;
		let hi = out.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (byStart(out[mid]!, a) < 0) lo = mid + 1;
			else hi = mid;
		}
		out.splice(lo, 0, a);
	}
	return out;
}

const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byStart = (a: Appointment, b: Appointment) => cmp(a.start, b.start) || cmp(a.id, b.id);

/** The last list sorted for display: unchanged conflicts give back the same array (no re-render). */
let lastDetected: readonly Conflict[] | null = null;
let lastSorted: Conflict[] = [];
function openFirst(detected: readonly Conflict[]): Conflict[] {
	if (detected !== lastDetected) {
		lastDetected = detected;
		// Detection sorts by start already: open ones, then resolved ones, each in that order.
		lastSorted = [...detected.filter((c) => !c.resolved), ...detected.filter((c) => c.resolved)];
	}
	return lastSorted;
}

/** Records that a person accepts an intentional double-booking (or a booking outside the rules). */
export function keepBoth(store: ScheduleStore, conflict: Conflict, note: string): void {
	store.requireWrite();
	const name = scheduleDoc(scheduleMonth(conflict.start));
	const doc = store.ws.docs().open(name);
	const now = new Date().toISOString();
	const resolutions = conflictResolutionsIn(doc);
	const record = {
		id: conflict.id,
		createdAt: now,
		updatedAt: now,
		decision: 'kept-both' as const,
		by: store.userId(),
		note
	};
	if (resolutions.has(conflict.id)) resolutions.update(conflict.id, { ...record, deletedAt: undefined });
	else resolutions.insert(record);
	store.ws.audit('resolve-conflict', 'conflict', conflict.id);
	store.readMonth(name);
}

/** Takes back a "keep both": the conflict is open again. */
export function reopenConflict(store: ScheduleStore, conflictId: string): void {
	store.requireWrite();
	for (const { name, doc } of store.resolving(conflictId)) {
		const now = new Date().toISOString();
		conflictResolutionsIn(doc).update(conflictId, { deletedAt: now, updatedAt: now });
		store.ws.audit('resolve-conflict', 'conflict', conflictId);
		store.readMonth(name);
	}
}
