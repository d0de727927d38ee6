/**
 * Pure helpers of the booking dialog: clinic-local date and time ↔ instants, the RRULE of a repeat
 * choice and its first dates, warnings about the chosen slot, the writes an edit turns into, and
 * the words of an appointment's history. No state and no DOM, so every rule here is unit-tested.
 */
import { z } from 'zod';
import {
	localDate,
	localMinutes,
	overlaps,
	occupiesSlot,
	weekday,
	zonedTimeToUtc,
	type Appointment
} from '$lib/domain';
import type { AppointmentEvent } from '$lib/domain/schedule/records';
import {
	occurrences,
	rruleLoaded,
	rruleText,
	type AppointmentSeries,
	type SeriesEdit
} from '$lib/domain/schedule/recurrence';
import { slotText, statusWord, timeRange, weekdayLong } from './format';

const MINUTE = 60_000;
export const MAX_DURATION = 12 * 60;
export const REASON_MAX = 200;
export const NOTES_MAX = 2000;

// ---------------------------------------------------------------------------------------------
// Clinic-local date and time

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `hh:mm` of minutes after midnight. */
export function clockText(minutes: number): string {
	return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The instant of a clinic-local date (`yyyy-mm-dd`) and time (`hh:mm`); undefined if either is malformed. */
export function localToIso(date: string, time: string, timeZone: string): string | undefined {
	const t = TIME.exec(time);
	if (!DATE.test(date) || !t || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return undefined;
	return zonedTimeToUtc(date, Number(t[1]), Number(t[2]), timeZone).toISOString();
}

/** Clinic-local date and `hh:mm` of an instant. */
export function isoToLocal(iso: string, timeZone: string): { date: string; time: string } {
	return { date: localDate(iso, timeZone), time: clockText(localMinutes(iso, timeZone)) };
}

/**
 * Whether a local time exists on that date: the hour skipped when clocks spring forward
 * (2:30 AM on a March Sunday in Chicago) does not, and would silently land an hour off.
 */
export function localTimeExists(date: string, time: string, timeZone: string): boolean {
	const iso = localToIso(date, time, timeZone);
	if (!iso) return false;
	const back = isoToLocal(iso, timeZone);
	return back.date === date && back.time === time;
}

/** The end of an appointment `minutes` long (real elapsed minutes, whatever the clocks do). */
export function endFrom(startIso: string, minutes: number): string {
	return new Date(Date.parse(startIso) + minutes * MINUTE).toISOString();
}

export function minutesBetween(startIso: string, endIso: string): number {
	return Math.round((Date.parse(endIso) - Date.parse(startIso)) / MINUTE);
}

// ---------------------------------------------------------------------------------------------
// Repeat → RRULE

export type RepeatFrequency = 'none' | 'weekly' | 'weeks' | 'monthly';

export interface RepeatChoice {
	frequency: RepeatFrequency;
	/** For 'weeks': every N weeks. */
	interval: number;
	/** For 'monthly': the same weekday position ("2nd Tuesday") or the same day of the month. */
	monthlyBy: 'weekday' | 'monthday';
	end: 'count' | 'until';
	/** Occurrences in all, the first included. */
	count: number;
	/** Last local date (`yyyy-mm-dd`) an occurrence may fall on. */
	until: string;
}

export const NO_REPEAT: RepeatChoice = {
	frequency: 'none',
	interval: 2,
	monthlyBy: 'weekday',
	end: 'count',
	count: 6,
	until: ''
};

export const MAX_OCCURRENCES = 104;
export const MAX_INTERVAL = 52;

const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
const ORDINALS = ['1st', '2nd', '3rd', '4th'];

/**
 * The weekday position of a date in its month: 1–4, or -1 for a fifth one. A 5th Tuesday exists
 * in only some months; "last Tuesday" exists in all, which is what a person booking on one means.
 */
export function weekdayPosition(date: string): number {
	const day = Number(date.slice(8, 10));
	const n = Math.ceil(day / 7);
	return n >= 5 ? -1 : n;
}

/** `2nd Tuesday` / `last Friday` for a date. */
export function weekdayPositionLabel(date: string): string {
	const pos = weekdayPosition(date);
	return `${pos === -1 ? 'last' : ORDINALS[pos - 1]} ${weekdayLong(weekday(date))}`;
}

/** `yyyymmddThhmmssZ` of the last second of a clinic-local date (RFC 5545: UNTIL in UTC). */
export function untilUtc(date: string, timeZone: string): string {
	const last = zonedTimeToUtc(date, 23, 59, timeZone).getTime() + 59_000;
	return new Date(last)
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d{3}/, '');
}

/** What is wrong with a repeat choice for a first occurrence on `startDate`, if anything. */
export function repeatIssue(choice: RepeatChoice, startDate: string): string | undefined {
	if (choice.frequency === 'none') return undefined;
	if (
		choice.frequency === 'weeks' &&
		!(Number.isInteger(choice.interval) && choice.interval >= 1 && choice.interval <= MAX_INTERVAL)
	)
		return `Repeat every 1 to ${MAX_INTERVAL} weeks`;
	if (choice.end === 'count') {
		if (!(Number.isInteger(choice.count) && choice.count >= 2 && choice.count <= MAX_OCCURRENCES))
			return `Choose 2 to ${MAX_OCCURRENCES} appointments`;
	} else {
		if (!DATE.test(choice.until)) return 'Choose the date the series ends';
		if (DATE.test(startDate) && choice.until <= startDate) return 'The series must end after its first date';
	}
	return undefined;
}

/**
 * The RRULE value of a repeat choice for a first occurrence on the clinic-local `startDate`, or
 * undefined for no repeat. BYDAY and BYMONTHDAY are always written, so the rule does not depend on
 * a DTSTART it does not carry.
 */
export function repeatRule(choice: RepeatChoice, startDate: string, timeZone: string): string | undefined {
	if (choice.frequency === 'none' || !DATE.test(startDate)) return undefined;
	const parts: string[] = [];
	const day = BYDAY[weekday(startDate)]!;
	if (choice.frequency === 'monthly') {
		parts.push('FREQ=MONTHLY');
		if (choice.monthlyBy === 'weekday') parts.push(`BYDAY=${day}`, `BYSETPOS=${weekdayPosition(startDate)}`);
		else parts.push(`BYMONTHDAY=${Number(startDate.slice(8, 10))}`);
	} else {
		parts.push('FREQ=WEEKLY');
		if (choice.frequency === 'weeks' && choice.interval > 1) parts.push(`INTERVAL=${choice.interval}`);
		parts.push(`BYDAY=${day}`);
	}
	parts.push(choice.end === 'count' ? `COUNT=${choice.count}` : `UNTIL=${untilUtc(choice.until, timeZone)}`);
	return parts.join(';');
}

/** A note about a monthly rule on a day some months lack (it skips those months). */
export function monthdayNote(startDate: string): string | undefined {
	const day = Number(startDate.slice(8, 10));
	return day > 28 ? `Months without a ${day}${day === 31 ? 'st' : 'th'} are skipped` : undefined;
}

/**
 * The first `n` starts of a rule from a clinic-local start, through the same expansion the saved
 * series will use. Empty when the rule is not valid.
 */
export function previewStarts(
	rrule: string,
	start: { date: string; time: string; timeZone: string },
	durationMinutes: number,
	n = 5
): string[] {
	// rrule loads on demand (`ensureRRule`); until it has, there is no preview rather than an error.
	if (!rruleLoaded()) return [];
	if (!rruleText.safeParse(rrule).success || !DATE.test(start.date) || !TIME.test(start.time)) return [];
	const from = localToIso(start.date, start.time, start.timeZone)!;
	const series = {
		id: '00000000-0000-4000-8000-000000000000',
		createdAt: from,
		updatedAt: from,
		rrule,
		dtstart: { date: start.date, time: start.time, tz: start.timeZone },
		durationMinutes: Math.max(1, durationMinutes),
		providerId: '',
		typeId: '',
		patientId: '',
		reason: '',
		exceptions: {}
	} satisfies AppointmentSeries;
	const interval = Number(/INTERVAL=(\d+)/.exec(rrule)?.[1] ?? 1);
	const days = rrule.includes('FREQ=MONTHLY') ? (n + 1) * 31 * interval : (n + 1) * 7 * interval;
	return occurrences(series, from, endFrom(from, days * 24 * 60))
		.slice(0, n)
		.map((o) => o.start);
}

// ---------------------------------------------------------------------------------------------
// The form

/** What a click on an empty slot of the calendar already says about a new booking. */
export interface BookingInitial {
	providerId?: string | undefined;
	roomId?: string | undefined;
	/** The slot's start instant. */
	start?: string | undefined;
	patientId?: string | undefined;
}

export interface BookingFields {
	patientId: string;
	providerId: string;
	typeId: string;
	date: string;
	time: string;
	duration: number;
	roomId: string;
	reason: string;
	notes: string;
}

/** Messages by field name for what the form cannot save; empty when it can. */
export function bookingIssues(f: BookingFields, timeZone: string): Record<string, string> {
	const out: Record<string, string> = {};
	if (!f.patientId) out.patient = 'Choose a patient';
	if (!f.providerId) out.provider = 'Choose a provider';
	if (!f.typeId) out.type = 'Choose an appointment type';
	if (!DATE.test(f.date) || Number.isNaN(Date.parse(`${f.date}T00:00:00Z`))) out.date = 'Enter a date';
	if (!TIME.test(f.time)) out.time = 'Enter a time';
	else if (!out.date && !localTimeExists(f.date, f.time, timeZone))
		out.time = 'That time does not exist on this day (the clocks change)';
	if (!Number.isInteger(f.duration) || f.duration < 5 || f.duration > MAX_DURATION)
		out.duration = `Enter 5 to ${MAX_DURATION} minutes`;
	else if (f.duration % 5 !== 0) out.duration = 'Use a multiple of 5 minutes';
	if (f.reason.trim().length > REASON_MAX) out.reason = `Keep the reason under ${REASON_MAX} characters`;
	if (f.notes.trim().length > NOTES_MAX) out.notes = `Keep the notes under ${NOTES_MAX} characters`;
	return out;
}

/** Readable messages of whatever a write threw: zod issues one by one, else the error's message. */
export function errorMessages(e: unknown): string[] {
	if (e instanceof z.ZodError) {
		const list = e.issues.map((i) => i.message);
		return list.length > 0 ? [...new Set(list)] : ['The appointment is not valid'];
	}
	if (e instanceof Error && e.message) return [e.message];
	return ['That change could not be saved'];
}

export interface SlotWarning {
	kind: 'overlap' | 'outside-hours' | 'over-break' | 'closed';
	message: string;
}

type Busy = Pick<Appointment, 'id' | 'providerId' | 'start' | 'end' | 'status' | 'deletedAt'>;

/**
 * Why a slot will show as a conflict (it may still be booked: double-booking can be intended).
 * `hours` are the provider's intervals on the date as `schedule.hoursOf` gives them; an empty list
 * means hours are unknown and raises nothing, unless the clinic is closed (`holiday`).
 */
export function slotWarnings(
	slot: { start: string; end: string; providerId: string },
	ctx: {
		appointments: readonly Busy[];
		hours: readonly { start: string; end: string; kind: string }[];
		excludeId?: string | undefined;
		holiday?: string | undefined;
		timeZone: string;
	}
): SlotWarning[] {
	const out: SlotWarning[] = [];
	const clash = ctx.appointments.filter(
		(a) =>
			a.id !== ctx.excludeId &&
			!a.deletedAt &&
			a.providerId === slot.providerId &&
			occupiesSlot(a.status) &&
			overlaps(a, slot)
	);
	for (const a of clash)
		out.push({
			kind: 'overlap',
			message: `Overlaps another appointment at ${timeRange(a.start, a.end, ctx.timeZone)}; it will show as a conflict.`
		});
	if (ctx.holiday)
		out.push({
			kind: 'closed',
			message: `The clinic is closed (${ctx.holiday}); it will show as a conflict.`
		});
	const work = ctx.hours.filter((h) => h.kind === 'work');
	if (work.length > 0 && !work.some((h) => h.start <= slot.start && slot.end <= h.end))
		out.push({ kind: 'outside-hours', message: 'Outside the provider’s hours; it will show as a conflict.' });
	else if (ctx.hours.some((h) => h.kind !== 'work' && overlaps(h, slot)))
		out.push({
			kind: 'over-break',
			message: 'Over the provider’s break or blocked time; it will show as a conflict.'
		});
	return out;
}

// ---------------------------------------------------------------------------------------------
// Edits → writes

export type SeriesScope = 'one' | 'following' | 'all';

export interface EditTarget {
	providerId: string;
	typeId: string;
	start: string;
	end: string;
	roomId: string | undefined;
	reason: string;
	notes: string;
}

export type EditOp =
	| { kind: 'move'; to: { start: string; end: string; providerId: string; roomId?: string | undefined } }
	| { kind: 'resize'; end: string }
	| {
			kind: 'update';
			patch: Partial<Pick<Appointment, 'reason' | 'notes' | 'roomId' | 'typeId'>>;
	  }
	| { kind: 'series'; scope: Exclude<SeriesScope, 'one'>; edit: SeriesEdit };

/** Whether an edit changes what a series is about (time, length, provider, type): it asks for a scope. */
export function touchesSeries(current: Appointment, next: EditTarget): boolean {
	return (
		!!current.seriesId &&
		(next.start !== current.start ||
			next.end !== current.end ||
			next.providerId !== current.providerId ||
			next.typeId !== current.typeId)
	);
}

/**
 * The writes that turn `current` into `next`: only changed fields are written, so a colleague's
 * concurrent change to another field survives the merge. A new time or provider is a move, a new
 * length alone a resize; for a series with scope 'following' or 'all', one series edit.
 * Throws when the change cannot apply to a whole series (another day: the rule's weekday is fixed).
 */
export function planEdit(
	current: Appointment,
	next: EditTarget,
	scope: SeriesScope,
	timeZone: string
): EditOp[] {
	const ops: EditOp[] = [];
	const moved = next.start !== current.start || next.providerId !== current.providerId;
	const resized = next.end !== current.end;
	const roomChanged = (next.roomId ?? '') !== (current.roomId ?? '');
	const patch: Extract<EditOp, { kind: 'update' }>['patch'] = {};
	if (next.reason.trim() !== current.reason) patch.reason = next.reason.trim();
	if (next.notes.trim() !== current.notes) patch.notes = next.notes.trim();

	if (scope !== 'one' && touchesSeries(current, next)) {
		if (localDate(next.start, timeZone) !== localDate(current.start, timeZone))
			throw new Error(
				'A series can move to another time, not another day; choose "This appointment" or rebook'
			);
		const edit: SeriesEdit = {};
		const time = clockText(localMinutes(next.start, timeZone));
		if (time !== clockText(localMinutes(current.start, timeZone))) edit.time = time;
		if (minutesBetween(next.start, next.end) !== minutesBetween(current.start, current.end))
			edit.durationMinutes = minutesBetween(next.start, next.end);
		if (next.providerId !== current.providerId) edit.providerId = next.providerId;
		if (roomChanged) edit.roomId = next.roomId;
		if (next.typeId !== current.typeId) edit.typeId = next.typeId;
		if (patch.reason !== undefined) edit.reason = patch.reason;
		// Notes belong to one visit, not to the series.
		if (patch.notes !== undefined) ops.push({ kind: 'update', patch: { notes: patch.notes } });
		ops.push({ kind: 'series', scope, edit });
		return ops;
	}

	if (next.typeId !== current.typeId) patch.typeId = next.typeId;
	if (moved) {
		ops.push({
			kind: 'move',
			to: {
				start: next.start,
				end: next.end,
				providerId: next.providerId,
				...(next.roomId ? { roomId: next.roomId } : {})
			}
		});
		if (roomChanged && !next.roomId) patch.roomId = undefined;
	} else {
		if (resized) ops.push({ kind: 'resize', end: next.end });
		if (roomChanged) patch.roomId = next.roomId;
	}
	if (Object.keys(patch).length > 0) ops.push({ kind: 'update', patch });
	return ops;
}

export interface EditApi {
	move(id: string, to: Extract<EditOp, { kind: 'move' }>['to']): Appointment;
	resize(id: string, end: string): Appointment;
	update(id: string, patch: Extract<EditOp, { kind: 'update' }>['patch']): Appointment;
	editSeries(id: string, scope: Exclude<SeriesScope, 'one'>, edit: SeriesEdit): void;
}

/**
 * Runs the writes in order. A move into another month replaces the appointment with a new one
 * (the old stays as history), so later writes follow the returned id. Returns the id last written.
 */
export function applyEdit(api: EditApi, id: string, ops: readonly EditOp[]): string {
	let current = id;
	for (const op of ops) {
		if (op.kind === 'move') current = api.move(current, op.to).id;
		else if (op.kind === 'resize') current = api.resize(current, op.end).id;
		else if (op.kind === 'update') current = api.update(current, op.patch).id;
		else api.editSeries(current, op.scope, op.edit);
	}
	return current;
}

// ---------------------------------------------------------------------------------------------
// Words

/** One line of an appointment's history (without who and when, shown beside it). */
export function historyText(
	e: Pick<AppointmentEvent, 'kind' | 'from' | 'to' | 'status' | 'reason'>,
	ctx: { timeZone: string; providerName: (id: string) => string }
): string {
	const where = (s: { start: string; providerId: string }) =>
		`${slotText(s.start, ctx.timeZone)} (${ctx.providerName(s.providerId)})`;
	switch (e.kind) {
		case 'booked':
			return e.to ? `Booked for ${where(e.to)}` : 'Booked';
		case 'moved':
		case 'rescheduled': {
			const verb = e.kind === 'moved' ? 'Moved' : 'Rescheduled';
			const why = e.reason ? ` — ${e.reason}` : '';
			return e.from && e.to ? `${verb} from ${where(e.from)} to ${where(e.to)}${why}` : `${verb}${why}`;
		}
		case 'resized':
			return e.to ? `Length changed to ${minutesBetween(e.to.start, e.to.end)} min` : 'Length changed';
		case 'status':
			return `Status → ${statusWord(e.status ?? '')}`;
		case 'cancelled':
			return e.reason ? `Cancelled: ${e.reason}` : 'Cancelled';
		case 'edited':
			return 'Details changed';
	}
}

/** No-shows among a patient's appointments in the two years before `now`. */
export function recentNoShows(list: readonly Pick<Appointment, 'status' | 'start'>[], now: Date): number {
	const from = new Date(now);
	from.setUTCFullYear(from.getUTCFullYear() - 2);
	const lo = from.toISOString();
	const hi = now.toISOString();
	return list.filter((a) => a.status === 'no-show' && a.start >= lo && a.start <= hi).length;
}

export const CANCEL_REASONS = [
	'Patient request',
	'Provider unavailable',
	'Illness',
	'Weather',
	'Scheduled elsewhere'
] as const;
