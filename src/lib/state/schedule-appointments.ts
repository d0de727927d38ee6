/**
 * The appointment writes of the schedule: booking (one or a series), field edits, moves, status and
 * cancellation. Each is checked against the role, recorded in the appointment's own history and in
 * the audit log (ids and action codes only).
 *
 * Appointments get no per-field change marks (`~changed.<field>`): the history event of an edit, a
 * resize or a move names the fields it wrote (`fields`), with who and when; a status change or
 * cancellation writes the fields its kind says. A mark per field was a Yjs item per field on every
 * edit, ~20 % of what an offline merge had to carry (BENCHMARKS.md, "Offline merge").
 */
import {
	canTransition,
	occupiesSlot,
	scheduleMonth,
	type Appointment,
	type AppointmentStatus
} from '../domain';
import {
	cancelAll,
	cancelThisAndFollowing,
	editAll,
	editThisAndFollowing,
	materializationWindow,
	planMaterialization,
	type AppointmentSeries,
	type SeriesEdit
} from '../domain/schedule/recurrence';
import { seriesIn } from '../crdt/collections';
import { scheduleDoc } from '../crdt/layout';
import { addWeeks, slotOf, withoutBookkeeping } from './schedule-helpers';
import { keyOfOccurrence, seriesFromBooking, type SeriesWriter } from './schedule-series';
import type { ScheduleStore } from './schedule-store';
import { ScheduleError, type BookingInput, type SeriesScope, type SlotChange } from './schedule-types';

export type AppointmentPatch = Partial<Pick<Appointment, 'reason' | 'notes' | 'roomId' | 'typeId' | 'end'>>;

export interface AppointmentDeps {
	store: ScheduleStore;
	series: SeriesWriter;
	seriesOf(a: Pick<Appointment, 'seriesId'>): AppointmentSeries | undefined;
	recompute(): void;
	materialize(): void;
	/** A slot became free: offer it to the waitlist. */
	freed(slot: SlotChange, typeId: string): void;
}

export class AppointmentWriter {
	constructor(private readonly deps: AppointmentDeps) {}

