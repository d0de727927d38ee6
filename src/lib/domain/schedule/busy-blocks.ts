/**
 * A provider's busy blocks and the payload a workstation publishes for the relay's calendar feeds —
 * the part of the iCalendar feature the app needs at every start (it republishes after schedule
 * changes), kept apart from `ics.ts` so that the calendar generator loads only when a file is made.
 */
import { z } from 'zod';
import { isoDateTime, recordId, timeZone } from '../common/primitives';
import { occupiesSlot, type AppointmentStatus } from './schemas';

/** A busy interval [start, end) as UTC ISO instants (`toISOString()` form). */
export interface BusyBlock {
	start: string;
	end: string;
}

/** The longest block a feed carries; longer merged runs are cut into pieces of at most this. */
export const MAX_BLOCK_MS = 12 * 3600_000;
/** The most blocks one publication may carry (a provider's year and more). */
export const MAX_PUBLISHED_BLOCKS = 5000;
/** What busyBlocksOf needs of an appointment (an `Appointment` fits). */
export interface SlotLike {
	providerId: string;
	start: string;
	end: string;
	status: AppointmentStatus;
	deletedAt?: string | undefined;
}

/**
 * The provider's busy time within [from, to): appointments that hold a slot (`occupiesSlot`) and are
 * not deleted, overlapping the window, merged where they overlap or touch, sorted. Appointments that
 * cross the window's edges keep their full extent (the time is busy all the same). A merged run longer
 * than MAX_BLOCK_MS (a fully booked long day) is cut into consecutive pieces so that every block fits
 * the published payload's limit.
 */
export function busyBlocksOf(
	appointments: Iterable<SlotLike>,
	providerId: string,
	from: string,
	to: string
): BusyBlock[] {
	const lo = Date.parse(from);
	const hi = Date.parse(to);
	if (!(lo < hi)) return [];
	const spans: [number, number][] = [];
	for (const a of appointments) {
		if (a.providerId !== providerId || a.deletedAt || !occupiesSlot(a.status)) continue;
		const s = Date.parse(a.start);
		const e = Date.parse(a.end);
		if (!(s < e) || e <= lo || s >= hi) continue;
		spans.push([s, e]);
	}
	spans.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
	const merged: [number, number][] = [];
	for (const [s, e] of spans) {
		const last = merged[merged.length - 1];
		if (last && s <= last[1]) last[1] = Math.max(last[1], e);
		else merged.push([s, e]);
	}
	const out: BusyBlock[] = [];
	for (const [s, e] of merged) {
		for (let t = s; t < e; t += MAX_BLOCK_MS) {
			out.push({
				start: new Date(t).toISOString(),
				end: new Date(Math.min(e, t + MAX_BLOCK_MS)).toISOString()
			});
		}
	}
	return out;
}

/** One published block: two instants, nothing else (extra fields are refused, not dropped). */
export const publishedBlock = z
	.strictObject({ start: isoDateTime, end: isoDateTime })
	.refine((b) => Date.parse(b.end) > Date.parse(b.start), {
		message: 'A block must end after it starts',
		path: ['end']
	})
	.refine((b) => Date.parse(b.end) - Date.parse(b.start) <= MAX_BLOCK_MS, {
		message: 'A block cannot last over 12 hours',
		path: ['end']
	});

/**
 * What a workstation publishes to the relay for a provider's feeds (`PUT
 * /feeds/by-provider/<providerId>/blocks`). Strict: a patient, a type or a reason cannot ride along.
 */
export const publishedBlocks = z.strictObject({
	providerId: recordId,
	timeZone,
	blocks: z
		.array(publishedBlock)
		.max(MAX_PUBLISHED_BLOCKS, `At most ${MAX_PUBLISHED_BLOCKS} blocks can be published at once`)
});
export type PublishedBlocks = z.infer<typeof publishedBlocks>;
