/**
 * Pure helpers for the month, agenda, flow board, conflicts and waitlist views: grouping, counting
 * and the words the screens use. Nothing here reads state, so all of it is unit-tested.
 */
import {
	addDays,
	localDate,
	occupiesSlot,
	weekday,
	zonedDayRange,
	type Appointment,
	type AppointmentStatus,
	type SlotQuery
} from '$lib/domain';
import type { Conflict } from '$lib/domain/schedule/conflicts';
import type { WaitlistEntry } from '$lib/domain/schedule/records';
import { shortDate, timeRange, weekdayShort } from './format';

/** `December 2026` for any date in the month. */
export function monthTitle(date: string): string {
	return new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
		new Date(`${date.slice(0, 7)}-01T00:00:00Z`)
	);
}

// -------------------------------------------------------------------------------------------------
// Month

/** The six weeks of a month view, starting at `from` (the Sunday on or before the 1st). */
export function monthWeeks(from: string): string[][] {
	return Array.from({ length: 6 }, (_, w) => Array.from({ length: 7 }, (_, d) => addDays(from, w * 7 + d)));
}

/** Per local date, how many slot-holding appointments each provider has. */
export function bookedByDay(
	appointments: readonly Pick<Appointment, 'start' | 'providerId' | 'status'>[],
	timeZone: string
): Map<string, Map<string, number>> {
	const out = new Map<string, Map<string, number>>();
	for (const a of appointments) {
		if (!occupiesSlot(a.status)) continue;
		const date = localDate(a.start, timeZone);
		let day = out.get(date);
		if (!day) out.set(date, (day = new Map()));
		day.set(a.providerId, (day.get(a.providerId) ?? 0) + 1);
	}
	return out;
}

/** Open (not accepted) conflicts per local date of their start. */
export function openConflictsByDay(
	conflicts: readonly Pick<Conflict, 'start' | 'resolved'>[],
	timeZone: string
): Map<string, number> {
	const out = new Map<string, number>();
	for (const c of conflicts) {
		if (c.resolved) continue;
		const date = localDate(c.start, timeZone);
		out.set(date, (out.get(date) ?? 0) + 1);
	}
	return out;
}

/** The day a month-view arrow key lands on, kept inside the grid [from, to). */
export function moveInGrid(date: string, key: string, from: string, to: string): string | null {
	const steps: Record<string, number> = {
		ArrowLeft: -1,
		ArrowRight: 1,
		ArrowUp: -7,
		ArrowDown: 7
	};
	let next: string;
	if (key in steps) next = addDays(date, steps[key]!);
	else if (key === 'Home') next = addDays(date, -weekday(date));
	else if (key === 'End') next = addDays(date, 6 - weekday(date));
	else return null;
	if (next < from) return from;
	if (next >= to) return addDays(to, -1);
	return next;
}

// -------------------------------------------------------------------------------------------------
// Agenda

/** Items grouped by the local date they start on, in the order given. */
export function groupByDate<T extends { start: string }>(
	items: readonly T[],
	timeZone: string
): { date: string; items: T[] }[] {
	const out = new Map<string, T[]>();
	for (const item of items) {
		const date = localDate(item.start, timeZone);
		const list = out.get(date);
		if (list) list.push(item);
		else out.set(date, [item]);
	}
	return [...out].map(([date, list]) => ({ date, items: list })).sort((a, b) => a.date.localeCompare(b.date));
}

export function agendaFilter<T extends Pick<Appointment, 'providerId' | 'status'>>(
	appointments: readonly T[],
	options: { providerId?: string | undefined; hideCancelled: boolean }
): T[] {
	return appointments.filter(
		(a) =>
			(!options.providerId || a.providerId === options.providerId) &&
			!(options.hideCancelled && (a.status === 'cancelled' || a.status === 'rescheduled'))
	);
}

// -------------------------------------------------------------------------------------------------
// Flow board

export type FlowColumn = 'expected' | 'waiting' | 'in-room' | 'done' | 'missed';

export const FLOW_COLUMNS: readonly { id: FlowColumn; title: string }[] = [
	{ id: 'expected', title: 'Expected' },
	{ id: 'waiting', title: 'Waiting' },
	{ id: 'in-room', title: 'In room' },
	{ id: 'done', title: 'Completed' },
	{ id: 'missed', title: 'No-show / cancelled' }
];

/** Where a status sits on the board; a rescheduled booking lives on as its replacement, so it is left off. */
export function flowColumn(status: AppointmentStatus): FlowColumn | null {
	switch (status) {
		case 'booked':
		case 'confirmed':
			return 'expected';
		case 'arrived':
			return 'waiting';
		case 'in-room':
			return 'in-room';
		case 'completed':
			return 'done';
		case 'no-show':
		case 'cancelled':
			return 'missed';
		default:
			return null;
	}
}

export interface FlowAction {
	label: string;
	status: AppointmentStatus;
}

/** The next steps a row offers: the usual path first; undoing a no-show because it is often a slip. */
export function flowActions(status: AppointmentStatus): FlowAction[] {
	switch (status) {
		case 'booked':
		case 'confirmed':
			return [
				{ label: 'Check in', status: 'arrived' },
				{ label: 'No-show', status: 'no-show' }
			];
		case 'arrived':
			return [
				{ label: 'Room', status: 'in-room' },
				{ label: 'Done', status: 'completed' }
			];
		case 'in-room':
			return [{ label: 'Done', status: 'completed' }];
		case 'no-show':
			return [{ label: 'Undo no-show', status: 'booked' }];
		default:
			return [];
	}
}

