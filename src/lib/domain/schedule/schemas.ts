import { z } from 'zod';
import { isoDateTime, recordBase, recordId } from '../common/primitives';

export const appointmentStatus = z.enum([
	'booked',
	'confirmed',
	'arrived',
	'in-room',
	'completed',
	'no-show',
	'cancelled',
	'rescheduled'
]);
export type AppointmentStatus = z.infer<typeof appointmentStatus>;

/** The fields alone, for forms that pick or omit some (zod cannot pick from a refined schema). */
export const appointmentFields = recordBase.extend({
	patientId: recordId,
	providerId: recordId,
	roomId: recordId.optional(),
	typeId: recordId,
	start: isoDateTime,
	end: isoDateTime,
	status: appointmentStatus.default('booked'),
	reason: z.string().trim().max(200).default(''),
	notes: z.string().trim().max(2000).default(''),
	arrivedAt: isoDateTime.optional(),
	cancelReason: z.string().trim().max(200).optional(),
	/** Set when a booking replaced another on reschedule, so history is kept. */
	rescheduledFromId: recordId.optional(),
	seriesId: recordId.optional()
});

export const appointment = appointmentFields.superRefine((a, ctx) => {
	for (const issue of appointmentIssues(a)) ctx.addIssue({ code: 'custom', ...issue });
});
export type Appointment = z.infer<typeof appointment>;

/** Status changes a person may make; anything else is refused. */
const nextStatuses: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
	booked: ['confirmed', 'arrived', 'no-show', 'cancelled', 'rescheduled'],
	confirmed: ['booked', 'arrived', 'no-show', 'cancelled', 'rescheduled'],
	arrived: ['in-room', 'completed', 'cancelled', 'booked'],
	'in-room': ['completed', 'arrived'],
	completed: ['in-room'],
	'no-show': ['booked', 'rescheduled'],
	cancelled: ['booked'],
	rescheduled: []
};

export function canTransition(from: AppointmentStatus, to: AppointmentStatus): boolean {
	return from === to || nextStatuses[from].includes(to);
}

/** Statuses that hold a slot on the calendar, so that a second booking over them is a conflict. */
export function occupiesSlot(status: AppointmentStatus): boolean {
	return status !== 'cancelled' && status !== 'rescheduled' && status !== 'no-show';
}

export function appointmentIssues(a: {
	start: string;
	end: string;
	status: AppointmentStatus;
	cancelReason?: string | undefined;
	arrivedAt?: string | undefined;
}): { path: string[]; message: string }[] {
	const issues: { path: string[]; message: string }[] = [];
	const minutes = (Date.parse(a.end) - Date.parse(a.start)) / 60000;
	if (!(minutes > 0)) issues.push({ path: ['end'], message: 'An appointment must end after it starts' });
	else if (minutes > 12 * 60)
		issues.push({ path: ['end'], message: 'An appointment cannot last over 12 hours' });
	if (a.status === 'cancelled' && !a.cancelReason?.trim())
		issues.push({ path: ['cancelReason'], message: 'Give a reason for the cancellation' });
	if ((a.status === 'arrived' || a.status === 'in-room') && !a.arrivedAt)
		issues.push({ path: ['arrivedAt'], message: 'An arrived patient needs a check-in time' });
	return issues;
}

/** Half-open intervals [start, end) overlap. */
export function overlaps(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
	return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
}

/** The `yyyy-mm` month (UTC) an appointment's schedule document belongs to. */
export function scheduleMonth(startIso: string): string {
	return startIso.slice(0, 7);
}
