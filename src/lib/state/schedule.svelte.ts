/**
 * The schedule as the calendar screens see it (issue "Scheduling"). It keeps a window of monthly
 * schedule documents open — the months the current view shows plus the weeks around today where
 * conflicts, the flow board and recurring series live — and `schedule/common` (series, provider
 * hours, time off, waitlist). Each document is re-read only when it changes; everything derived
 * (the view's appointments, conflicts) is recomputed once per batch of changes.
 *
 * Every write goes through a method here so that it is checked against the role, recorded in the
 * appointment's own history (kept beside it in its month's document, visible to colleagues) and in
 * the audit log (ids and action codes only).
 */
import type * as Y from 'yjs';
import {
	addDays,
	appointment as appointmentSchema,
	canTransition,
	localDate,
	localMinutes,
	occupiesSlot,
	scheduleMonth,
	SlotFinder,
	TIME_OF_DAY,
	weekday,
	zonedDayRange,
	zonedTimeToUtc,
	type Appointment,
	type AppointmentStatus,
	type AppointmentType,
	type AvailabilityException,
	type AvailabilityTemplate,
	type Slot,
	type SlotQuery
} from '../domain';
import { detectConflicts, type Conflict } from '../domain/schedule/conflicts';
import {
	appointmentSeries,
	cancelAll,
	cancelThisAndFollowing,
	editAll,
	editThisAndFollowing,
	keyOf,
	materializationWindow,
	occurrenceId,
	planMaterialization,
	type AppointmentSeries,
	type OccurrenceKey,
	type SeriesChanges,
	type SeriesEdit
} from '../domain/schedule/recurrence';
import {
	seriesExceptionId,
	type AppointmentEvent,
	type AppointmentEventKind,
	type ConflictResolution,
	type SeriesExceptionRecord,
	type WaitlistEntry
} from '../domain/schedule/records';
import { conflictRulesFrom } from '../domain/schedule/rules';
import {
	appointmentEventsIn,
	appointmentTypesIn,
	appointmentsIn,
	availabilityExceptionsIn,
	availabilityTemplatesIn,
	conflictResolutionsIn,
	seriesExceptionsIn,
	seriesIn,
	waitlistIn
} from '../crdt/collections';
import { directoryDoc, monthsBetween, scheduleCommonDoc, scheduleDoc, type DocName } from '../crdt/layout';
import type { WorkspaceState } from './workspace.svelte';

export type CalendarView = 'day' | 'week' | 'month' | 'agenda' | 'flow' | 'conflicts' | 'waitlist';
export type SeriesScope = 'one' | 'following' | 'all';

export interface BookingInput {
	patientId: string;
	providerId: string;
	typeId: string;
	start: string;
	end: string;
	roomId?: string | undefined;
	reason?: string;
	notes?: string;
	/** RRULE value (`FREQ=WEEKLY;INTERVAL=2;COUNT=6`) for a recurring booking. */
	rrule?: string | undefined;
}

export interface SlotChange {
	start: string;
	end: string;
	providerId: string;
	/** A room to book, `null` to free the room, absent to keep it. */
	roomId?: string | null | undefined;
}

/** A slot that just became free and the waitlisted patients who would take it. */
export interface WaitlistOffer {
	slot: SlotChange;
	entries: WaitlistEntry[];
}

export class ScheduleError extends Error {
	override name = 'ScheduleError';
}

interface MonthData {
	appointments: Appointment[];
	resolutions: Map<string, ConflictResolution>;
}

const WEEK_STARTS_ON = 0; // Sunday, as on US office calendars.
/** Conflicts are watched from a week back to the materialization window ahead. */
const CONFLICT_DAYS_BACK = 7;
const CONFLICT_DAYS_AHEAD = 13 * 7;
/** Months a next-available search reads ahead. */
const SEARCH_MONTHS = 6;

export class ScheduleState {
	/** The anchor date of the view (clinic-local `yyyy-mm-dd`). */
	day = $state('');
	view = $state<CalendarView>('day');
	/** Local dates [from, to) the view shows. */
	from = $state('');
	to = $state('');
	/** Appointments in the view's range (every status; deleted records left out), by start. */
	appointments = $state.raw<Appointment[]>([]);
	/** Conflicts over the loaded window, open ones first. */
	conflicts = $state.raw<Conflict[]>([]);
	templates = $state.raw<AvailabilityTemplate[]>([]);
	exceptions = $state.raw<AvailabilityException[]>([]);
	series = $state.raw<AppointmentSeries[]>([]);
	waitlist = $state.raw<WaitlistEntry[]>([]);
	/** Set after a cancellation or move frees a slot that waitlisted patients would take. */
	offer = $state.raw<WaitlistOffer | null>(null);
	/** The appointment open in the booking dialog (shared as presence). */
	openId = $state<string | null>(null);
	loading = $state(false);
	/** No-shows per patient over the loaded months. */
	noShows = $state.raw<Map<string, number>>(new Map());

	private readonly changeListeners = new Set<() => void>();
	private readonly months = new Map<DocName, MonthData>();
	private readonly docs = new Map<DocName, Y.Doc>();
	private stops: (() => void)[] = [];
	private generation = 0;
	private recomputeQueued = false;
	private commonLoaded = false;
	private materializing = false;

	constructor(private readonly ws: WorkspaceState) {}

	get timeZone(): string {
		return this.ws.clinic?.timeZone ?? 'UTC';
	}

	get slotMinutes(): number {
		return this.ws.clinic?.slotMinutes ?? 15;
	}

	get canWrite(): boolean {
		return this.ws.can('schedule', 'write');
	}

	today(now = new Date()): string {
		return localDate(now, this.timeZone);
	}