	book(input: BookingInput): Appointment {
		const { store } = this.deps;
		store.requireWrite();
		const now = new Date().toISOString();
		if (input.rrule) return this.bookSeries(input, now);
		const created = store.insertAppointment({
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
		store.event(created, 'booked', { to: slotOf(created) });
		store.ws.audit('create', 'appointment', created.id);
		this.deps.recompute();
		return created;
	}

	update(id: string, patch: AppointmentPatch, record = true): Appointment {
		const { store } = this.deps;
		store.requireWrite();
		const { doc, current } = store.locate(id);
		const at = new Date().toISOString();
		const updated = store.transact(doc, () => {
			const { value, changed } = store.patchAppointment(doc, id, { ...patch, updatedAt: at });
			// An edit leaves the slot as it was: its event names the fields, not the (same) slot twice.
			const slots = 'end' in patch ? { from: slotOf(current), to: slotOf(value) } : {};
			if (record) store.event(value, 'end' in patch ? 'resized' : 'edited', { ...slots, fields: changed });
			return value;
		});
		if (record) store.ws.audit('change', 'appointment', id);
		store.readMonth(scheduleDoc(scheduleMonth(updated.start)));
		this.deps.recompute();
		return updated;
	}

	/**
	 * Within its month an appointment changes in place (a colleague's simultaneous note edit still
	 * merges in); into another month it is rescheduled: the old record stays as history with status
	 * 'rescheduled' and a new booking points back to it. A moved occurrence of a series is recorded
	 * as that occurrence's exception.
	 */
	move(id: string, to: SlotChange, reason?: string): Appointment {
		const { store } = this.deps;
		store.requireWrite();
		const { doc, current } = store.locate(id);
		if (!occupiesSlot(current.status) || current.status === 'completed')
			throw new ScheduleError(`A ${current.status} appointment cannot be moved`);
		const now = new Date().toISOString();
		const freed = slotOf(current);
		const series = this.deps.seriesOf(current);
		if (series)
			this.deps.series.writeException(series, id, current, { moved: { start: to.start, end: to.end } }, now);
		const room = to.roomId !== undefined ? { roomId: to.roomId ?? undefined } : {};
		let result: Appointment;
		if (scheduleMonth(to.start) === scheduleMonth(current.start)) {
			result = store.transact(doc, () => {
				const moved = store.patchAppointment(doc, id, {
					start: to.start,
					end: to.end,
					providerId: to.providerId,
					...room,
					updatedAt: now
				});
				store.event(moved.value, 'moved', {
					from: freed,
					to: slotOf(moved.value),
					reason,
					fields: moved.changed
				});
				return moved.value;
			});
			store.ws.audit('change', 'appointment', id);
		} else {
			const replacementId = crypto.randomUUID();
			result = store.insertAppointment({
				...withoutBookkeeping(current),
				id: replacementId,
				createdAt: now,
				updatedAt: now,
				start: to.start,
				end: to.end,
				providerId: to.providerId,
				...room,
				status: current.status === 'confirmed' ? 'confirmed' : 'booked',
				rescheduledFromId: id
			});
			const old = store.patchAppointment(doc, id, { status: 'rescheduled', updatedAt: now }).value;
			// One event tells both sides: the replacement's history starts from the one it replaced.
			store.event(old, 'rescheduled', { from: freed, to: slotOf(result), reason, replacementId });
			store.ws.audit('change', 'appointment', id);
			store.ws.audit('create', 'appointment', replacementId);
		}
		store.readAll();
		this.deps.recompute();
		this.deps.freed(freed, current.typeId);
		return result;
	}

	setStatus(id: string, status: AppointmentStatus, reason?: string): Appointment {
		const { store } = this.deps;
		store.requireWrite();
		if (status === 'cancelled') return this.cancel(id, reason ?? '');
		const { doc, current } = store.locate(id);
		if (!canTransition(current.status, status))
			throw new ScheduleError(`Cannot go from ${current.status} to ${status}`);
		const now = new Date().toISOString();
		const patch: Partial<Appointment> = { status, updatedAt: now };
		// A new check-in time only when checking in from expected (not when stepping back from the room).
		// Going back never deletes `arrivedAt` or `cancelReason`: fields merge one by one, and a colleague
		// who meanwhile moved the patient to the room (or cancelled again) would otherwise be left with a
		// status that needs the field the undo deleted — an invalid record, hidden from the schedule.
		if (
			status === 'arrived' &&
			(current.status === 'booked' || current.status === 'confirmed' || !current.arrivedAt)
		)
			patch.arrivedAt = now;
		const updated = store.transact(doc, () => {
			const value = store.patchAppointment(doc, id, patch).value;
			store.event(value, 'status', { status });
			return value;
		});
		store.ws.audit('change', 'appointment', id);
		store.readMonth(scheduleDoc(scheduleMonth(updated.start)));
		this.deps.recompute();
		if (status === 'no-show') this.deps.freed(slotOf(current), current.typeId);
		return updated;
	}

	cancel(id: string, reason: string, scope: SeriesScope = 'one'): Appointment {
		const { store } = this.deps;
		store.requireWrite();
		const why = reason.trim();
		if (!why) throw new ScheduleError('Give a reason for the cancellation');
		const { doc, current } = store.locate(id);
		const now = new Date().toISOString();
		const series = this.deps.seriesOf(current);
		if (series && scope !== 'one') {
			const existing = this.deps.series.appointmentsOf(series.id);
			const key = keyOfOccurrence(series, current);
			const changes =
				scope === 'all'
					? cancelAll(series, why, existing, now)
					: cancelThisAndFollowing(series, key, why, existing, now);
			this.deps.series.apply(changes, 'cancelled', why);
			store.ws.audit('change', 'appointment-series', series.id);
		} else {
			if (!canTransition(current.status, 'cancelled'))
				throw new ScheduleError(`A ${current.status} appointment cannot be cancelled`);
			if (series) this.deps.series.writeException(series, id, current, 'cancelled', now);
			store.transact(doc, () => {
				const updated = store.patchAppointment(doc, id, {
					status: 'cancelled',
					cancelReason: why,
					updatedAt: now
				}).value;
				store.event(updated, 'cancelled', { reason: why, from: slotOf(current) });
			});
			store.ws.audit('change', 'appointment', id);
		}
		store.readAll();
		this.deps.recompute();
		this.deps.freed(slotOf(current), current.typeId);
		return store.find(id) ?? current;
	}

	editSeries(id: string, scope: Exclude<SeriesScope, 'one'>, edit: SeriesEdit): void {
		const { store } = this.deps;
		store.requireWrite();
		const { current } = store.locate(id);
		const series = this.deps.seriesOf(current);
		if (!series) throw new ScheduleError('This appointment is not part of a series');
		const now = new Date().toISOString();
		const existing = this.deps.series.appointmentsOf(series.id);
		const changes =
			scope === 'all'
				? editAll(series, edit, existing, now)
				: editThisAndFollowing(series, keyOfOccurrence(series, current), edit, existing, now);
		this.deps.series.apply(changes, 'edited');
		store.ws.audit('change', 'appointment-series', series.id);
		store.readCommon();
		this.deps.materialize();
	}

	private bookSeries(input: BookingInput, now: string): Appointment {
		const { store } = this.deps;
		const series = seriesFromBooking(input, store.timeZone, now);
		seriesIn(store.common()).insert(series);
		store.ws.audit('create', 'appointment-series', series.id);
		const window = materializationWindow(now);
		const changes = planMaterialization(
			series,
			[],
			input.start,
			window.to > input.start ? window.to : addWeeks(input.start, 12),
			now
		);
		this.deps.series.apply(changes, 'booked');
		if (input.notes)
			for (const a of changes.appointmentInserts) this.update(a.id!, { notes: input.notes }, false);
		store.readCommon();
		this.deps.recompute();
		const first = changes.appointmentInserts[0];
		const found = first?.id ? store.find(first.id) : undefined;
		if (!found) throw new ScheduleError('The series has no occurrence in the next 12 weeks');
		return found;
	}
}
