/**
 * The schedule as the calendar screens see it (issue "Scheduling"). It keeps a window of monthly
 * schedule documents open — the months the current view shows plus the weeks around today where
 * conflicts, the flow board and recurring series live — and `schedule/common` (series, provider
 * hours, time off, waitlist). Each document is re-read only when it changes; everything derived
 * (the view's appointments, conflicts) is recomputed once per batch of changes.
 *
 * Every write goes through a method here so that it is checked against the role, recorded in the
 * appointment's own history (kept beside it in its month's document, visible to colleagues) and in
 * the audit log (ids and action codes only). The `schedule-*` modules beside this file do the work.
 */
import {
	localDate,
	zonedDayRange,
	type Appointment,
	type AppointmentStatus,
	type AppointmentType,
	type AvailabilityException,
	type AvailabilityTemplate,
	type Slot,
	type SlotQuery
} from '../domain';
import { ConflictIndex, type Conflict } from '../domain/schedule/conflicts';
import type { AppointmentSeries, SeriesEdit } from '../domain/schedule/recurrence';
import type { AppointmentEvent, ConflictResolution, WaitlistEntry } from '../domain/schedule/records';
import { AppointmentWriter, type AppointmentPatch } from './schedule-appointments';
import {
	deriveRanges,
	deriveSchedule,
	keepBoth,
	relevantChanges,
	reopenConflict,
	viewChanges
} from './schedule-conflicts';
import { addWeeks, monthsToOpen, rangeOf, SEARCH_MONTHS } from './schedule-helpers';
import { SeriesWriter } from './schedule-series';
import { holidayName, hoursFrom, RulesCache, SetupWriter, type Rules } from './schedule-setup';
import { afterPaint, readDayCopy, writeDayCopy } from './schedule-preview';
import { ScheduleStore } from './schedule-store';
import type {
	BookingInput,
	CalendarView,
	HoursSpan,
	SeriesScope,
	SlotChange,
	WaitlistOffer
} from './schedule-types';
import { WaitlistWriter, type WaitlistInput } from './schedule-waitlist';
import type { WorkspaceState } from './workspace.svelte';

