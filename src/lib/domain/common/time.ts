/**
 * Wall-clock time in the clinic's time zone. Instants are stored in UTC; a clinic's day starts at
 * its local midnight, which moves against UTC across daylight-saving changes, so day boundaries are
 * computed from the zone's offset at that moment rather than by adding 24 hours.
 */

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
	let f = partsFormatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit'
		});
		partsFormatters.set(timeZone, f);
	}
	return f;
}

/** Offset of the zone from UTC at an instant, in minutes, from the full date parts (slow: ~10 µs). */
function exactOffsetMinutes(instantMs: number, timeZone: string): number {
	const p: Record<string, number> = {};
	for (const part of partsFormatter(timeZone).formatToParts(new Date(instantMs))) {
		if (part.type !== 'literal') p[part.type] = Number(part.value);
	}
	const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
	return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60000);
}

/**
 * Offsets are looked up per 15-minute span of UTC and remembered: every zone changes offset at most
 * once in such a span (transitions fall on quarter hours), so when the offsets at both ends of a span
 * agree they hold throughout it, and only a span containing a change is computed exactly. The
 * calendar asks for thousands of offsets per screen (profiled: 30 % of the day view's script time).
 */
const SPAN_MS = 15 * 60_000;
const MAX_CACHED_SPANS = 100_000;
const spanOffsets = new Map<string, Map<number, number>>();

function spanOffset(spanStart: number, timeZone: string): number {
	let zone = spanOffsets.get(timeZone);
	if (!zone) spanOffsets.set(timeZone, (zone = new Map()));
	let offset = zone.get(spanStart);
	if (offset === undefined) {
		if (zone.size >= MAX_CACHED_SPANS) zone.clear();
		offset = exactOffsetMinutes(spanStart, timeZone);
		zone.set(spanStart, offset);
	}
	return offset;
}

/** Offset of the zone from UTC at an instant, in minutes (Chicago in winter: -360). */
export function zoneOffsetMinutes(instantMs: number, timeZone: string): number {
	const start = Math.floor(instantMs / SPAN_MS) * SPAN_MS;
	const before = spanOffset(start, timeZone);
	if (before === spanOffset(start + SPAN_MS, timeZone)) return before;
	return exactOffsetMinutes(instantMs, timeZone);
}

/** The UTC instant of a local wall-clock time (`2026-03-08`, 9, 30) in a zone. */
export function zonedTimeToUtc(date: string, hour: number, minute: number, timeZone: string): Date {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const guess = Date.UTC(y, m - 1, d, hour, minute);
	// Two passes settle the offset on either side of a DST change.
	let ms = guess - zoneOffsetMinutes(guess, timeZone) * 60000;
	ms = guess - zoneOffsetMinutes(ms, timeZone) * 60000;
	return new Date(ms);
}

/** [start, end) of a local calendar day as ISO instants. */
export function zonedDayRange(date: string, timeZone: string): { start: string; end: string } {
	return {
		start: zonedTimeToUtc(date, 0, 0, timeZone).toISOString(),
		end: zonedTimeToUtc(addDays(date, 1), 0, 0, timeZone).toISOString()
	};
}

/** The local calendar date of an instant in a zone, as `yyyy-mm-dd`. */
export function localDate(instant: Date | string, timeZone: string): string {
	const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
	const shifted = new Date(ms + zoneOffsetMinutes(ms, timeZone) * 60000);
	return shifted.toISOString().slice(0, 10);
}

/** Minutes since local midnight of an instant in a zone. */
export function localMinutes(instant: string, timeZone: string): number {
	const ms = Date.parse(instant);
	const shifted = new Date(ms + zoneOffsetMinutes(ms, timeZone) * 60000);
	return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

export function addDays(date: string, days: number): string {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Day of week of a calendar date, 0 = Sunday. */
export function weekday(date: string): number {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}