	/** The local dates [from, to) a view anchored at `day` shows. */
	rangeOf(view: CalendarView, day: string): { from: string; to: string } {
		switch (view) {
			case 'week': {
				const start = addDays(day, -((weekday(day) - WEEK_STARTS_ON + 7) % 7));
				return { from: start, to: addDays(start, 7) };
			}
			case 'month': {
				const first = `${day.slice(0, 8)}01`;
				const start = addDays(first, -((weekday(first) - WEEK_STARTS_ON + 7) % 7));
				return { from: start, to: addDays(start, 42) };
			}
			case 'agenda':
				return { from: day, to: addDays(day, 14) };
			case 'conflicts': {
				const today = this.today();
				return { from: addDays(today, -CONFLICT_DAYS_BACK), to: addDays(today, CONFLICT_DAYS_AHEAD) };
			}
			default:
				return { from: day, to: addDays(day, 1) };
		}
	}

	/** Shows `day` in `view` (default: the current view), opening the documents it needs. */
	async show(day: string, view: CalendarView = this.view): Promise<void> {
		if (!this.ws.clinic || !this.ws.can('schedule')) return;
		const generation = ++this.generation;
		const { from, to } = this.rangeOf(view, day);
		this.day = day;
		this.view = view;
		this.from = from;
		this.to = to;
		this.shareView();
		const tz = this.timeZone;
		const today = this.today();
		// The view's months and the window around today, not the span between them: a date typed far
		// from today opens only its own months.
		const viewStart = zonedDayRange(from, tz).start;
		const viewEnd = zonedDayRange(addDays(to, -1), tz).end;
		const around = zonedDayRange(addDays(today, -CONFLICT_DAYS_BACK), tz).start;
		const aroundEnd = zonedDayRange(addDays(today, CONFLICT_DAYS_AHEAD), tz).end;
		const names = [
			...new Set([...monthsBetween(viewStart, viewEnd), ...monthsBetween(around, aroundEnd)])
		].map(scheduleDoc);
		this.loading = true;
		try {
			await this.openCommon();
			await Promise.all(names.map((n) => this.openMonth(n)));
		} finally {
			if (generation === this.generation) this.loading = false;
		}
		if (generation !== this.generation) return;
		this.recompute();
		void this.materialize();
	}

	/** Reads months further ahead (a next-available search, a long agenda) without changing the view. */
	async ensureMonths(fromIso: string, toIso: string): Promise<void> {
		await Promise.all(monthsBetween(fromIso, toIso).map((m) => this.openMonth(scheduleDoc(m))));
		this.recompute();
	}

	/** Appointments of the open months overlapping [fromIso, toIso), by start (e.g. a booking form's overlap check). */
	appointmentsBetween(fromIso: string, toIso: string): Appointment[] {
		return this.allLoaded()
			.filter((a) => a.start < toIso && a.end > fromIso)
			.sort((a, b) => a.start.localeCompare(b.start));
	}

	forProvider(providerId: string): Appointment[] {
		return this.appointments.filter((a) => a.providerId === providerId);
	}

	forRoom(roomId: string): Appointment[] {
		return this.appointments.filter((a) => a.roomId === roomId);
	}

	/** Appointments on one local date (the view's range may hold several). */
	onDate(date: string): Appointment[] {
		const { start, end } = zonedDayRange(date, this.timeZone);
		return this.appointments.filter((a) => a.start < end && a.end > start);
	}

	find(id: string): Appointment | undefined {
		for (const m of this.months.values()) {
			const a = m.appointments.find((x) => x.id === id);
			if (a) return a;
		}
		return undefined;
	}

	/**
	 * No-shows of a patient in the loaded schedule months (the view's window, plus the past year once
	 * `loadHistory` has run after the first paint).
	 */
	noShowCount(patientId: string): number {
		return this.noShows.get(patientId) ?? 0;
	}

