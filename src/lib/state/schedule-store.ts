/**
 * The schedule documents a workstation has open: the monthly documents (appointments, their
 * history, conflict resolutions) and `schedule/common` (hours, time off, series, waitlist). Each is
 * re-read only when it changes; the state class is told through `StoreHooks` and derives the rest.
 */
import type * as Y from 'yjs';
import {
	appointment as appointmentSchema,
	scheduleMonth,
	type Appointment,
	type AvailabilityException,
	type AvailabilityTemplate
} from '../domain';
import type { AppointmentSeries } from '../domain/schedule/recurrence';
import type {
	AppointmentEvent,
	AppointmentEventKind,
	ConflictResolution,
	WaitlistEntry
} from '../domain/schedule/records';
import {
	appointmentEventsIn,
	appointmentsIn,
	availabilityExceptionsIn,
	availabilityTemplatesIn,
	conflictResolutionsIn,
	seriesExceptionsIn,
	seriesIn,
	waitlistIn
} from '../crdt/collections';
import { monthsBetween, scheduleCommonDoc, scheduleDoc, type DocName } from '../crdt/layout';
import { withExceptions } from './schedule-helpers';
import { ScheduleError } from './schedule-types';
import type { WorkspaceState } from './workspace.svelte';

interface MonthData {
	appointments: Appointment[];
	resolutions: Map<string, ConflictResolution>;
}

/** What `schedule/common` holds, deleted records left out. */
export interface CommonRecords {
	templates: AvailabilityTemplate[];
	exceptions: AvailabilityException[];
	/** With their exceptions applied. */
	series: AppointmentSeries[];
	/** Oldest first. */
	waitlist: WaitlistEntry[];
}

export interface StoreHooks {
	/** `schedule/common` was (re)read. */
	common(records: CommonRecords): void;
	/** An open document changed, here or at a colleague's: derive again (batched). */
	changed(): void;
	/** `schedule/common` changed: series may have weeks to materialize. */
	commonChanged(): void;
}

export type AppointmentInput = Parameters<ReturnType<typeof appointmentsIn>['insert']>[0];
export type EventDetails = Partial<
	Pick<AppointmentEvent, 'from' | 'to' | 'status' | 'reason' | 'replacementId'>
>;

export class ScheduleStore {
	private readonly months = new Map<DocName, MonthData>();
	private readonly docs = new Map<DocName, Y.Doc>();
	private stops: (() => void)[] = [];
	private commonLoaded = false;
	/** Month documents changed since they were last read (by sync or by a write here). */
	private readonly dirty = new Set<DocName>();

	constructor(
		readonly ws: WorkspaceState,
		private readonly hooks: StoreHooks
	) {}

	get timeZone(): string {
		return this.ws.clinic?.timeZone ?? 'UTC';
	}

	get slotMinutes(): number {
		return this.ws.clinic?.slotMinutes ?? 15;
	}

	requireWrite(): void {
		if (!this.ws.can('schedule', 'write'))
			throw new ScheduleError('Your role can view the schedule but not change it');
	}

	userId(): string {
		const id = this.ws.session?.user.id;
		if (!id) throw new ScheduleError('Log in to change the schedule');
		return id;
	}

	common(): Y.Doc {
		return this.ws.docs().open(scheduleCommonDoc());
	}

	async openCommon(): Promise<void> {
		if (this.commonLoaded) return;
		const name = scheduleCommonDoc();
		const doc = await this.ws.docs().ready(name);
		if (this.docs.has(name)) return;
		this.docs.set(name, doc);
		const onUpdate = () => {
			this.readCommon();
			this.hooks.changed();
			this.hooks.commonChanged();
		};
		doc.on('update', onUpdate);
		this.stops.push(() => doc.off('update', onUpdate));
		this.commonLoaded = true;
		this.readCommon();
	}

