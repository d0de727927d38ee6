import { z } from 'zod';
import { isoDate, recordBase, recordId } from '../common/primitives';

/**
 * When a provider can be booked (issue "Scheduling"). Hours are wall-clock times in the clinic's time
 * zone ('08:00'), never instants, so that a provider who works 08:00–17:00 still does so after a
 * daylight-saving change; `availability.ts` turns them into instants for one date at a time.
 */

/** `HH:MM` on a 24-hour clock; `24:00` is the end of the day. */
export const clockTime = z
	.string()
	.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use a time like 08:30 (24-hour clock)');

/** Minutes since local midnight of a `HH:MM` time: '08:30' → 510. */
export function clockMinutes(time: string): number {
	return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

const timeRangeFields = z.object({ from: clockTime, to: clockTime });
const endsAfterStart = (r: { from: string; to: string }) => clockMinutes(r.to) > clockMinutes(r.from);
const endsAfterStartIssue = { message: 'The end must be after the start', path: ['to'] };

export const timeRange = timeRangeFields.refine(endsAfterStart, endsAfterStartIssue);
export type TimeRange = z.infer<typeof timeRange>;

/** Working time. `typeIds` limits which appointment types can be booked in it; empty means any. */
export const workInterval = timeRangeFields
	.extend({ typeIds: z.array(recordId).default([]) })
	.refine(endsAfterStart, endsAfterStartIssue);
export type WorkInterval = z.infer<typeof workInterval>;

export const blockReason = z.enum([
	'admin',
	'meeting',
	'procedure',
	'training',
	'charting',
	'travel',
	'personal',
	'other'
]);
export type BlockReason = z.infer<typeof blockReason>;

/** Time inside working hours that cannot be booked, with why (shown greyed on the calendar). */
export const blockedTime = timeRangeFields
	.extend({ reason: blockReason, note: z.string().trim().max(200).optional() })
	.refine(endsAfterStart, endsAfterStartIssue);
export type BlockedTime = z.infer<typeof blockedTime>;

/** One day's hours: working intervals minus breaks and blocked time. */
export const dayHours = z.object({
	intervals: z.array(workInterval).default([]),
	breaks: z.array(timeRange).default([]),
	blocked: z.array(blockedTime).default([])
});
export type DayHours = z.infer<typeof dayHours>;

export const weekdayHours = dayHours.extend({
	/** 0 = Sunday … 6 = Saturday. */
	weekday: z.number().int().min(0).max(6)
});
export type WeekdayHours = z.infer<typeof weekdayHours>;

/**
 * A provider's weekly hours from `effectiveFrom` (inclusive) to `effectiveTo` (inclusive, open if
 * absent). When templates overlap on a date, the one with the latest `effectiveFrom` applies, so a
 * change of hours "from 1 March" is one new template without editing the old one.
 */
export const availabilityTemplate = recordBase
	.extend({
		providerId: recordId,
		effectiveFrom: isoDate,
		effectiveTo: isoDate.optional(),
		/** Weekdays without an entry are days off. */
		days: z.array(weekdayHours).default([])
	})
	.superRefine((t, ctx) => {
		if (t.effectiveTo !== undefined && t.effectiveTo < t.effectiveFrom)
			ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'Ends before it starts' });
		const seen = new Set<number>();
		t.days.forEach((d, i) => {
			if (seen.has(d.weekday))
				ctx.addIssue({ code: 'custom', path: ['days', i, 'weekday'], message: 'Weekday given twice' });
			seen.add(d.weekday);
		});
	});
export type AvailabilityTemplate = z.infer<typeof availabilityTemplate>;

const exceptionBase = recordBase.extend({ note: z.string().trim().max(200).optional() });

/** A closed day: clinic-wide without `providerId`, else for that provider only. */
export const holidayException = exceptionBase.extend({
	kind: z.literal('holiday'),
	date: isoDate,
	providerId: recordId.optional(),
	name: z.string().trim().max(80).default('')
});

/** A provider away from `from` to `to`, both inclusive. */
export const vacationException = exceptionBase
	.extend({ kind: z.literal('vacation'), providerId: recordId, from: isoDate, to: isoDate })
	.refine((v) => v.to >= v.from, { message: 'Ends before it starts', path: ['to'] });

/** Hours added to a date on top of the template (a Saturday clinic, an evening session). */
export const extraHoursException = exceptionBase.extend({
	kind: z.literal('extra-hours'),
	providerId: recordId,
	date: isoDate,
	intervals: z.array(workInterval).min(1)
});

/** The template's hours replaced for one date (no intervals: the day off). */
export const changedHoursException = exceptionBase.extend({
	kind: z.literal('changed-hours'),
	providerId: recordId,
	date: isoDate,
	...dayHours.shape
});

/** Blocked time on one date only (a meeting), on top of the template's. */
export const blockException = exceptionBase.extend({
	kind: z.literal('block'),
	providerId: recordId,
	date: isoDate,
	blocked: z.array(blockedTime).min(1)
});

export const availabilityException = z.discriminatedUnion('kind', [
	holidayException,
	vacationException,
	extraHoursException,
	changedHoursException,
	blockException
]);
export type AvailabilityException = z.infer<typeof availabilityException>;
