/**
 * Recurring series as the schedule writes them: a domain change set (`SeriesChanges`) becomes series
 * fields in `schedule/common`, one exception record per changed occurrence (so two workstations
 * changing different occurrences both keep theirs) and appointments in their months; and the next
 * weeks of every series are materialized as appointments.
 */
import { localDate, localMinutes, scheduleMonth, type Appointment } from '../domain';
import {
	appointmentSeries,
	ensureRRule,
	keyOf,
	materializationWindow,
	occurrenceId,
	planMaterialization,
	type AppointmentSeries,
	type OccurrenceKey,
	type SeriesChanges
} from '../domain/schedule/recurrence';
import {
	seriesExceptionId,
	type AppointmentEventKind,
	type SeriesExceptionRecord
} from '../domain/schedule/records';
import { appointmentsIn, seriesExceptionsIn, seriesIn } from '../crdt/collections';
import { scheduleDoc } from '../crdt/layout';
import { expandAround, pad, slotOf } from './schedule-helpers';
import type { ScheduleStore } from './schedule-store';
import type { BookingInput } from './schedule-types';

/** The series a recurring booking starts (its rule anchored at the booking's clinic-local time). */
export function seriesFromBooking(input: BookingInput, timeZone: string, now: string): AppointmentSeries {
	const minutes = localMinutes(input.start, timeZone);
	return appointmentSeries.parse({
		id: crypto.randomUUID(),
		createdAt: now,
		updatedAt: now,
		rrule: input.rrule,
		dtstart: {
			date: localDate(input.start, timeZone),
			time: `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`,
			tz: timeZone
		},
		durationMinutes: Math.round((Date.parse(input.end) - Date.parse(input.start)) / 60000),
		providerId: input.providerId,
		typeId: input.typeId,
		patientId: input.patientId,
		...(input.roomId ? { roomId: input.roomId } : {}),
		reason: input.reason ?? ''
	});
}

/** The occurrence an appointment of a series stands for (its id is derived from the key). */
export function keyOfOccurrence(series: AppointmentSeries, a: Appointment): OccurrenceKey {
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

export interface SeriesDeps {
	store: ScheduleStore;
	/** The series as last read (with their exceptions). */
	series(): AppointmentSeries[];
	ensureMonths(fromIso: string, toIso: string): Promise<void>;
	recompute(): void;
}

export class SeriesWriter {
	private materializing = false;

	constructor(private readonly deps: SeriesDeps) {}

	/** The loaded appointments of a series, in no particular order. */
	appointmentsOf(seriesId: string): Appointment[] {
		return this.deps.store.allLoaded().filter((a) => a.seriesId === seriesId);
	}

	/** Records a change to one occurrence, unless `a` is a copy that no longer carries the occurrence's id. */
	writeException(
		series: AppointmentSeries,
		appointmentId: string,
		a: Appointment,
		exception: SeriesExceptionRecord['exception'],
		now: string
	): void {
		const key = keyOfOccurrence(series, a);
		if (occurrenceId(series.id, key) !== appointmentId) return;
		this.upsertException(series.id, key, exception, now);
	}

	/** Writes a domain change set: series fields in place, exceptions as records, appointments in their months. */
	apply(changes: SeriesChanges, kind: AppointmentEventKind, reason?: string): void {
		const { store } = this.deps;
		const common = store.common();
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
				const before = this.deps.series().find((s) => s.id === u.id)?.exceptions ?? {};
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
			const doc = store.ws.docs().open(scheduleDoc(scheduleMonth(a.start!)));
			if (appointmentsIn(doc).has(a.id!)) continue;
			const created = store.insertAppointment(a as Appointment);
			store.event(created, 'booked', { to: slotOf(created) });
			store.ws.audit('create', 'appointment', created.id);
		}
		for (const u of changes.appointmentUpdates) {
			let found: ReturnType<ScheduleStore['locate']>;
			try {
				found = store.locate(u.id);
			} catch {
				continue; // not in the loaded window: it is past or beyond the materialized weeks
			}
			// No per-field marks on appointments: the history event names the fields.
			const { value: updated, changed } = store.patchAppointment(found.doc, u.id, u.patch);
			const status = u.patch.status;
			const eventKind: AppointmentEventKind =
				status === 'cancelled' ? 'cancelled' : status === 'rescheduled' ? 'rescheduled' : 'moved';
			store.event(updated, status ? eventKind : kind === 'edited' ? 'edited' : 'moved', {
				from: slotOf(found.current),
				to: slotOf(updated),
				...(status ? {} : { fields: changed }),
				...(status === 'cancelled' && reason ? { reason } : {})
			});
			store.ws.audit('change', 'appointment', u.id);
		}
		store.readCommon();
		store.readAll();
	}

	/**
	 * Writes the next weeks of every series as appointments. Deterministic ids: two workstations
	 * doing this at once write the same records.
	 */
	async materialize(): Promise<void> {
		const { store } = this.deps;
		// The schedule calls this once it has painted: the right moment to fetch the series engine,
		// whether or not there is anything to materialize, so booking or editing a series finds it.
		const engine = ensureRRule();
		engine.catch(() => undefined); // a failed load matters only below, where it is awaited
		if (
			this.materializing ||
			!store.ws.can('schedule', 'write') ||
			!store.ws.session ||
			this.deps.series().length === 0
		)
			return;
		this.materializing = true;
		try {
			await engine;
			const now = new Date().toISOString();
			const window = materializationWindow(now);
			await this.deps.ensureMonths(window.from, window.to);
			for (const s of this.deps.series()) {
				const changes = planMaterialization(s, this.appointmentsOf(s.id), window.from, window.to, now);
				if (changes.appointmentInserts.length === 0 && changes.appointmentUpdates.length === 0) continue;
				this.apply(changes, 'booked');
			}
			this.deps.recompute();
		} finally {
			this.materializing = false;
		}
	}

	private upsertException(
		seriesId: string,
		key: OccurrenceKey,
		exception: SeriesExceptionRecord['exception'],
		now: string
	): void {
		const c = seriesExceptionsIn(this.deps.store.common());
		const id = seriesExceptionId(seriesId, key);
		if (c.has(id)) c.update(id, { exception, deletedAt: undefined, updatedAt: now });
		else c.insert({ id, createdAt: now, updatedAt: now, seriesId, key, exception });
	}
}