	async openMonth(name: DocName): Promise<void> {
		if (this.docs.has(name)) return;
		const doc = await this.ws.docs().ready(name);
		if (this.docs.has(name)) return;
		this.docs.set(name, doc);
		// Re-reading a month parses every record in it, so it happens once per batch of changes
		// (`readDirty`, called before each recomputation), not once per update.
		const onUpdate = () => {
			this.dirty.add(name);
			this.hooks.changed();
		};
		doc.on('update', onUpdate);
		this.stops.push(() => doc.off('update', onUpdate));
		this.readMonth(name);
	}

	/** Opens the month documents overlapping [fromIso, toIso). */
	async openMonths(fromIso: string, toIso: string): Promise<void> {
		await Promise.all(monthsBetween(fromIso, toIso).map((m) => this.openMonth(scheduleDoc(m))));
	}

	readMonth(name: DocName): void {
		const doc = this.docs.get(name);
		this.dirty.delete(name);
		if (!doc) return;
		const { records, quarantined } = appointmentsIn(doc).all();
		const res = conflictResolutionsIn(doc).all();
		this.ws.reportQuarantine(name, [...quarantined, ...res.quarantined]);
		this.months.set(name, {
			appointments: records.filter((a) => !a.deletedAt),
			resolutions: new Map(res.records.filter((r) => !r.deletedAt).map((r) => [r.id, r]))
		});
	}

	/** Re-reads the months that changed since they were last read. */
	readAll(): void {
		this.readDirty();
	}

	readDirty(): void {
		for (const name of [...this.dirty]) this.readMonth(name);
	}

	hasDirty(): boolean {
		return this.dirty.size > 0;
	}

	readCommon(): void {
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
		this.hooks.common({
			templates: t.records.filter((r) => !r.deletedAt),
			exceptions: e.records.filter((r) => !r.deletedAt),
			series: withExceptions(
				s.records.filter((r) => !r.deletedAt),
				x.records.filter((r) => !r.deletedAt)
			),
			waitlist: w.records.filter((r) => !r.deletedAt).sort((a, b) => a.createdAt.localeCompare(b.createdAt))
		});
	}

	/** Every appointment in the open months. */
	allLoaded(): Appointment[] {
		const out: Appointment[] = [];
		for (const m of this.months.values()) for (const a of m.appointments) out.push(a);
		return out;
	}

	find(id: string): Appointment | undefined {
		for (const m of this.months.values()) {
			const a = m.appointments.find((x) => x.id === id);
			if (a) return a;
		}
		return undefined;
	}

	locate(id: string): { doc: Y.Doc; current: Appointment; name: DocName } {
		for (const [name, m] of this.months) {
			const current = m.appointments.find((a) => a.id === id);
			if (current) return { doc: this.docs.get(name)!, current, name };
		}
		throw new ScheduleError('That appointment is not on the loaded schedule any more');
	}

	resolutionOf(conflictId: string): ConflictResolution | undefined {
		for (const m of this.months.values()) {
			const r = m.resolutions.get(conflictId);
			if (r) return r;
		}
		return undefined;
	}

	/** Ids of the conflicts someone accepted, over the open months. */
	acknowledgements(): string[] {
		const out: string[] = [];
		for (const m of this.months.values()) for (const id of m.resolutions.keys()) out.push(id);
		return out;
	}

	/** The open months that hold a (live) resolution of a conflict, with their documents. */
	resolving(conflictId: string): { name: DocName; doc: Y.Doc }[] {
		return [...this.months]
			.filter(([, m]) => m.resolutions.has(conflictId))
			.map(([name]) => ({ name, doc: this.docs.get(name)! }));
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

	insertAppointment(input: AppointmentInput): Appointment {
		const parsed = appointmentSchema.parse(input);
		const name = scheduleDoc(scheduleMonth(parsed.start));
		const doc = this.ws.docs().open(name);
		const created = appointmentsIn(doc).insert(parsed);
		if (!this.docs.has(name)) void this.openMonth(name);
		else this.readMonth(name);
		return created;
	}

	/** Records a change in the appointment's history, kept beside it in its month's document. */
	event(a: Appointment, kind: AppointmentEventKind, extra: EventDetails = {}): void {
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

	detach(): void {
		for (const stop of this.stops) stop();
		this.stops = [];
		this.docs.clear();
		this.months.clear();
		this.commonLoaded = false;
	}
}
