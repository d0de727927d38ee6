/** The shapes `ScheduleState` and its helper modules share (re-exported by `schedule.svelte.ts`). */
import type { WaitlistEntry } from '../domain/schedule/records';

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

/** A stretch of a provider's day as instants, for shading the grid. */
export interface HoursSpan {
	start: string;
	end: string;
	kind: 'work' | 'break' | 'blocked';
	label?: string;
}

export class ScheduleError extends Error {
	override name = 'ScheduleError';
}
