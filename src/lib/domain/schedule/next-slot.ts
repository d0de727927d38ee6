import { addDays, localDate } from '../common/time';
import { clockMinutes } from './availability-schemas';
import {
	allows,
	AvailabilityIndex,
	clockToUtc,
	utcToClock,
	type AvailabilityContext,
	type DayClock
} from './availability';
import { occupiesSlot, type AppointmentStatus } from './schemas';

/**
 * The earliest free slots for an appointment type (issue "Scheduling"): day by day in the clinic's
 * zone, for each provider the bookable intervals that allow the type, minus the provider's booked
 * appointments (with buffers), walked gap by gap on the clinic's slot grid. Pure and deterministic:
 * results are in time order, ties broken by provider id, whatever the order of the inputs.
 */

const MS_PER_MINUTE = 60_000;
/** A search never looks further than this past `from`, so it always ends. */
export const MAX_SEARCH_DAYS = 731;
const DEFAULT_SEARCH_DAYS = 183;

export interface SlotAppointmentInput {
	providerId: string;
	typeId: string;
	start: string;
	end: string;
	/** Absent means booked. Only statuses that occupy a slot block one. */
	status?: AppointmentStatus | undefined;
	deletedAt?: string | undefined;
}

export interface SlotTypeInput {
	id: string;
	durationMinutes: number;
	bufferBeforeMinutes?: number | undefined;
	bufferAfterMinutes?: number | undefined;
	/** Per provider per clinic day. */
	maxPerDay?: number | undefined;
	/** Providers who offer it; absent or empty means all. */
	providerIds?: readonly string[] | undefined;
	deletedAt?: string | undefined;
}

export interface SchedulingContext extends AvailabilityContext {
	/** The clinic's slot grid: starts fall on multiples of it after local midnight. */
	slotMinutes: number;
	appointments: readonly SlotAppointmentInput[];
	/** Types give a query its defaults and existing appointments their buffers. */
	types?: readonly SlotTypeInput[] | undefined;
	/** Providers who can be booked (active ones); default: every provider with a template. */
	providerIds?: readonly string[] | undefined;
}

export type TimeOfDay = 'morning' | 'afternoon' | 'evening' | { from: string; to: string };

/** Start-time windows (local) for the named times of day. */
export const TIME_OF_DAY: Record<'morning' | 'afternoon' | 'evening', { from: string; to: string }> = {
	morning: { from: '00:00', to: '12:00' },
	afternoon: { from: '12:00', to: '17:00' },
	evening: { from: '17:00', to: '24:00' }
};

export interface SlotQuery {
	typeId: string;
	/** Only these providers (intersected with the type's); default all. */
	providerIds?: readonly string[] | undefined;
	/** Defaults from the type. */
	durationMinutes?: number | undefined;
	bufferBeforeMinutes?: number | undefined;
	bufferAfterMinutes?: number | undefined;
	maxPerDay?: number | undefined;
	/** Earliest start (instant). */
	from: string;
	/** Latest end (instant); default `from` + 183 days, at most + 731 days. */
	until?: string | undefined;
	/** The start must fall in this local window. */
	timeOfDay?: TimeOfDay | undefined;
	/** Local weekdays allowed, 0 = Sunday. */
	weekdays?: readonly number[] | undefined;
	/** How many slots; default 10. */
	limit?: number | undefined;
}

export interface Slot {
	providerId: string;
	start: string;
	end: string;
}

interface Booked {
	/** Busy time including the appointment's own buffers, ms. */
	busyStart: number;
	busyEnd: number;
	start: number;
	typeId: string;
}

interface ProviderBookings {
	list: Booked[];
	/** The longest busy interval, to find every one overlapping a window by binary search on start. */
	maxLen: number;
}

/**
 * A reusable search over one snapshot of the schedule. Building it indexes the appointments once;
 * every `nextAvailable` call after that costs only the days it walks. Treat the context as immutable.
 */
export class SlotFinder {
	readonly availability: AvailabilityIndex;
	private readonly slotMinutes: number;
	private readonly types = new Map<string, SlotTypeInput>();
	private readonly bookings = new Map<string, ProviderBookings>();
	private readonly providers: readonly string[];

