/**
 * What the schedule derives after every change — the view's appointments, no-show counts and the
 * conflicts over the watched window — and the writes by which a person accepts a conflict ("keep
 * both") or takes that back.
 */
import { addDays, scheduleMonth, zonedDayRange, type Appointment } from '../domain';
import { detectConflicts, type Conflict, type ConflictRules } from '../domain/schedule/conflicts';
import { conflictResolutionsIn } from '../crdt/collections';
import { scheduleDoc } from '../crdt/layout';
import { CONFLICT_DAYS_BACK } from './schedule-helpers';
import type { ScheduleStore } from './schedule-store';

export interface DeriveInput {
	/** Every loaded appointment. */
	all: readonly Appointment[];
	/** The view's local dates [from, to). */
	from: string;
	to: string;
	timeZone: string;
	today: string;
	/** Conflicts someone accepted. */
	acknowledgements: string[];
	/** Hours and breaks to check against; absent, only overlaps are conflicts. */
	rules?: ConflictRules | undefined;
}

export interface Derived {
	noShows: Map<string, number>;
	/** In the view's range, by start. */
	appointments: Appointment[];
	/** Open ones first. */
	conflicts: Conflict[];
}

export function deriveSchedule(input: DeriveInput): Derived {
	const { all, timeZone: tz } = input;
	const start = zonedDayRange(input.from, tz).start;
	const end = zonedDayRange(addDays(input.to, -1), tz).end;
	const noShows = new Map<string, number>();
	for (const a of all)
		if (a.status === 'no-show') noShows.set(a.patientId, (noShows.get(a.patientId) ?? 0) + 1);
	const appointments = all
		.filter((a) => a.start < end && a.end > start)
		.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
	const windowStart = zonedDayRange(addDays(input.today, -CONFLICT_DAYS_BACK), tz).start;
	const relevant = all.filter((a) => a.end > windowStart || (a.start < end && a.end > start));
	const conflicts = detectConflicts(relevant, {
		acknowledgements: input.acknowledgements,
		...(input.rules ? { rules: input.rules } : {})
	}).sort((a, b) => Number(a.resolved) - Number(b.resolved) || a.start.localeCompare(b.start));
	return { noShows, appointments, conflicts };
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