export { ScheduleError } from './schedule-types';
export type { BookingInput, CalendarView, SeriesScope, SlotChange, WaitlistOffer } from './schedule-types';

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
	/**
	 * The day view shows the sealed copy of the last session (`preview`), read-only, until the
	 * documents are read.
	 */
	previewing = $state(false);
	private previewNames = new Map<string, string>();

	private readonly changeListeners = new Set<() => void>();
	private readonly store: ScheduleStore;
	private readonly seriesWriter: SeriesWriter;
	private readonly writes: AppointmentWriter;
	private readonly setup: SetupWriter;
	private readonly waitlistWriter: WaitlistWriter;
	private readonly rulesCache = new RulesCache();
	private readonly conflictIndex = new ConflictIndex();
	private generation = 0;
	private recomputeQueued = false;
	private recomputes = 0;
	/** The view's range and the conflict window of the last recomputation: while they stay, conflicts follow changes. */
	private derivedFor = '';
	/** `appointments` as that recomputation derived it (read here without subscribing to it). */
	private derivedView: readonly Appointment[] = [];

	constructor(private readonly ws: WorkspaceState) {
		const recompute = () => this.recompute();
		const store = new ScheduleStore(ws, {
			common: (r) => {
				this.templates = r.templates;
				this.exceptions = r.exceptions;
				this.series = r.series;
				this.waitlist = r.waitlist;
			},
			changed: () => this.queueRecompute(),
			commonChanged: () => void this.seriesWriter.materialize()
		});
		this.store = store;
		this.seriesWriter = new SeriesWriter({
			store,
			series: () => this.series,
			ensureMonths: (from, to) => this.ensureMonths(from, to),
			recompute
		});
		this.writes = new AppointmentWriter({
			store,
			series: this.seriesWriter,
			seriesOf: (a) => this.seriesOf(a),
			recompute,
			materialize: () => void this.seriesWriter.materialize(),
			freed: (slot, typeId) => this.offerFreed(slot, typeId)
		});
		this.setup = new SetupWriter(store, recompute);
		this.waitlistWriter = new WaitlistWriter({
			store,
			entries: () => this.waitlist,
			book: (input) => this.book(input),
			move: (id, to, reason) => this.move(id, to, reason)
		});
	}

	get timeZone(): string {
		return this.store.timeZone;
	}

	get slotMinutes(): number {
		return this.store.slotMinutes;
	}

	get canWrite(): boolean {
		return this.ws.can('schedule', 'write');
	}

	today(now = new Date()): string {
		return localDate(now, this.timeZone);
	}

	/** The local dates [from, to) a view anchored at `day` shows. */
	rangeOf(view: CalendarView, day: string): { from: string; to: string } {
		return rangeOf(view, day, () => this.today());
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
		const months = monthsToOpen(from, to, this.today(), this.timeZone);
		this.loading = true;
		try {
			// The view's months first, so it paints; the weeks around today (conflicts, flow board,
			// series) follow. On a cold open that is one document to read instead of four or five.
			await Promise.all([this.store.openCommon(), ...months.view.map((n) => this.store.openMonth(n))]);
		} finally {
			if (generation === this.generation) this.loading = false;
		}
		if (generation !== this.generation) return;
		this.recompute();
		const rest = months.around.filter((n) => !months.view.includes(n));
		if (rest.length > 0) {
			await Promise.all(rest.map((n) => this.store.openMonth(n)));
			if (generation === this.generation) this.recompute();
		}
		void this.seriesWriter.materialize();
	}

	/**
	 * Paints today's day view from the copy the last session kept (`cacheDay`), if there is one for
	 * `day`, then waits for that frame. Call before `show(day)` on a cold open.
	 */
	async preview(day: string): Promise<boolean> {
		if (this.day || !this.ws.clinic) return false;
		const copy = await readDayCopy(this.ws, day, this.timeZone);
		if (!copy || this.day) return false;
		const { from, to } = this.rangeOf('day', day);
		this.day = day;
		this.view = 'day';
		this.from = from;
		this.to = to;
		this.previewNames = new Map(Object.entries(copy.names));
		this.appointments = [...copy.appointments].sort((a, b) =>
			a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : 1
		);
		this.previewing = true;
		await afterPaint();
		return true;
	}

	/**
	 * A patient's name from the copy painted at this session's start: the day view uses it until the
	 * patient list has loaded (which, for a large clinic, takes longer than the schedule).
	 */
	previewName(patientId: string): string | undefined {
		return this.previewNames.get(patientId);
	}

	/** Keeps today's day view (appointments and the names on them) for the next cold open. */
	async cacheDay(nameOf: (patientId: string) => string): Promise<void> {
		if (this.previewing || this.view !== 'day' || this.day !== this.today()) return;
		await writeDayCopy(
			this.ws,
			{ day: this.day, timeZone: this.timeZone, appointments: this.appointments },
			nameOf
		);
	}

	/** Reads months further ahead (a next-available search, a long agenda) without changing the view. */
	async ensureMonths(fromIso: string, toIso: string): Promise<void> {
		await this.store.openMonths(fromIso, toIso);
		this.recompute();
	}

	/** Appointments of the open months overlapping [fromIso, toIso), by start (e.g. a booking form's overlap check). */
	appointmentsBetween(fromIso: string, toIso: string): Appointment[] {
		return this.store
			.allLoaded()
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
		return this.store.find(id);
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
		return this.store.resolutionOf(conflictId);
	}

	seriesOf(a: Pick<Appointment, 'seriesId'>): AppointmentSeries | undefined {
		return a.seriesId ? this.series.find((s) => s.id === a.seriesId) : undefined;
	}

	/** What happened to an appointment, oldest first (following reschedules back to the first booking). */
	historyOf(id: string): Promise<AppointmentEvent[]> {
		return this.store.historyOf(id);
	}

	// ---------------------------------------------------------------------------------------------
	// Booking and changes (see `AppointmentWriter`)

	/** Books one appointment, or a recurring series (materialized 12 weeks ahead). Returns the first. */
	book(input: BookingInput): Appointment {
		return this.writes.book(input);
	}

	/** Field edits (reason, notes, room, type): merged field by field with colleagues' edits. */
	update(id: string, patch: AppointmentPatch, record = true): Appointment {
		return this.writes.update(id, patch, record);
	}

	/** A new length (drag of the bottom edge, Shift+arrow). */
	resize(id: string, end: string): Appointment {
		return this.update(id, { end });
	}

	/** Moves an appointment (drag, keyboard, or a new time in the form); across months it is rescheduled. */
	move(id: string, to: SlotChange, reason?: string): Appointment {
		return this.writes.move(id, to, reason);
	}

	/** booked → confirmed → arrived → in room → completed, or no-show; see `canTransition`. */
	setStatus(id: string, status: AppointmentStatus, reason?: string): Appointment {
		return this.writes.setStatus(id, status, reason);
	}

	/**
	 * Cancels with a reason. For an occurrence of a series, `scope` says whether this one, this and
	 * the following, or the whole series is cancelled.
	 */
	cancel(id: string, reason: string, scope: SeriesScope = 'one'): Appointment {
		return this.writes.cancel(id, reason, scope);
	}

	/** "This and following" or "all" edits of a series (time, length, provider, room, type, reason, rule). */
	editSeries(id: string, scope: Exclude<SeriesScope, 'one'>, edit: SeriesEdit): void {
		this.writes.editSeries(id, scope, edit);
	}

	/** The loaded appointments of a series, by start. */
	appointmentsOfSeries(seriesId: string): Appointment[] {
		return this.seriesWriter.appointmentsOf(seriesId).sort((a, b) => a.start.localeCompare(b.start));
	}

	// ---------------------------------------------------------------------------------------------
	// Conflicts

	/** A person accepts an intentional double-booking (or a booking outside the rules). */
	keepBoth(conflict: Conflict, note = ''): void {
		keepBoth(this.store, conflict, note);
		this.recompute();
	}

	/** Takes back a "keep both" (pressed by mistake): the conflict is open again. */
	reopenConflict(conflictId: string): void {
		reopenConflict(this.store, conflictId);
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
	// Availability and next slot (see `schedule-setup`)

	/** A search over the loaded schedule; reads `SEARCH_MONTHS` ahead of `from` first. */
	async findSlots(query: SlotQuery): Promise<Slot[]> {
		const until = query.until ?? addWeeks(query.from, Math.round((SEARCH_MONTHS * 365) / 12 / 7));
		await this.ensureMonths(query.from, until);
		return this.setup.finder(this.templates, this.exceptions).nextAvailable({ ...query, until });
	}

	/** Working intervals, breaks and blocked time of a provider on a date, as instants (for shading). */
	hoursOf(providerId: string, date: string): HoursSpan[] {
		return hoursFrom(this.rules(), providerId, date);
	}

	/** Whether the clinic has any hours for providers on a date (closed: weekend, holiday). */
	holidayOn(date: string): string | undefined {
		return holidayName(this.exceptions, date);
	}

	saveTemplate(t: AvailabilityTemplate): void {
		this.setup.saveTemplate(t);
	}

	saveException(e: AvailabilityException): void {
		this.setup.saveException(e);
	}

	removeTemplate(id: string): void {
		this.setup.removeTemplate(id);
	}

	removeException(id: string): void {
		this.setup.removeException(id);
	}

	/** Appointment types live in the directory, which administrators edit. */
	saveType(t: AppointmentType): void {
		this.setup.saveType(t);
	}

	// ---------------------------------------------------------------------------------------------
	// Waitlist (see `schedule-waitlist`)

	addToWaitlist(input: WaitlistInput): WaitlistEntry {
		return this.waitlistWriter.add(input);
	}

	updateWaitlist(id: string, patch: Partial<WaitlistEntry>): WaitlistEntry {
		return this.waitlistWriter.update(id, patch);
	}

	/** Waiting patients who would take a slot: provider and type fit, preferences match, earliest date passed. */
	matchesFor(slot: SlotChange, freedTypeId?: string): WaitlistEntry[] {
		return this.waitlistWriter.matches(slot, freedTypeId);
	}

	/** Books a waitlisted patient into an offered slot; their earlier booking (if any) is moved instead. */
	bookFromWaitlist(entryId: string, slot: SlotChange): Appointment {
		const booked = this.waitlistWriter.bookFrom(entryId, slot);
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
		this.store.detach();
		this.rulesCache.clear();
		this.conflictIndex.clear();
		this.derivedFor = '';
		this.derivedView = [];
		this.from = this.to = '';
		this.appointments = [];
		this.conflicts = [];
		this.templates = [];
		this.exceptions = [];
		this.series = [];
		this.waitlist = [];
		this.offer = null;
		this.openId = null;
		this.day = '';
		this.previewing = false;
		this.previewNames.clear();
	}

	/** Calls `fn` after every recomputation (a local or remote change, a new view). */
	onChanged(fn: () => void): () => void {
		this.changeListeners.add(fn);
		return () => this.changeListeners.delete(fn);
	}

	/** Every appointment in the open months (the view's range and the window around today). */
	loadedAppointments(): readonly Appointment[] {
		return this.store.allLoaded();
	}

	// ---------------------------------------------------------------------------------------------
	// Internals

	/**
	 * A recomputation after the current task: remote updates arrive one by one, and a local write
	 * already recomputed synchronously (then nothing is left to do here).
	 */
	private queueRecompute(): void {
		if (this.recomputeQueued) return;
		this.recomputeQueued = true;
		const at = this.recomputes;
		queueMicrotask(() => {
			this.recomputeQueued = false;
			if (this.recomputes !== at && !this.store.hasDirty()) return;
			this.recompute();
		});
	}

	private rules(): Rules {
		return this.rulesCache.get(this.timeZone, this.templates, this.exceptions, this.ws.appointmentTypes);
	}

	private recompute(): void {
		this.store.readDirty();
		const changes = this.store.takeChanges();
		this.recomputes += 1;
		if (!this.from) {
			this.derivedFor = '';
			return;
		}
		const { from, to, timeZone } = this;
		const today = this.today();
		const { view, windowStart } = deriveRanges(from, to, today, timeZone);
		const derivedFor = `${view.start}|${view.end}|${windowStart}`;
		const follow = changes !== null && derivedFor === this.derivedFor;
		this.derivedFor = derivedFor;
		const derived = deriveSchedule({
			inView: this.store.overlapping(view.start, view.end),
			sorted: follow ? { previous: this.derivedView, changed: viewChanges(changes, view) } : undefined,
			watched: () => this.store.overlapping(windowStart),
			changed: follow ? relevantChanges(changes, view, windowStart) : undefined,
			windowStart,
			acknowledgements: this.store.acknowledgements(),
			// Rules only where a provider has any template: a clinic that has not set hours gets overlap checks only.
			rules: this.templates.length > 0 ? this.rules() : undefined,
			index: this.conflictIndex
		});
		this.noShows = this.store.noShows();
		this.appointments = derived.appointments;
		this.derivedView = derived.appointments;
		this.conflicts = derived.conflicts;
		if (this.previewing) this.previewing = false;
		for (const fn of this.changeListeners) fn();
	}

	private offerFreed(slot: SlotChange, typeId: string): void {
		if (Date.parse(slot.start) < Date.now()) return;
		const entries = this.matchesFor(slot, typeId);
		this.offer = entries.length > 0 ? { slot, entries } : null;
	}
}
