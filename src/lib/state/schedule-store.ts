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
import type { Patched, QuarantinedRecord } from '../crdt/codec';
import { withExceptions } from './schedule-helpers';
import { ScheduleError } from './schedule-types';
import type { WorkspaceState } from './workspace.svelte';

interface MonthData {
	/** Live appointments (deleted ones left out), by id. */
	appointments: Map<string, Appointment>;
	/** Records that failed validation, by id (appointments and resolutions). */
	quarantined: Map<string, QuarantinedRecord>;
	resolutions: Map<string, ConflictResolution>;
	/** No-shows per patient, until the month changes. */
	noShows?: Map<string, number> | undefined;
	/** The answers of `overlapping` by range, kept up to date record by record. */
	overlapping?: Map<string, { fromIso: string; toIso: string | undefined; hits: Appointment[] }> | undefined;
}

/** What changed in a month document since it was last read. */
interface Pending {
	/** Appointment ids whose record was inserted, changed or removed. */
	ids: Set<string>;
	resolutions: boolean;
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

/** Above this many changed records a month's `overlapping` answers are computed again, not patched. */
const PATCH_OVERLAPPING_MAX = 64;

export type AppointmentInput = Parameters<ReturnType<typeof appointmentsIn>['insert']>[0];
export type AppointmentFields = Parameters<ReturnType<typeof appointmentsIn>['patch']>[1];

/** An appointment that changed: the month it is in, and its live record now (undefined: gone or deleted). */
export interface AppointmentChange {
	name: DocName;
	a: Appointment | undefined;
}
export type EventDetails = Partial<
	Pick<AppointmentEvent, 'from' | 'to' | 'status' | 'reason' | 'replacementId'>
>;

export class ScheduleStore {
	private readonly months = new Map<DocName, MonthData>();
	private readonly docs = new Map<DocName, Y.Doc>();
	private stops: (() => void)[] = [];
	private commonLoaded = false;
	/** Month documents changed since they were last read (by sync or by a write here), and what changed. */
	private readonly dirty = new Map<DocName, Pending>();
	/** `allLoaded()`'s answer until a month changes. */
	private loaded: Appointment[] | null = null;
	/** `noShows()` over all open months, until a month's no-shows change. */
	private noShowTotal: Map<string, number> | null = null;
	/**
	 * The appointments that changed since `takeChanges`, so that what is derived from them can follow
	 * record by record; null when more than records changed (a month opened or closed, an id in two
	 * months), and everything must be derived again.
	 */
	private changes: Map<string, AppointmentChange> | null = null;
	/**
	 * Records this workstation just wrote, as the writer validated them: `readMonth` takes these instead
	 * of decoding (zod) what was just written. Any later transaction that touches a record drops its
	 * entry, so a colleague's change is always decoded and validated.
	 */
	private readonly written = new Map<string, Appointment>();
	/** Inside `transact`: what it wrote, kept when its own transaction's observer runs. */
	private writing: Map<string, Appointment> | null = null;

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
		// Only the records a transaction touched are decoded again (zod and `toJSON` per record are
		// what a read costs), once per batch of changes (`readDirty`, before each recomputation).
		const pending = (): Pending => {
			let p = this.dirty.get(name);
			if (!p) this.dirty.set(name, (p = { ids: new Set(), resolutions: false }));
			return p;
		};
		this.stops.push(
			appointmentsIn(doc).observe((ids) => {
				const p = pending();
				for (const id of ids) {
					p.ids.add(id);
					const mine = this.writing?.get(id);
					if (mine) this.written.set(id, mine);
					else this.written.delete(id);
				}
				this.hooks.changed();
			}),
			conflictResolutionsIn(doc).observe(() => {
				pending().resolutions = true;
				this.hooks.changed();
			})
		);
		this.readWholeMonth(name, doc);
	}

	/** Opens the month documents overlapping [fromIso, toIso). */
	async openMonths(fromIso: string, toIso: string): Promise<void> {
		await Promise.all(monthsBetween(fromIso, toIso).map((m) => this.openMonth(scheduleDoc(m))));
	}

	private readWholeMonth(name: DocName, doc: Y.Doc): void {
		this.dirty.delete(name);
		this.loaded = this.noShowTotal = this.changes = null;
		const { records, quarantined } = appointmentsIn(doc).all();
		const month: MonthData = {
			appointments: new Map(records.filter((a) => !a.deletedAt).map((a) => [a.id, a])),
			quarantined: new Map(quarantined.map((q) => [q.id, q])),
			resolutions: new Map()
		};
		this.months.set(name, month);
		this.readResolutions(month, doc);
		this.ws.reportQuarantine(name, [...month.quarantined.values()]);
	}