	/** Opens the past twelve months in the background, for no-show counts. */
	async loadHistory(now = new Date()): Promise<void> {
		const from = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1)).toISOString();
		await this.ensureMonths(from, now.toISOString());
	}

	/** Open conflicts that involve an appointment. */
	conflictsOf(appointmentId: string): Conflict[] {
		return this.conflicts.filter((c) => c.appointmentIds.includes(appointmentId));
	}

	resolutionOf(conflictId: string): ConflictResolution | undefined {
		for (const m of this.months.values()) {
			const r = m.resolutions.get(conflictId);
			if (r) return r;
		}
		return undefined;
	}

	seriesOf(a: Pick<Appointment, 'seriesId'>): AppointmentSeries | undefined {
		return a.seriesId ? this.series.find((s) => s.id === a.seriesId) : undefined;
	}

	/** What happened to an appointment, oldest first (following reschedules back to the first booking). */
	async historyOf(id: string): Promise<AppointmentEvent[]> {
		const out: AppointmentEvent[] = [];
		let current = this.find(id);
		let guard = 0;
		let cursor: string | undefined = id;
		while (cursor && guard++ < 20) {
			const month: string = current ? scheduleMonth(current.start) : '';
			const names = current
				? [scheduleDoc(month)]
				: [...this.docs.keys()].filter((n) => n !== scheduleCommonDoc());
			for (const name of names) {
				const doc = this.docs.get(name) ?? (await this.ws.docs().ready(name));
				for (const e of appointmentEventsIn(doc).all().records) if (e.appointmentId === cursor) out.push(e);
			}
			cursor = current?.rescheduledFromId;
			current = cursor ? this.find(cursor) : undefined;
		}
		return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
	}

	// ---------------------------------------------------------------------------------------------
	// Booking and changes

	/** Books one appointment, or a recurring series (materialized 12 weeks ahead). Returns the first. */
	book(input: BookingInput): Appointment {
		this.requireWrite();
		const now = new Date().toISOString();
		if (input.rrule) return this.bookSeries(input, now);
		const created = this.insertAppointment({
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			patientId: input.patientId,
			providerId: input.providerId,
			...(input.roomId ? { roomId: input.roomId } : {}),
			typeId: input.typeId,
			start: input.start,
			end: input.end,
			status: 'booked',
			reason: input.reason ?? '',
			notes: input.notes ?? ''
		});
		this.event(created, 'booked', { to: slotOf(created) });
		this.ws.audit('create', 'appointment', created.id);
		this.recompute();
		return created;
	}

	private bookSeries(input: BookingInput, now: string): Appointment {
		const tz = this.timeZone;
		const minutes = localMinutes(input.start, tz);
		const series = appointmentSeries.parse({
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			rrule: input.rrule,
			dtstart: {
				date: localDate(input.start, tz),
				time: `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`,
				tz
			},
			durationMinutes: Math.round((Date.parse(input.end) - Date.parse(input.start)) / 60000),
			providerId: input.providerId,
			typeId: input.typeId,
			patientId: input.patientId,
			...(input.roomId ? { roomId: input.roomId } : {}),
			reason: input.reason ?? ''
		});
		const common = this.common();
		seriesIn(common).insert(series);
		this.ws.audit('create', 'appointment-series', series.id);
		const window = materializationWindow(now);
		const changes = planMaterialization(
			series,
			[],
			input.start,
			window.to > input.start ? window.to : addWeeks(input.start, 12),
			now
		);
		this.apply(changes, 'booked');
		if (input.notes)
			for (const a of changes.appointmentInserts) this.update(a.id!, { notes: input.notes }, false);
		this.readCommon();
		this.recompute();
		const first = changes.appointmentInserts[0];
		const found = first?.id ? this.find(first.id) : undefined;
		if (!found) throw new ScheduleError('The series has no occurrence in the next 12 weeks');
		return found;
	}

	/** Field edits (reason, notes, room, type): merged field by field with colleagues' edits. */
	update(
		id: string,
		patch: Partial<Pick<Appointment, 'reason' | 'notes' | 'roomId' | 'typeId' | 'end'>>,
		record = true
	): Appointment {
		this.requireWrite();
		const { doc, current } = this.locate(id);
		const at = new Date().toISOString();
		const by = this.userId();
		const updated = appointmentsIn(doc).update(id, { ...patch, updatedAt: at }, null, { by, at });
		if (record) {
			this.event(updated, 'end' in patch ? 'resized' : 'edited', {
				from: slotOf(current),
				to: slotOf(updated)
			});
			this.ws.audit('change', 'appointment', id);
		}
		this.readMonth(scheduleDoc(scheduleMonth(updated.start)));
		this.recompute();
		return updated;
	}

	/** A new length (drag of the bottom edge, Shift+arrow). */
	resize(id: string, end: string): Appointment {
		return this.update(id, { end });
	}

	/**
	 * Moves an appointment (drag, keyboard, or a new time in the form). Within its month it changes in
	 * place (a colleague's simultaneous note edit still merges in); into another month it is
	 * rescheduled: the old record stays as history with status 'rescheduled' and a new booking points
	 * back to it. A moved occurrence of a series is recorded as that occurrence's exception.
	 */
	move(id: string, to: SlotChange, reason?: string): Appointment {
		this.requireWrite();
		const { doc, current } = this.locate(id);
		if (!occupiesSlot(current.status) || current.status === 'completed')
			throw new ScheduleError(`A ${current.status} appointment cannot be moved`);
		const now = new Date().toISOString();
		const by = this.userId();
		const freed = slotOf(current);
		const series = this.seriesOf(current);
		if (series)
			this.writeSeriesException(series, id, current, { moved: { start: to.start, end: to.end } }, now);
		let result: Appointment;
		if (scheduleMonth(to.start) === scheduleMonth(current.start)) {
			result = appointmentsIn(doc).update(
				id,
				{
					start: to.start,
					end: to.end,
					providerId: to.providerId,
					...(to.roomId !== undefined ? { roomId: to.roomId ?? undefined } : {}),
					updatedAt: now
				},
				null,
				{ by, at: now }
			);
			this.event(result, 'moved', { from: freed, to: slotOf(result), reason });
			this.ws.audit('change', 'appointment', id);
		} else {
			const replacementId = crypto.randomUUID();
			result = this.insertAppointment({
				...withoutBookkeeping(current),
				id: replacementId,
				createdAt: now,
				updatedAt: now,
				start: to.start,
				end: to.end,
				providerId: to.providerId,
				...(to.roomId !== undefined ? { roomId: to.roomId ?? undefined } : {}),
				status: current.status === 'confirmed' ? 'confirmed' : 'booked',
				rescheduledFromId: id
			});
			const old = appointmentsIn(doc).update(id, { status: 'rescheduled', updatedAt: now }, null, {
				by,
				at: now
			});
			// One event tells both sides: the replacement's history starts from the one it replaced.
			this.event(old, 'rescheduled', { from: freed, to: slotOf(result), reason, replacementId });
			this.ws.audit('change', 'appointment', id);
			this.ws.audit('create', 'appointment', replacementId);
		}
		this.readAll();
		this.recompute();
		this.offerFreed(freed, current.typeId);
		return result;
	}

	/** booked → confirmed → arrived → in room → completed, or no-show; see `canTransition`. */
	setStatus(id: string, status: AppointmentStatus, reason?: string): Appointment {
		this.requireWrite();
		if (status === 'cancelled') return this.cancel(id, reason ?? '');
		const { doc, current } = this.locate(id);
		if (!canTransition(current.status, status))
			throw new ScheduleError(`Cannot go from ${current.status} to ${status}`);
		const now = new Date().toISOString();
		const patch: Partial<Appointment> = { status, updatedAt: now };
		if (status === 'arrived' && !current.arrivedAt) patch.arrivedAt = now;
		if (status === 'booked' || status === 'confirmed') patch.arrivedAt = undefined;
		if (current.status === 'cancelled') patch.cancelReason = undefined;
		const updated = appointmentsIn(doc).update(id, patch, null, { by: this.userId(), at: now });
		this.event(updated, 'status', { status });
		this.ws.audit('change', 'appointment', id);
		this.readMonth(scheduleDoc(scheduleMonth(updated.start)));
		this.recompute();
		if (status === 'no-show') this.offerFreed(slotOf(current), current.typeId);
		return updated;
	}

	/**
	 * Cancels with a reason. For an occurrence of a series, `scope` says whether this one, this and
	 * the following, or the whole series is cancelled.
	 */
	cancel(id: string, reason: string, scope: SeriesScope = 'one'): Appointment {
		this.requireWrite();
		const why = reason.trim();
		if (!why) throw new ScheduleError('Give a reason for the cancellation');
		const { doc, current } = this.locate(id);
		const now = new Date().toISOString();
		const series = this.seriesOf(current);
		if (series && scope !== 'one') {
			const existing = this.seriesAppointments(series.id);
			const key = this.keyOfOccurrence(series, current);
			const changes =
				scope === 'all'
					? cancelAll(series, why, existing, now)
					: cancelThisAndFollowing(series, key, why, existing, now);
			this.apply(changes, 'cancelled', why);
			this.ws.audit('change', 'appointment-series', series.id);
		} else {
			if (!canTransition(current.status, 'cancelled'))
				throw new ScheduleError(`A ${current.status} appointment cannot be cancelled`);
			if (series) this.writeSeriesException(series, id, current, 'cancelled', now);
			const updated = appointmentsIn(doc).update(
				id,
				{ status: 'cancelled', cancelReason: why, updatedAt: now },
				null,
				{ by: this.userId(), at: now }
			);
			this.event(updated, 'cancelled', { reason: why, from: slotOf(current) });
			this.ws.audit('change', 'appointment', id);
		}
		this.readAll();
		this.recompute();
		this.offerFreed(slotOf(current), current.typeId);
		return this.find(id) ?? current;
	}

	/** "This and following" or "all" edits of a series (time, length, provider, room, type, reason, rule). */
	editSeries(id: string, scope: Exclude<SeriesScope, 'one'>, edit: SeriesEdit): void {
		this.requireWrite();
		const { current } = this.locate(id);
		const series = this.seriesOf(current);
		if (!series) throw new ScheduleError('This appointment is not part of a series');
		const now = new Date().toISOString();
		const existing = this.seriesAppointments(series.id);
		const changes =
			scope === 'all'
				? editAll(series, edit, existing, now)
				: editThisAndFollowing(series, this.keyOfOccurrence(series, current), edit, existing, now);
		this.apply(changes, 'edited');
		this.ws.audit('change', 'appointment-series', series.id);
		this.readCommon();
		void this.materialize();
	}

	// ---------------------------------------------------------------------------------------------
	// Conflicts

	/** A person accepts an intentional double-booking (or a booking outside the rules). */
	keepBoth(conflict: Conflict, note = ''): void {
		this.requireWrite();
		const name = scheduleDoc(scheduleMonth(conflict.start));
		const doc = this.ws.docs().open(name);
		const now = new Date().toISOString();
		const resolutions = conflictResolutionsIn(doc);
		const record = {
			id: conflict.id,
			createdAt: now,
			updatedAt: now,
			decision: 'kept-both' as const,
			by: this.userId(),
			note
		};
		if (resolutions.has(conflict.id)) resolutions.update(conflict.id, { ...record, deletedAt: undefined });
		else resolutions.insert(record);
		this.ws.audit('resolve-conflict', 'conflict', conflict.id);
		this.readMonth(name);
		this.recompute();
	}

	/** Takes back a "keep both" (pressed by mistake): the conflict is open again. */
	reopenConflict(conflictId: string): void {
		this.requireWrite();
		for (const [name, m] of this.months) {
			if (!m.resolutions.has(conflictId)) continue;
			const now = new Date().toISOString();
			conflictResolutionsIn(this.docs.get(name)!).update(conflictId, { deletedAt: now, updatedAt: now });
			this.ws.audit('resolve-conflict', 'conflict', conflictId);
			this.readMonth(name);
		}
		this.recompute();
	}

	/** Resolves a conflict by cancelling one of its appointments. */
	resolveByCancel(conflict: Conflict, appointmentId: string, reason: string): void {
		this.cancel(appointmentId, reason);
		this.ws.audit('resolve-conflict', 'conflict', conflict.id);
	}

	/** Resolves a conflict by moving one of its appointments. */
	resolveByMove(conflict: Conflict, appointmentId: string, to: SlotChange): void {
		this.move(appointmentId, to, 'Conflict resolved');
		this.ws.audit('resolve-conflict', 'conflict', conflict.id);
	}

	// ---------------------------------------------------------------------------------------------
	// Availability and next slot

	/** A search over the loaded schedule; reads `SEARCH_MONTHS` ahead of `from` first. */
	async findSlots(query: SlotQuery): Promise<Slot[]> {
		const until = query.until ?? addWeeks(query.from, Math.round((SEARCH_MONTHS * 365) / 12 / 7));
		await this.ensureMonths(query.from, until);
		const finder = new SlotFinder({
			timeZone: this.timeZone,
			slotMinutes: this.slotMinutes,
			templates: this.templates,
			exceptions: this.exceptions,
			appointments: this.allLoaded(),
			types: this.ws.appointmentTypes,
			providerIds: this.ws.providers.filter((p) => p.active).map((p) => p.id)
		});
		return finder.nextAvailable({ ...query, until });
	}

	/** Working intervals, breaks and blocked time of a provider on a date, as instants (for shading). */
	hoursOf(
		providerId: string,
		date: string
	): { start: string; end: string; kind: 'work' | 'break' | 'blocked'; label?: string }[] {
		const rules = this.rules().day(providerId, date);
		if (!rules) return [];
		const out: { start: string; end: string; kind: 'work' | 'break' | 'blocked'; label?: string }[] = [];
		for (const h of rules.hours) out.push({ ...h, kind: 'work' });
		for (const b of rules.breaks) out.push({ ...b, kind: 'break' });
		return out;
	}

	/** Whether the clinic has any hours for providers on a date (closed: weekend, holiday). */
	holidayOn(date: string): string | undefined {
		const h = this.exceptions.find(
			(e) => !e.deletedAt && e.kind === 'holiday' && e.date === date && e.providerId === undefined
		);
		return h && h.kind === 'holiday' ? h.name || 'Clinic closed' : undefined;
	}

	saveTemplate(t: AvailabilityTemplate): void {
		this.requireWrite();
		const c = availabilityTemplatesIn(this.common());
		if (c.has(t.id)) c.update(t.id, { ...t, updatedAt: new Date().toISOString() });
		else c.insert(t);
		this.ws.audit('change', 'availability', t.id);
		this.readCommon();
		this.recompute();
	}

	saveException(e: AvailabilityException): void {
		this.requireWrite();
		const c = availabilityExceptionsIn(this.common());
		if (c.has(e.id)) c.update(e.id, { ...e, updatedAt: new Date().toISOString() });
		else c.insert(e);
		this.ws.audit('change', 'availability', e.id);
		this.readCommon();
		this.recompute();
	}

	removeTemplate(id: string): void {
		this.softDelete(availabilityTemplatesIn(this.common()), id, 'availability');
	}

	removeException(id: string): void {
		this.softDelete(availabilityExceptionsIn(this.common()), id, 'availability');
	}

	/** Appointment types live in the directory, which administrators edit. */
	saveType(t: AppointmentType): void {
		if (!this.ws.can('directory', 'write'))
			throw new ScheduleError('Only an administrator can change appointment types');
		const doc = this.ws.docs().open(directoryDoc());
		const c = appointmentTypesIn(doc);
		const exists = c.has(t.id);
		if (exists) c.update(t.id, { ...t, updatedAt: new Date().toISOString() });
		else c.insert(t);
		this.ws.audit(exists ? 'change' : 'create', 'appointment-type', t.id);
	}

	// ---------------------------------------------------------------------------------------------
	// Waitlist

	addToWaitlist(input: Omit<WaitlistEntry, 'id' | 'createdAt' | 'updatedAt' | 'status'>): WaitlistEntry {
		this.requireWrite();
		const now = new Date().toISOString();
		const entry = waitlistIn(this.common()).insert({
			...input,
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			status: 'waiting'
		});
		this.ws.audit('create', 'waitlist', entry.id);
		this.readCommon();
		return entry;
	}

	updateWaitlist(id: string, patch: Partial<WaitlistEntry>): WaitlistEntry {
		this.requireWrite();
		const updated = waitlistIn(this.common()).update(id, { ...patch, updatedAt: new Date().toISOString() });
		this.ws.audit('change', 'waitlist', id);
		this.readCommon();
		return updated;
	}

	/** Waiting patients who would take a slot: provider and type fit, preferences match, earliest date passed. */
	matchesFor(slot: SlotChange, freedTypeId?: string): WaitlistEntry[] {
		const tz = this.timeZone;
		const date = localDate(slot.start, tz);
		const minute = localMinutes(slot.start, tz);
		const length = (Date.parse(slot.end) - Date.parse(slot.start)) / 60000;
		const types = new Map(this.ws.appointmentTypes.map((t) => [t.id, t]));
		return this.waitlist
			.filter((w) => {
				if (w.deletedAt || w.status !== 'waiting') return false;
				if (w.providerId && w.providerId !== slot.providerId) return false;
				const type = types.get(w.typeId);
				if (!type || type.durationMinutes > length) return false;
				if (type.providerIds.length > 0 && !type.providerIds.includes(slot.providerId)) return false;
				if (w.earliest && w.earliest > date) return false;
				if (w.weekdays.length > 0 && !w.weekdays.includes(weekday(date))) return false;
				if (w.timeOfDay !== 'any') {
					const win = TIME_OF_DAY[w.timeOfDay];
					if (minute < clock(win.from) || minute >= clock(win.to)) return false;
				}
				if (w.currentAppointmentId) {
					const held = this.find(w.currentAppointmentId);
					if (held && held.start <= slot.start) return false;
				}
				return true;
			})
			.sort(
				(a, b) =>
					(a.priority === 'urgent' ? 0 : 1) - (b.priority === 'urgent' ? 0 : 1) ||
					Number(b.typeId === freedTypeId) - Number(a.typeId === freedTypeId) ||
					a.createdAt.localeCompare(b.createdAt)
			);
	}

	/** Books a waitlisted patient into an offered slot; their earlier booking (if any) is moved instead. */
	bookFromWaitlist(entryId: string, slot: SlotChange): Appointment {
		const entry = this.waitlist.find((w) => w.id === entryId);
		if (!entry) throw new ScheduleError('That waitlist entry no longer exists');
		const type = this.ws.appointmentTypes.find((t) => t.id === entry.typeId);
		const end = new Date(Date.parse(slot.start) + (type?.durationMinutes ?? 15) * 60000).toISOString();
		const held = entry.currentAppointmentId ? this.find(entry.currentAppointmentId) : undefined;
		const booked =
			held && occupiesSlot(held.status)
				? this.move(held.id, { ...slot, end }, 'Earlier slot from waitlist')
				: this.book({
						patientId: entry.patientId,
						providerId: slot.providerId,
						typeId: entry.typeId,
						start: slot.start,
						end,
						reason: entry.note
					});
		this.updateWaitlist(entryId, { status: 'booked', bookedAppointmentId: booked.id });
		this.offer = null;
		return booked;
	}

	dismissOffer(): void {
		this.offer = null;
	}

	// ---------------------------------------------------------------------------------------------
	// Presence

	/** Which appointment this workstation has open (shared with colleagues as an id, never a name). */
	setOpen(id: string | null): void {
		this.openId = id;
		this.shareView();
	}

	/** Shares which day (and which appointment) this workstation is looking at. */
	shareView(): void {
		this.ws.sync.setView({
			screen: 'schedule',
			...(this.day ? { date: this.day } : {}),
			...(this.openId ? { recordId: this.openId } : {})
		});
	}

	reset(): void {
		this.detach();
		this.appointments = [];
		this.conflicts = [];
		this.templates = [];
		this.exceptions = [];
		this.series = [];
		this.waitlist = [];
		this.offer = null;
		this.openId = null;
		this.day = '';
	}

	// ---------------------------------------------------------------------------------------------
	// Internals

	private requireWrite(): void {
		if (!this.canWrite) throw new ScheduleError('Your role can view the schedule but not change it');
	}

	private userId(): string {
		const id = this.ws.session?.user.id;
		if (!id) throw new ScheduleError('Log in to change the schedule');
		return id;
	}

	private common(): Y.Doc {
		return this.ws.docs().open(scheduleCommonDoc());
	}

	private async openCommon(): Promise<void> {
		if (this.commonLoaded) return;
		const name = scheduleCommonDoc();
		const doc = await this.ws.docs().ready(name);
		if (this.docs.has(name)) return;
		this.docs.set(name, doc);
		const onUpdate = () => {
			this.readCommon();
			this.queueRecompute();
			void this.materialize();
		};
		doc.on('update', onUpdate);
		this.stops.push(() => doc.off('update', onUpdate));
		this.commonLoaded = true;
		this.readCommon();
	}

	private async openMonth(name: DocName): Promise<void> {
		if (this.docs.has(name)) return;
		const doc = await this.ws.docs().ready(name);
		if (this.docs.has(name)) return;
		this.docs.set(name, doc);
		const onUpdate = () => {
			this.readMonth(name);
			this.queueRecompute();
		};
		doc.on('update', onUpdate);
		this.stops.push(() => doc.off('update', onUpdate));
		this.readMonth(name);
	}

	private readMonth(name: DocName): void {
		const doc = this.docs.get(name);
		if (!doc) return;
		const { records, quarantined } = appointmentsIn(doc).all();
		const res = conflictResolutionsIn(doc).all();
		this.ws.reportQuarantine(name, [...quarantined, ...res.quarantined]);
		this.months.set(name, {
			appointments: records.filter((a) => !a.deletedAt),
			resolutions: new Map(res.records.filter((r) => !r.deletedAt).map((r) => [r.id, r]))
		});
	}

	private readAll(): void {
		for (const name of this.docs.keys()) if (name !== scheduleCommonDoc()) this.readMonth(name);
	}

	private readCommon(): void {
		const doc = this.docs.get(scheduleCommonDoc());
		if (!doc) return;
		const name = scheduleCommonDoc();
		const t = availabilityTemplatesIn(doc).all();
		const e = availabilityExceptionsIn(doc).all();
		const s = seriesIn(doc).all();
		const x = seriesExceptionsIn(doc).all();
		const w = waitlistIn(doc).all();
		this.ws.reportQuarantine(name, [
			...t.quarantined,
			...e.quarantined,
			...s.quarantined,
			...x.quarantined,
			...w.quarantined
		]);
		this.templates = t.records.filter((r) => !r.deletedAt);
		this.exceptions = e.records.filter((r) => !r.deletedAt);
		this.series = withExceptions(
			s.records.filter((r) => !r.deletedAt),
			x.records.filter((r) => !r.deletedAt)
		);
		this.waitlist = w.records
			.filter((r) => !r.deletedAt)
			.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
	}

	private queueRecompute(): void {
		if (this.recomputeQueued) return;
		this.recomputeQueued = true;
		queueMicrotask(() => {
			this.recomputeQueued = false;
			this.recompute();
		});
	}

	/** Calls `fn` after every recomputation (a local or remote change, a new view). */
	onChanged(fn: () => void): () => void {
		this.changeListeners.add(fn);
		return () => this.changeListeners.delete(fn);
	}

	/** Every appointment in the open months (the view's range and the window around today). */
	loadedAppointments(): Appointment[] {
		return this.allLoaded();
	}

	private allLoaded(): Appointment[] {
		const out: Appointment[] = [];
		for (const m of this.months.values()) for (const a of m.appointments) out.push(a);
		return out;
	}

	private rulesCache: { key: unknown[]; rules: ReturnType<typeof conflictRulesFrom> } | null = null;

	private rules(): ReturnType<typeof conflictRulesFrom> {
		const key = [this.templates, this.exceptions, this.ws.appointmentTypes, this.timeZone];
		if (this.rulesCache && this.rulesCache.key.every((k, i) => k === key[i])) return this.rulesCache.rules;
		const rules = conflictRulesFrom({
			timeZone: this.timeZone,
			templates: this.templates,
			exceptions: this.exceptions,
			types: this.ws.appointmentTypes
		});
		this.rulesCache = { key, rules };
		return rules;
	}

	private recompute(): void {
		if (!this.from) return;
		const tz = this.timeZone;
		const start = zonedDayRange(this.from, tz).start;
		const end = zonedDayRange(addDays(this.to, -1), tz).end;
		const all = this.allLoaded();
		const noShows = new Map<string, number>();
		for (const a of all)
			if (a.status === 'no-show') noShows.set(a.patientId, (noShows.get(a.patientId) ?? 0) + 1);
		this.noShows = noShows;
		this.appointments = all
			.filter((a) => a.start < end && a.end > start)
			.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
		const acknowledgements: string[] = [];
		for (const m of this.months.values()) for (const id of m.resolutions.keys()) acknowledgements.push(id);
		// Rules only where a provider has any template: a clinic that has not set hours gets overlap checks only.
		const hasHours = this.templates.length > 0;
		const today = this.today();
		const windowStart = zonedDayRange(addDays(today, -CONFLICT_DAYS_BACK), tz).start;
		const relevant = all.filter((a) => a.end > windowStart || (a.start < end && a.end > start));
		this.conflicts = detectConflicts(relevant, {
			acknowledgements,
			...(hasHours ? { rules: this.rules() } : {})
		}).sort((a, b) => Number(a.resolved) - Number(b.resolved) || a.start.localeCompare(b.start));
		for (const fn of this.changeListeners) fn();
	}

	private locate(id: string): { doc: Y.Doc; current: Appointment; name: DocName } {
		for (const [name, m] of this.months) {
			const current = m.appointments.find((a) => a.id === id);
			if (current) return { doc: this.docs.get(name)!, current, name };
		}
		throw new ScheduleError('That appointment is not on the loaded schedule any more');
	}

	private insertAppointment(input: Parameters<ReturnType<typeof appointmentsIn>['insert']>[0]): Appointment {
		const parsed = appointmentSchema.parse(input);
		const name = scheduleDoc(scheduleMonth(parsed.start));
		const doc = this.ws.docs().open(name);
		const created = appointmentsIn(doc).insert(parsed);
		if (!this.docs.has(name)) void this.openMonth(name);
		else this.readMonth(name);
		return created;
	}

	private event(
		a: Appointment,
		kind: AppointmentEventKind,
		extra: Partial<Pick<AppointmentEvent, 'from' | 'to' | 'status' | 'reason' | 'replacementId'>> = {}
	): void {
		const by = this.ws.session?.user.id;
		if (!by) return;
		const doc = this.ws.docs().open(scheduleDoc(scheduleMonth(a.start)));
		const now = new Date().toISOString();
		const clean = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined && v !== ''));
		appointmentEventsIn(doc).insert({
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			appointmentId: a.id,
			kind,
			by,
			...clean
		});
	}

	private seriesAppointments(seriesId: string): Appointment[] {
		return this.allLoaded().filter((a) => a.seriesId === seriesId);
	}

	/** The loaded appointments of a series, by start. */
	appointmentsOfSeries(seriesId: string): Appointment[] {
		return this.seriesAppointments(seriesId).sort((a, b) => a.start.localeCompare(b.start));
	}

	/** The occurrence an appointment of a series stands for (its id is derived from the key). */
	private keyOfOccurrence(series: AppointmentSeries, a: Appointment): OccurrenceKey {
		const direct = keyOf(a.start, series.dtstart.tz);
		if (occurrenceId(series.id, direct) === a.id) return direct;
		for (const [k, e] of Object.entries(series.exceptions))
			if (occurrenceId(series.id, k) === a.id || (e !== 'cancelled' && e.moved.start === a.start)) return k;
		// A rescheduled copy: search the grid around its original booking.
		const from = new Date(Date.parse(a.start) - 400 * 86_400_000).toISOString();
		const to = new Date(Date.parse(a.start) + 400 * 86_400_000).toISOString();
		for (const k of expandAround(series, from, to)) if (occurrenceId(series.id, k) === a.id) return k;
		return direct;
	}

	private writeSeriesException(
		series: AppointmentSeries,
		appointmentId: string,
		a: Appointment,
		exception: SeriesExceptionRecord['exception'],
		now: string
	): void {
		const key = this.keyOfOccurrence(series, a);
		if (occurrenceId(series.id, key) !== appointmentId) return;
		this.upsertException(series.id, key, exception, now);
	}

	private upsertException(
		seriesId: string,
		key: OccurrenceKey,
		exception: SeriesExceptionRecord['exception'],
		now: string
	): void {
		const c = seriesExceptionsIn(this.common());
		const id = seriesExceptionId(seriesId, key);
		if (c.has(id)) c.update(id, { exception, deletedAt: undefined, updatedAt: now });
		else c.insert({ id, createdAt: now, updatedAt: now, seriesId, key, exception });
	}

	/** Writes a domain change set: series fields in place, exceptions as records, appointments in their months. */
	private apply(changes: SeriesChanges, kind: AppointmentEventKind, reason?: string): void {
		const common = this.common();
		const now = new Date().toISOString();
		for (const s of changes.seriesInserts) {
			const { exceptions, ...fields } = s;
			if (!seriesIn(common).has(s.id)) seriesIn(common).insert({ ...fields, exceptions: {} });
			for (const [k, e] of Object.entries(exceptions)) this.upsertException(s.id, k, e, now);
		}
		for (const u of changes.seriesUpdates) {
			const { exceptions, ...patch } = u.patch;
			if (Object.keys(patch).length > 0) seriesIn(common).update(u.id, patch);
			if (exceptions) {
				const before = this.series.find((s) => s.id === u.id)?.exceptions ?? {};
				for (const [k, e] of Object.entries(exceptions))
					if (JSON.stringify(before[k]) !== JSON.stringify(e)) this.upsertException(u.id, k, e, now);
				const gone = Object.keys(before).filter((k) => !(k in exceptions));
				const c = seriesExceptionsIn(common);
				for (const k of gone) {
					const id = seriesExceptionId(u.id, k);
					if (c.has(id)) c.update(id, { deletedAt: now, updatedAt: now });
				}
			}
		}
		for (const a of changes.appointmentInserts) {
			const name = scheduleDoc(scheduleMonth(a.start!));
			const doc = this.ws.docs().open(name);
			if (appointmentsIn(doc).has(a.id!)) continue;
			const created = this.insertAppointment(a as Appointment);
			this.event(created, kind === 'booked' ? 'booked' : 'booked', { to: slotOf(created) });
			this.ws.audit('create', 'appointment', created.id);
		}
		for (const u of changes.appointmentUpdates) {
			let found: ReturnType<ScheduleState['locate']>;
			try {
				found = this.locate(u.id);
			} catch {
				continue; // not in the loaded window: it is past or beyond the materialized weeks
			}
			const updated = appointmentsIn(found.doc).update(u.id, u.patch, null, { by: this.userId(), at: now });
			const status = u.patch.status;
			const eventKind: AppointmentEventKind =
				status === 'cancelled' ? 'cancelled' : status === 'rescheduled' ? 'rescheduled' : 'moved';
			this.event(updated, status ? eventKind : kind === 'edited' ? 'edited' : 'moved', {
				from: slotOf(found.current),
				to: slotOf(updated),
				...(status === 'cancelled' && reason ? { reason } : {})
			});
			this.ws.audit('change', 'appointment', u.id);
		}
		this.readCommon();
		this.readAll();
	}

	/**
	 * Writes the next weeks of every series as appointments. Deterministic ids: two workstations
	 * doing this at once write the same records.
	 */
	private async materialize(): Promise<void> {
		if (this.materializing || !this.canWrite || !this.ws.session || this.series.length === 0) return;
		this.materializing = true;
		try {
			const now = new Date().toISOString();
			const window = materializationWindow(now);
			await this.ensureMonths(window.from, window.to);
			for (const s of this.series) {
				const changes = planMaterialization(s, this.seriesAppointments(s.id), window.from, window.to, now);
				if (changes.appointmentInserts.length === 0 && changes.appointmentUpdates.length === 0) continue;
				this.apply(changes, 'booked');
			}
			this.recompute();
		} finally {
			this.materializing = false;
		}
	}

	private softDelete(
		c: {
			has(id: string): boolean;
			update(id: string, patch: { deletedAt: string; updatedAt: string }): unknown;
		},
		id: string,
		recordType: string
	): void {
		this.requireWrite();
		if (!c.has(id)) return;
		const now = new Date().toISOString();
		c.update(id, { deletedAt: now, updatedAt: now });
		this.ws.audit('delete', recordType, id);
		this.readCommon();
		this.recompute();
	}

	private offerFreed(slot: SlotChange, typeId: string): void {
		if (Date.parse(slot.start) < Date.now()) return;
		const entries = this.matchesFor(slot, typeId);
		this.offer = entries.length > 0 ? { slot, entries } : null;
	}

	private detach(): void {
		for (const stop of this.stops) stop();
		this.stops = [];
		this.docs.clear();
		this.months.clear();
		this.commonLoaded = false;
		this.rulesCache = null;
		this.from = this.to = '';
	}
}