	constructor(ctx: SchedulingContext) {
		if (!Number.isInteger(ctx.slotMinutes) || ctx.slotMinutes <= 0 || 1440 % ctx.slotMinutes !== 0)
			throw new Error(`slotMinutes must divide a day, got ${ctx.slotMinutes}`);
		this.slotMinutes = ctx.slotMinutes;
		this.availability = new AvailabilityIndex(ctx);
		for (const t of ctx.types ?? []) if (!t.deletedAt) this.types.set(t.id, t);
		this.providers = [...new Set(ctx.providerIds ?? this.availability.providerIds())].sort();

		for (const a of ctx.appointments) {
			if (a.deletedAt || !occupiesSlot(a.status ?? 'booked')) continue;
			const start = Date.parse(a.start);
			const end = Date.parse(a.end);
			if (!(end > start)) continue;
			const type = this.types.get(a.typeId);
			const busyStart = start - (type?.bufferBeforeMinutes ?? 0) * MS_PER_MINUTE;
			const busyEnd = end + (type?.bufferAfterMinutes ?? 0) * MS_PER_MINUTE;
			let b = this.bookings.get(a.providerId);
			if (!b) this.bookings.set(a.providerId, (b = { list: [], maxLen: 0 }));
			b.list.push({ busyStart, busyEnd, start, typeId: a.typeId });
			b.maxLen = Math.max(b.maxLen, busyEnd - busyStart);
		}
		for (const b of this.bookings.values())
			b.list.sort((x, y) => x.busyStart - y.busyStart || x.busyEnd - y.busyEnd);
	}

	nextAvailable(query: SlotQuery): Slot[] {
		const type = this.types.get(query.typeId);
		const duration = query.durationMinutes ?? type?.durationMinutes;
		if (duration === undefined || !(duration > 0))
			throw new Error(`No duration for appointment type ${query.typeId}`);
		const limit = query.limit ?? 10;
		const fromMs = Date.parse(query.from);
		if (!Number.isFinite(fromMs)) throw new Error(`Invalid from: ${query.from}`);
		const maxUntil = fromMs + MAX_SEARCH_DAYS * 86_400_000;
		const untilMs = Math.min(
			query.until === undefined ? fromMs + DEFAULT_SEARCH_DAYS * 86_400_000 : Date.parse(query.until),
			maxUntil
		);
		if (limit <= 0 || !(untilMs > fromMs)) return [];

		const spec: Spec = {
			typeId: query.typeId,
			durationMs: duration * MS_PER_MINUTE,
			beforeMs: (query.bufferBeforeMinutes ?? type?.bufferBeforeMinutes ?? 0) * MS_PER_MINUTE,
			afterMs: (query.bufferAfterMinutes ?? type?.bufferAfterMinutes ?? 0) * MS_PER_MINUTE,
			maxPerDay: query.maxPerDay ?? type?.maxPerDay,
			fromMs,
			untilMs,
			window: timeWindow(query.timeOfDay)
		};
		const offeredBy = type?.providerIds?.length ? new Set(type.providerIds) : undefined;
		const wanted = query.providerIds ? new Set(query.providerIds) : undefined;
		const providers = this.providers.filter(
			(p) => (!offeredBy || offeredBy.has(p)) && (!wanted || wanted.has(p))
		);
		const weekdays = query.weekdays ? new Set(query.weekdays) : undefined;

		const tz = this.availability.timeZone;
		const lastDate = localDate(new Date(untilMs), tz);
		const out: Slot[] = [];
		// Days do not overlap in time, so the first days' slots are the earliest ones.
		for (let date = localDate(new Date(fromMs), tz); date <= lastDate && out.length < limit;) {
			const clock = this.availability.clock(date);
			if (!weekdays || weekdays.has(new Date(clock.base).getUTCDay())) {
				const day: { providerId: string; start: number }[] = [];
				for (const p of providers) {
					for (const start of this.daySlots(p, date, clock, spec, limit - out.length))
						day.push({ providerId: p, start });
				}
				day.sort((a, b) => a.start - b.start || (a.providerId < b.providerId ? -1 : 1));
				for (const s of day.slice(0, limit - out.length)) {
					out.push({
						providerId: s.providerId,
						start: new Date(s.start).toISOString(),
						end: new Date(s.start + spec.durationMs).toISOString()
					});
				}
			}
			date = addDays(date, 1);
		}
		return out;
	}

