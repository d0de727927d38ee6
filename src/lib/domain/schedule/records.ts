import { z } from 'zod';
import { isoDate, isoDateTime, recordBase, recordId } from '../common/primitives';
import { CLINICDESK_NAMESPACE, uuidV5 } from '../common/uuid';
import { occurrenceKey, seriesException } from './recurrence';

/**
 * Schedule records besides appointments (issue "Scheduling"). Each is its own record so that two
 * workstations writing different ones offline never overwrite each other: the CRDT merges records
 * field by field, but a JSON field (a list, a map) is replaced whole by the last writer.
 */

/**
 * One exception of a recurring series (this occurrence cancelled, or moved), stored as its own
 * record in `schedule/common` rather than inside the series: two workstations editing different
 * occurrences of one series offline both keep their change. The id is derived from the series and
 * the occurrence, so two edits of the *same* occurrence land on the same record (last writer wins
 * per field, which is what a person expects for "the one occurrence").
 */
export const seriesExceptionRecord = recordBase.extend({
	seriesId: recordId,
	key: occurrenceKey,
	exception: seriesException
});
export type SeriesExceptionRecord = z.infer<typeof seriesExceptionRecord>;

export function seriesExceptionId(seriesId: string, key: string): string {
	return uuidV5(`series-exception/${seriesId}/${key}`, CLINICDESK_NAMESPACE);
}

/**
 * What happened to an appointment, kept beside it in its month's document. Append-only: stored as one
 * compact JSON string per event (`appointmentEventsIn`), never edited. The string leaves out `id` (the
 * map key) and `updatedAt` (always `createdAt`); the codec puts both back, so readers see whole records.
 */
export const appointmentEventKind = z.enum([
	'booked',
	'moved',
	'resized',
	'status',
	'cancelled',
	'rescheduled',
	'edited'
]);
export type AppointmentEventKind = z.infer<typeof appointmentEventKind>;

const slotRef = z.object({ start: isoDateTime, end: isoDateTime, providerId: recordId });

export const appointmentEvent = recordBase.extend({
	appointmentId: recordId,
	kind: appointmentEventKind,
	/** Staff user id (not a name: names can change, and the directory resolves ids). */
	by: z.string().min(1).max(64),
	from: slotRef.optional(),
	to: slotRef.optional(),
	status: z.string().max(20).optional(),
	/** A cancellation or reschedule reason chosen by staff (no free text about the patient). */
	reason: z.string().trim().max(200).optional(),
	/** For 'rescheduled': the booking that replaced this one (in another month's document). */
	replacementId: recordId.optional(),
	/**
	 * The appointment fields the change wrote (names only, never values), e.g. `['notes', 'roomId']`:
	 * on 'edited', 'resized' and 'moved' (the other kinds say what they wrote). Together with `by` and `createdAt` it says who last changed a field, so the
	 * appointment itself carries no per-field change marks. Absent in events from older versions.
	 */
	fields: z.array(z.string().min(1).max(40)).max(40).optional()
});
export type AppointmentEvent = z.infer<typeof appointmentEvent>;

/**
 * A person's decision about a detected conflict. The record's id is the conflict's id
 * (`conflictId`), which every workstation computes identically for the same merged schedule.
 * 'kept-both' acknowledges an intentional double-booking; moves and cancellations make the conflict
 * disappear, so they need no record here (the audit log has them).
 */
export const conflictResolution = recordBase.extend({
	decision: z.literal('kept-both'),
	by: z.string().min(1).max(64),
	note: z.string().trim().max(200).default('')
});
export type ConflictResolution = z.infer<typeof conflictResolution>;

export const waitlistStatus = z.enum(['waiting', 'offered', 'booked', 'removed']);
export type WaitlistStatus = z.infer<typeof waitlistStatus>;

/** A patient waiting for an earlier slot. */
export const waitlistEntry = recordBase
	.extend({
		patientId: recordId,
		typeId: recordId,
		/** Absent: any provider who offers the type. */
		providerId: recordId.optional(),
		/** 0 = Sunday … 6 = Saturday; empty = any weekday. */
		weekdays: z.array(z.number().int().min(0).max(6)).default([]),
		timeOfDay: z.enum(['any', 'morning', 'afternoon', 'evening']).default('any'),
		/** Not before this date (e.g. after a procedure); absent = from today. */
		earliest: isoDate.optional(),
		/** The appointment they already hold and want to move earlier, if any. */
		currentAppointmentId: recordId.optional(),
		priority: z.enum(['normal', 'urgent']).default('normal'),
		note: z.string().trim().max(200).default(''),
		status: waitlistStatus.default('waiting'),
		offeredAt: isoDateTime.optional(),
		bookedAppointmentId: recordId.optional()
	})
	.refine((w) => w.status !== 'booked' || w.bookedAppointmentId !== undefined, {
		message: 'A booked waitlist entry names its appointment',
		path: ['bookedAppointmentId']
	});
export type WaitlistEntry = z.infer<typeof waitlistEntry>;
