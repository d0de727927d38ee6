/**
 * Time on the grid: wall-clock minutes, slot rows, the visible hours and their labels.
 *
 * Positions are wall-clock minutes since the clinic's local midnight (`localMinutes`), never
 * "milliseconds since the start of the day": on a daylight-saving day the day is 23 or 25 hours
 * long, and 9:00 must still sit on the 9:00 line.
 */
import { localDate, localMinutes, zonedDayRange, zonedTimeToUtc } from '$lib/domain';

export const DAY_MINUTES = 24 * 60;
export const DEFAULT_START = 7 * 60;
export const DEFAULT_END = 19 * 60;
/** Shortest block on screen, in pixels: anything shorter cannot show a line of text. */
export const MIN_BLOCK_PX = 18;
/** A pointer that travels less than this between down and up clicked rather than dragged. */
export const DRAG_THRESHOLD_PX = 4;

/** Row height per slot size: small slots get short rows so a morning still fits on screen. */
const ROW_PX: Record<number, number> = { 5: 16, 10: 20, 15: 24, 20: 26, 30: 30 };

export function rowPx(slotMinutes: number): number {
	return ROW_PX[slotMinutes] ?? 24;
}

export function pxPerMinute(slotMinutes: number): number {
	return rowPx(slotMinutes) / slotMinutes;
}

/**
 * Wall-clock minute of an instant on a local date, clamped to that date: an instant before the date
 * is 0, one after it (or the next midnight itself) is 1440.
 */
export function minutesOnDate(iso: string, date: string, timeZone: string): number {
	const d = localDate(iso, timeZone);
	if (d < date) return 0;
	if (d > date) return DAY_MINUTES;
	return localMinutes(iso, timeZone);
}

/** The instant of a wall-clock minute on a local date. */
export function slotInstant(date: string, minute: number, timeZone: string): string {
	return zonedTimeToUtc(date, Math.floor(minute / 60), minute % 60, timeZone).toISOString();
}

/** False for the wall-clock times a spring-forward day skips (2:00–2:59 in the US). */
export function slotExists(date: string, minute: number, timeZone: string): boolean {
	const iso = slotInstant(date, minute, timeZone);
	return localDate(iso, timeZone) === date && localMinutes(iso, timeZone) === minute;
}

export function snap(minute: number, slotMinutes: number): number {
	return Math.round(minute / slotMinutes) * slotMinutes;
}

/** The next grid line after (`+1`) or before (`-1`) a minute, so off-grid times land on the grid. */
export function stepSlot(minute: number, slotMinutes: number, direction: 1 | -1): number {
	return direction > 0
		? Math.floor(minute / slotMinutes) * slotMinutes + slotMinutes
		: Math.ceil(minute / slotMinutes) * slotMinutes - slotMinutes;
}

export function clamp(n: number, lo: number, hi: number): number {
	return Math.min(Math.max(n, lo), hi);
}

/** Wall-clock minutes of the slot rows from `startMin` (inclusive) to `endMin` (exclusive). */
export function slotMinutesOf(startMin: number, endMin: number, slotMinutes: number): number[] {
	const out: number[] = [];
	for (let m = startMin; m < endMin; m += slotMinutes) out.push(m);
	return out;
}

/**
 * The hours the grid shows: 07:00–19:00 widened to whole hours around every span given
 * (appointments, working hours).
 */
export function visibleRange(
	spans: Iterable<{ startMin: number; endMin: number }>,
	defaults: { startMin: number; endMin: number } = { startMin: DEFAULT_START, endMin: DEFAULT_END }
): { startMin: number; endMin: number } {
	let lo = defaults.startMin;
	let hi = defaults.endMin;
	for (const s of spans) {
		if (s.endMin <= s.startMin) continue;
		lo = Math.min(lo, s.startMin);
		hi = Math.max(hi, s.endMin);
	}
	return {
		startMin: clamp(Math.floor(lo / 60) * 60, 0, DAY_MINUTES),
		endMin: clamp(Math.ceil(hi / 60) * 60, 0, DAY_MINUTES)
	};
}

/** `9 AM` for an hour line. */
export function hourLabel(minute: number): string {
	const h = Math.floor(minute / 60) % 24;
	return `${((h + 11) % 12) + 1} ${h < 12 ? 'AM' : 'PM'}`;
}

/** `30 minutes`, `1 hour`, `1 hour 15 minutes`. */
export function durationText(minutes: number): string {
	const h = Math.floor(minutes / 60);
	const m = minutes % 60;
	const hours = h === 0 ? '' : h === 1 ? '1 hour' : `${h} hours`;
	const mins = m === 0 ? '' : m === 1 ? '1 minute' : `${m} minutes`;
	return [hours, mins].filter(Boolean).join(' ') || '0 minutes';
}

const dayFormats = {
	long: new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }),
	short: new Intl.DateTimeFormat('en-US', {
		weekday: 'short',
		month: 'numeric',
		day: 'numeric',
		timeZone: 'UTC'
	})
};

/** `Tuesday, March 10` for a calendar date. */
export function dayLabel(date: string, style: 'long' | 'short' = 'long'): string {
	// One formatter per style: creating one costs about a millisecond, and every change of day asks.
	return dayFormats[style].format(new Date(`${date}T00:00:00Z`));
}

/** Whether an instant falls on a local date, and its wall-clock minute (for the current-time line). */
export function nowOn(nowMs: number, timeZone: string): { date: string; minute: number } {
	const iso = new Date(nowMs).toISOString();
	return { date: localDate(iso, timeZone), minute: localMinutes(iso, timeZone) };
}

/**
 * The instant of each slot row on a date ('' for a wall-clock time the date skips). A 24-hour day
 * has one offset throughout, so only a daylight-saving day pays for a zone lookup per slot.
 */
export function slotStarts(date: string, minutes: readonly number[], timeZone: string): string[] {
	const day = zonedDayRange(date, timeZone);
	const startMs = Date.parse(day.start);
	if (Date.parse(day.end) - startMs === DAY_MINUTES * 60000)
		return minutes.map((m) => new Date(startMs + m * 60000).toISOString());
	return minutes.map((m) => (slotExists(date, m, timeZone) ? slotInstant(date, m, timeZone) : ''));
}

/** The wall-clock minutes among `minutes` that a date skips (none on a 24-hour day). */
export function skippedMinutes(date: string, minutes: readonly number[], timeZone: string): number[] {
	const day = zonedDayRange(date, timeZone);
	if (Date.parse(day.end) - Date.parse(day.start) === DAY_MINUTES * 60000) return [];
	return minutes.filter((m) => !slotExists(date, m, timeZone));
}