/** Whole minutes since an instant (0 if absent or in the future). */
export function minutesSince(instant: string | undefined, nowMs: number): number {
	if (!instant) return 0;
	const ms = nowMs - Date.parse(instant);
	return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 60_000) : 0;
}

export type WaitLevel = 'ok' | 'long' | 'too-long';

/** Amber past 15 minutes of waiting, red past 30. */
export function waitLevel(minutes: number): WaitLevel {
	return minutes > 30 ? 'too-long' : minutes > 15 ? 'long' : 'ok';
}

/** `7 min`, `1 h 05 min`. */
export function durationText(minutes: number): string {
	if (minutes < 60) return `${minutes} min`;
	return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

// -------------------------------------------------------------------------------------------------
// Conflicts

export interface ConflictWords {
	timeZone: string;
	providerName(id: string): string;
	roomName(id: string): string;
	/** The type of the conflict's appointments (for max-per-day), if known. */
	type?: { name: string; maxPerDay?: number | undefined } | undefined;
}

/** What a conflict is, in one sentence a front desk reads at a glance. */
export function describeConflict(c: Conflict, w: ConflictWords): string {
	const date = shortDate(localDate(c.start, w.timeZone));
	const when = `${date}, ${timeRange(c.start, c.end, w.timeZone)}`;
	switch (c.kind) {
		case 'provider-overlap':
			return `${w.providerName(c.resourceId)} is double-booked ${when}`;
		case 'room-overlap':
			return `${w.roomName(c.resourceId)} is double-booked ${when}`;
		case 'outside-hours':
			return `Outside working hours: ${w.providerName(c.resourceId)}, ${when}`;
		case 'over-break':
			return `During a break: ${w.providerName(c.resourceId)}, ${when}`;
		case 'max-per-day': {
			const max = w.type?.maxPerDay;
			const type = w.type?.name ?? 'this type';
			const limit =
				max !== undefined ? `the daily maximum of ${max} ${type}` : `the daily maximum of ${type}`;
			return `Over ${limit}: ${w.providerName(c.resourceId)} has ${c.appointmentIds.length} on ${date}`;
		}
	}
}

/** Overlaps involve two bookings; the other kinds a booking (or a day's group) against a rule. */
export function isOverlap(c: Pick<Conflict, 'kind'>): boolean {
	return c.kind === 'provider-overlap' || c.kind === 'room-overlap';
}

// -------------------------------------------------------------------------------------------------
// Waitlist

const TIME_OF_DAY_WORDS: Record<WaitlistEntry['timeOfDay'], string> = {
	any: 'any time',
	morning: 'mornings',
	afternoon: 'afternoons',
	evening: 'evenings'
};

export function weekdaysText(days: readonly number[]): string {
	const sorted = [...new Set(days)].sort((a, b) => a - b);
	if (sorted.length === 0 || sorted.length === 7) return 'any day';
	if (sorted.join() === '1,2,3,4,5') return 'weekdays';
	if (sorted.join() === '0,6') return 'weekends';
	return sorted.map(weekdayShort).join(', ');
}

/** `Mornings · Mon, Wed · not before Thu Dec 3`, or `Any day, any time`. */
export function preferenceText(
	entry: Pick<WaitlistEntry, 'weekdays' | 'timeOfDay' | 'earliest'>,
	today?: string
): string {
	const days = weekdaysText(entry.weekdays);
	const time = TIME_OF_DAY_WORDS[entry.timeOfDay];
	const parts = days === 'any day' && time === 'any time' ? ['any day, any time'] : [time, days];
	if (entry.earliest && (!today || entry.earliest > today))
		parts.push(`not before ${shortDate(entry.earliest)}`);
	const text = parts.join(' · ');
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `today`, `yesterday`, `3 days`, `2 weeks`: how long someone has waited. */
export function waitedText(createdAt: string, today: string, timeZone: string): string {
	const since = localDate(createdAt, timeZone);
	const days = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${since}T00:00:00Z`)) / 86_400_000);
	if (days <= 0) return 'today';
	if (days === 1) return 'yesterday';
	if (days < 14) return `${days} days`;
	return `${Math.floor(days / 7)} weeks`;
}

/** Waiting entries still to be placed, urgent first, then longest waiting. */
export function openWaitlist<
	T extends Pick<WaitlistEntry, 'status' | 'priority' | 'createdAt' | 'deletedAt'>
>(entries: readonly T[]): T[] {
	return entries
		.filter((e) => !e.deletedAt && (e.status === 'waiting' || e.status === 'offered'))
		.sort(
			(a, b) =>
				Number(b.priority === 'urgent') - Number(a.priority === 'urgent') ||
				a.createdAt.localeCompare(b.createdAt)
		);
}

/**
 * The next-available search for an entry: its type, provider, days and time of day, from now or its
 * earliest date; a patient who already holds a booking only wants something before it.
 */
export function slotQueryFor(
	entry: Pick<WaitlistEntry, 'typeId' | 'providerId' | 'weekdays' | 'timeOfDay' | 'earliest'>,
	nowIso: string,
	timeZone: string,
	heldStart?: string,
	limit = 5
): SlotQuery {
	const earliest = entry.earliest ? zonedDayRange(entry.earliest, timeZone).start : undefined;
	const from = earliest && earliest > nowIso ? earliest : nowIso;
	return {
		typeId: entry.typeId,
		providerIds: entry.providerId ? [entry.providerId] : undefined,
		from,
		until: heldStart && heldStart > from ? heldStart : undefined,
		timeOfDay: entry.timeOfDay === 'any' ? undefined : entry.timeOfDay,
		weekdays: entry.weekdays.length > 0 ? entry.weekdays : undefined,
		limit
	};
}
