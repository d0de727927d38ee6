/**
 * Calendar arithmetic on day numbers (days since 1970-01-01) and wall-clock → instant conversion for an
 * IANA zone. Day numbers keep the hot loop free of Date objects; Intl supplies the zone's offset so DST
 * transitions come from the runtime's tz database rather than from hard-coded rules.
 */
import { zoneOffsetMinutes } from '../common/time';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

/** `2026-11-28` → day number. Throws on anything that is not a real calendar date. */
export function dayNumber(iso: string): number {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
	if (!m) throw new RangeError(`Not an ISO date: ${iso}`);
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const ms = Date.UTC(y, mo - 1, d);
	if (isoDay(ms / MS_PER_DAY) !== iso) throw new RangeError(`Not a calendar date: ${iso}`);
	return ms / MS_PER_DAY;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** Day number → `yyyy-mm-dd` without a Date: this runs for every timestamp in a 100k-appointment clinic. */
export function isoDay(day: number): string {
	// Civil-from-days (H. Hinnant), valid for years 0000–9999 which is all an ISO date can hold.
	const z = day + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor(
		(doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365
	);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const m = mp < 10 ? mp + 3 : mp - 9;
	const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
	return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

const TIME_OF_MINUTE: string[] = Array.from(
	{ length: 1440 },
	(_, i) => `T${pad2(Math.floor(i / 60))}:${pad2(i % 60)}:00.000Z`
);

const dayPrefixes = new Map<number, string>();

/**
 * Same output as `new Date(ms).toISOString()`. Whole-minute instants (all the generator makes) are a
 * cached date plus a table lookup: less garbage, which was most of the large preset's run time.
 */
export function isoInstant(ms: number): string {
	if (ms % MS_PER_MINUTE !== 0) return new Date(ms).toISOString();
	const day = Math.floor(ms / MS_PER_DAY);
	let prefix = dayPrefixes.get(day);
	if (prefix === undefined) {
		prefix = isoDay(day);
		if (dayPrefixes.size < 100_000) dayPrefixes.set(day, prefix);
	}
	return prefix + TIME_OF_MINUTE[(ms - day * MS_PER_DAY) / MS_PER_MINUTE]!;
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekday(day: number): number {
	return (((day + 4) % 7) + 7) % 7;
}

/** Same day of month `months` later, clamped to the month's last day (Jan 31 + 1 month → Feb 28/29). */
export function addMonths(day: number, months: number): number {
	const date = new Date(day * MS_PER_DAY);
	const y = date.getUTCFullYear();
	const m = date.getUTCMonth() + months;
	const lastOfTarget = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
	return Date.UTC(y, m, Math.min(date.getUTCDate(), lastOfTarget)) / MS_PER_DAY;
}

/** Minutes to add to UTC to get local time at that instant (Chicago in July: -300). */
export function offsetMinutes(utcMs: number, timeZone: string): number {
	return zoneOffsetMinutes(Math.floor(utcMs / MS_PER_MINUTE) * MS_PER_MINUTE, timeZone);
}

/**
 * The instant at which local clocks in `timeZone` read `minute` on `day`. Two passes: the offset at the
 * naive guess can be on the wrong side of a transition, the offset at the corrected instant cannot.
 * Wall times that do not exist (inside a spring-forward gap) come out shifted by the gap.
 */
export function zonedTimeToUtc(day: number, minute: number, timeZone: string): number {
	const local = day * MS_PER_DAY + minute * MS_PER_MINUTE;
	const first = local - offsetMinutes(local, timeZone) * MS_PER_MINUTE;
	return local - offsetMinutes(first, timeZone) * MS_PER_MINUTE;
}