	/** Up to `max` earliest slot starts (ms) for one provider on one date. */
	private daySlots(providerId: string, date: string, clock: DayClock, spec: Spec, max: number): number[] {
		const hours = this.availability.localHours(providerId, date);
		if (hours.length === 0) return [];
		const dayStart = clockToUtc(clock, 0);
		const dayEnd = clockToUtc(clock, 1440);
		if (dayEnd <= spec.fromMs || dayStart >= spec.untilMs) return [];

		// Bookable intervals that allow the type, as instants, adjacent ones joined.
		const open: [number, number][] = [];
		for (const h of hours) {
			if (!allows(h.types, spec.typeId)) continue;
			const s = clockToUtc(clock, h.from);
			const e = clockToUtc(clock, h.to);
			const last = open[open.length - 1];
			if (last && last[1] === s) last[1] = e;
			else if (e > s) open.push([s, e]);
		}
		if (open.length === 0) return [];

		// The provider's busy time that day, merged into sorted disjoint intervals, and the type's count.
		const busy: [number, number][] = [];
		const b = this.bookings.get(providerId);
		if (b) {
			const list = b.list;
			let count = 0;
			for (
				let i = lowerBound(list, dayStart - b.maxLen);
				i < list.length && list[i]!.busyStart < dayEnd;
				i++
			) {
				const a = list[i]!;
				if (a.typeId === spec.typeId && a.start >= dayStart && a.start < dayEnd) count++;
				if (a.busyEnd <= dayStart) continue;
				const last = busy[busy.length - 1];
				if (last && a.busyStart <= last[1]) last[1] = Math.max(last[1], a.busyEnd);
				else busy.push([a.busyStart, a.busyEnd]);
			}
			if (spec.maxPerDay !== undefined && count >= spec.maxPerDay) return [];
		}

		const winLo = spec.window ? clockToUtc(clock, spec.window.from) : -Infinity;
		const winHi = spec.window ? clockToUtc(clock, spec.window.to) : Infinity;
		const out: number[] = [];
		let k = 0;
		for (const [a, z] of open) {
			while (k < busy.length && busy[k]![1] <= a) k++;
			let cursor = a;
			for (let j = k; cursor < z;) {
				const next = busy[j];
				if (next && next[0] <= cursor) {
					cursor = Math.max(cursor, next[1]);
					j++;
					continue;
				}
				const gapEnd = next ? Math.min(z, next[0]) : z;
				this.gapSlots(clock, spec, cursor, gapEnd, winLo, winHi, out, max);
				if (out.length >= max) return out;
				cursor = gapEnd;
			}
		}
		return out;
	}

	/** Grid-aligned starts whose buffered block fits in the free gap [g0, g1). */
	private gapSlots(
		clock: DayClock,
		spec: Spec,
		g0: number,
		g1: number,
		winLo: number,
		winHi: number,
		out: number[],
		max: number
	): void {
		const first = Math.max(g0 + spec.beforeMs, spec.fromMs, winLo);
		const last = Math.min(g1 - spec.afterMs - spec.durationMs, spec.untilMs - spec.durationMs);
		for (let s = this.alignUp(clock, first); s <= last && s < winHi; s = this.alignUp(clock, s + 1)) {
			out.push(s);
			if (out.length >= max) return;
		}
	}

	/** The first instant at or after `ms` whose local time is on the slot grid. */
	private alignUp(clock: DayClock, ms: number): number {
		const slot = this.slotMinutes;
		for (let pass = 0; pass < 3; pass++) {
			const local = utcToClock(clock, ms);
			const aligned = Math.ceil(local / slot) * slot;
			if (aligned === local) return ms;
			ms = Math.round(ms + (aligned - local) * MS_PER_MINUTE);
		}
		return ms;
	}
}

interface Spec {
	typeId: string;
	durationMs: number;
	beforeMs: number;
	afterMs: number;
	maxPerDay: number | undefined;
	fromMs: number;
	untilMs: number;
	window: { from: number; to: number } | undefined;
}

function timeWindow(t: TimeOfDay | undefined): { from: number; to: number } | undefined {
	if (t === undefined) return undefined;
	const w = typeof t === 'string' ? TIME_OF_DAY[t] : t;
	return { from: clockMinutes(w.from), to: clockMinutes(w.to) };
}

function lowerBound(list: readonly Booked[], busyStart: number): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (list[mid]!.busyStart < busyStart) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/**
 * The earliest `limit` free slots for an appointment type, in time order (ties by provider id).
 * For repeated searches over the same schedule build one `SlotFinder` instead.
 */
export function nextAvailable(query: SlotQuery, ctx: SchedulingContext): Slot[] {
	return new SlotFinder(ctx).nextAvailable(query);
}