	private readResolutions(month: MonthData, doc: Y.Doc): void {
		const res = conflictResolutionsIn(doc).all();
		month.resolutions = new Map(res.records.filter((r) => !r.deletedAt).map((r) => [r.id, r]));
		for (const [id, q] of month.quarantined)
			if (q.collection === 'conflictResolutions') month.quarantined.delete(id);
		for (const q of res.quarantined) month.quarantined.set(q.id, q);
	}

	/** Applies what changed in a month since it was last read (a write here calls it at once). */
	readMonth(name: DocName): void {
		const doc = this.docs.get(name);
		const month = this.months.get(name);
		const p = this.dirty.get(name);
		this.dirty.delete(name);
		if (!doc || !month || !p) return;
		this.loaded = null;
		const before = month.quarantined.size;
		let quarantineChanged = false;
		// Most edits (a move, a note) touch no no-show: the counts stay as they are, the same object.
		let noShowsChanged = false;
		const records = appointmentsIn(doc);
		const previous = new Map<string, Appointment | undefined>();
		for (const id of p.ids) {
			previous.set(id, month.appointments.get(id));
			const mine = this.written.get(id);
			this.written.delete(id);
			const r = mine ? { ok: true as const, value: mine } : records.get(id);
			if (month.appointments.get(id)?.status === 'no-show') noShowsChanged = true;
			month.appointments.delete(id);
			if (month.quarantined.delete(id)) quarantineChanged = true;
			if (!r) continue;
			if (r.ok) {
				if (!r.value.deletedAt) month.appointments.set(id, r.value);
				if (!r.value.deletedAt && r.value.status === 'no-show') noShowsChanged = true;
			} else {
				month.quarantined.set(id, r.quarantined);
				quarantineChanged = true;
			}
		}
		for (const id of p.ids) this.noteChange(name, id, month.appointments.get(id));
		// In the order a full filter would give: the map keeps the others' order and re-adds the changed.
		// A big batch (a merge after days offline, an import) filters again instead: each changed record
		// is found in every kept answer by a linear search.
		if (p.ids.size > PATCH_OVERLAPPING_MAX) month.overlapping = undefined;
		for (const { fromIso, toIso, hits } of month.overlapping?.values() ?? []) {
			for (const old of previous.values()) {
				const at = old ? hits.indexOf(old) : -1;
				if (at >= 0) hits.splice(at, 1);
			}
			for (const id of p.ids) {
				const a = month.appointments.get(id);
				if (a && a.end > fromIso && (toIso === undefined || a.start < toIso)) hits.push(a);
			}
		}
		if (noShowsChanged) {
			month.noShows = undefined;
			this.noShowTotal = null;
		}
		if (p.resolutions) {
			this.readResolutions(month, doc);
			quarantineChanged = true;
		}
		if (quarantineChanged || month.quarantined.size !== before)
			this.ws.reportQuarantine(name, [...month.quarantined.values()]);
	}

	private noteChange(name: DocName, id: string, a: Appointment | undefined): void {
		if (!this.changes) return;
		for (const [other, m] of this.months)
			if (other !== name && m.appointments.has(id)) {
				this.changes = null;
				return;
			}
		this.changes.set(id, { name, a });
	}

	/**
	 * The appointments read since the last call (see `changes`), and a fresh start. null means: derive
	 * from everything (also on the first call).
	 */
	takeChanges(): ReadonlyMap<string, AppointmentChange> | null {
		const out = this.changes;
		this.changes = new Map();
		return out;
	}

	/** Re-reads the months that changed since they were last read. */
	readAll(): void {
		this.readDirty();
	}