function slotOf(a: Appointment): SlotChange & { providerId: string } {
	return { start: a.start, end: a.end, providerId: a.providerId };
}

function withoutBookkeeping(a: Appointment): Appointment {
	const out = { ...a };
	delete out.deletedAt;
	delete out.arrivedAt;
	delete out.cancelReason;
	return out;
}

function withExceptions(series: AppointmentSeries[], records: SeriesExceptionRecord[]): AppointmentSeries[] {
	const byId = new Map<string, Record<string, SeriesExceptionRecord['exception']>>();
	for (const r of records) {
		const map = byId.get(r.seriesId) ?? {};
		map[r.key] = r.exception;
		byId.set(r.seriesId, map);
	}
	return series.map((s) => ({ ...s, exceptions: { ...s.exceptions, ...(byId.get(s.id) ?? {}) } }));
}

function expandAround(series: AppointmentSeries, from: string, to: string): OccurrenceKey[] {
	const out: OccurrenceKey[] = [];
	let d = localDate(from, series.dtstart.tz);
	const last = localDate(to, series.dtstart.tz);
	const [hh, mm] = series.dtstart.time.split(':').map(Number) as [number, number];
	// Cheap: the occurrence grid only has the series' own clock time.
	while (d <= last) {
		const instant = zonedTimeToUtc(d, hh, mm, series.dtstart.tz).toISOString();
		out.push(keyOf(instant, series.dtstart.tz));
		d = addDays(d, 1);
	}
	return out;
}

function clock(hhmm: string): number {
	return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function pad(n: number): string {
	return String(n).padStart(2, '0');
}

function addWeeks(iso: string, weeks: number): string {
	return new Date(Date.parse(iso) + weeks * 7 * 86_400_000).toISOString();
}