	readDirty(): void {
		for (const name of [...this.dirty.keys()]) this.readMonth(name);
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
	allLoaded(): readonly Appointment[] {
		if (this.loaded) return this.loaded;
		const out: Appointment[] = [];
		for (const m of this.months.values()) for (const a of m.appointments.values()) out.push(a);
		return (this.loaded = out);
	}

	/**
	 * Live appointments of the open months overlapping [fromIso, toIso) — or ending after `fromIso`
	 * when `toIso` is left out. A month document holds the bookings that start in it, so only the
	 * months from the one before `fromIso` are looked at, and each month's answer is kept until that
	 * month changes: after an edit, one month is filtered again, not the past year.
	 */
	overlapping(fromIso: string, toIso?: string): Appointment[] {
		const scanned = monthFilter(fromIso, toIso);
		const key = `${fromIso}|${toIso ?? ''}`;
		const out: Appointment[] = [];
		for (const [name, m] of this.months) {
			if (!scanned(name)) continue;
			m.overlapping ??= new Map();
			let cached = m.overlapping.get(key);
			if (!cached) {
				const hits: Appointment[] = [];
				for (const a of m.appointments.values())
					if (a.end > fromIso && (toIso === undefined || a.start < toIso)) hits.push(a);
				if (m.overlapping.size > 8) m.overlapping.clear();
				m.overlapping.set(key, (cached = { fromIso, toIso, hits }));
			}
			for (const a of cached.hits) out.push(a);
		}
		return out;
	}

	/** Whether `overlapping(fromIso, toIso)` includes an appointment of month document `name`. */
	static within(fromIso: string, toIso?: string): (name: DocName, a: Appointment) => boolean {
		const scanned = monthFilter(fromIso, toIso);
		return (name, a) => scanned(name) && a.end > fromIso && (toIso === undefined || a.start < toIso);
	}

	/** No-shows per patient over the open months. */
	noShows(): Map<string, number> {
		if (this.noShowTotal) return this.noShowTotal;
		const out = new Map<string, number>();
		for (const m of this.months.values()) {
			if (!m.noShows) {
				m.noShows = new Map();
				for (const a of m.appointments.values())
					if (a.status === 'no-show') m.noShows.set(a.patientId, (m.noShows.get(a.patientId) ?? 0) + 1);
			}
			for (const [id, n] of m.noShows) out.set(id, (out.get(id) ?? 0) + n);
		}
		this.noShowTotal = out;
		return out;
	}

	find(id: string): Appointment | undefined {
		for (const m of this.months.values()) {
			const a = m.appointments.get(id);
			if (a) return a;
		}
		return undefined;
	}

	locate(id: string): { doc: Y.Doc; current: Appointment; name: DocName } {
		for (const [name, m] of this.months) {
			const current = m.appointments.get(id);
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
		else {
			this.wrote(created);
			this.readMonth(name);
		}
		return created;
	}

	/**
	 * Runs `fn` as one transaction of `doc`: an edit and its history event reach the relay and
	 * colleagues as one update (one message, one apply, one recomputation there), and the document's
	 * update listeners run once.
	 */
	transact<T>(doc: Y.Doc, fn: () => T): T {
		if (this.writing) return fn();
		this.writing = new Map();
		try {
			return doc.transact(fn);
		} finally {
			this.writing = null;
		}
	}

	private wrote(a: Appointment): void {
		// Outside `transact` the write's own transaction (whose observer drops entries) is over already.
		(this.writing ?? this.written).set(a.id, a);
	}

	/**
	 * Changes fields of an appointment (see `RecordCollection.patch`); the month's next read takes
	 * the validated result instead of decoding it again.
	 */
	patchAppointment(doc: Y.Doc, id: string, fields: AppointmentFields): Patched<Appointment> {
		const patched = appointmentsIn(doc).patch(id, fields);
		// Without a transaction (nothing changed) the value is still the record as stored, validated.
		this.wrote(patched.value);
		return patched;
	}

	/**
	 * Records a change in the appointment's history, kept beside it in its month's document. `fields`
	 * names the fields an edit wrote: the appointment keeps no per-field change marks of its own.
	 */
	event(
		a: Appointment,
		kind: AppointmentEventKind,
		extra: EventDetails & Partial<Pick<AppointmentEvent, 'fields'>> = {}
	): void {
		const by = this.ws.session?.user.id;
		if (!by) return;
		const doc = this.ws.docs().open(scheduleDoc(scheduleMonth(a.start)));
		const now = new Date().toISOString();
		const clean = Object.fromEntries(
			Object.entries(extra).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && !v.length))
		);
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
		this.dirty.clear();
		this.written.clear();
		this.writing = null;
		this.loaded = this.noShowTotal = this.changes = null;
		this.commonLoaded = false;
	}
}

/** The first month `overlapping(fromIso)` looks at, by `fromIso` (a few ranges are asked over and over). */
const firstMonths = new Map<string, string>();

/** The month documents `overlapping(fromIso, toIso)` looks at: a month holds the bookings that start in it. */
function monthFilter(fromIso: string, toIso?: string): (name: DocName) => boolean {
	let first = firstMonths.get(fromIso);
	if (first === undefined) {
		if (firstMonths.size > 64) firstMonths.clear();
		first = monthsBetween(new Date(Date.parse(fromIso) - 31 * 86_400_000).toISOString(), fromIso)[0]!;
		firstMonths.set(fromIso, first);
	}
	const from = first;
	const last = toIso?.slice(0, 7);
	return (name) => {
		const month = name.slice(name.indexOf('/') + 1);
		return !(month < from || (last !== undefined && month > last));
	};
}
