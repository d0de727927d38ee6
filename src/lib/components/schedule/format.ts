/**
 * How the schedule writes a time, a date, a weekday and a status: one copy for the views, the
 * booking dialog, the printouts and Admin → Scheduling, so every screen says 9:30 AM the same way.
 * Instants are shown in the clinic's zone; calendar dates (`yyyy-mm-dd`) have none.
 */
import { weekday, localDate, type AppointmentStatus } from '$lib/domain';
import { clinicTime as formatClinicTime, STATUS_LABELS } from '../patients/record/format';

export { STATUS_LABELS };

/** Formatted times by zone and instant: a packed day formats hundreds on every change of day. */
const times = new Map<string, string>();

/** `9:30 AM` in the clinic's zone. */
export function clinicTime(iso: string, timeZone: string): string {
	const key = `${timeZone}|${iso}`;
	let text = times.get(key);
	if (text === undefined) {
		// A bound, not an eviction policy: weeks of browsing stay well under it.
		if (times.size >= 20_000) times.clear();
		times.set(key, (text = formatClinicTime(iso, timeZone)));
	}
	return text;
}

/** Monday first: how an office thinks of its week (hours, preferred days). */
export const WEEKDAY_ORDER: readonly number[] = [1, 2, 3, 4, 5, 6, 0];
/** Sunday first, as `weekday()` counts. */
export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MINUTES = 24 * 60;

export function weekdayShort(day: number): string {
	return WEEKDAY_SHORT[day] ?? '';
}

export function weekdayLong(day: number): string {
	return WEEKDAY_NAMES[day] ?? '';
}

/** `Saturday, November 28, 2026` for a calendar date. */
export function longDate(date: string): string {
	return new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeZone: 'UTC' }).format(
		new Date(`${date}T00:00:00Z`)
	);
}

/** `Tue Dec 1` for a calendar date. */
export function shortDate(date: string): string {
	const month = MONTH_SHORT[Number(date.slice(5, 7)) - 1] ?? '';
	return `${weekdayShort(weekday(date))} ${month} ${Number(date.slice(8, 10))}`;
}

/** `9:00–9:30 AM`, or `11:30 AM–12:15 PM` when the range crosses noon. */
export function timeRange(start: string, end: string, timeZone: string): string {
	const a = clinicTime(start, timeZone);
	const b = clinicTime(end, timeZone);
	const period = (t: string) => t.slice(-2);
	return period(a) === period(b) ? `${a.slice(0, -3)}–${b}` : `${a}–${b}`;
}

/** `Tue Dec 1, 9:00 AM` in the clinic's zone. */
export function slotText(start: string, timeZone: string): string {
	return `${shortDate(localDate(start, timeZone))}, ${clinicTime(start, timeZone)}`;
}

/** `9:30 AM` for a wall-clock minute after midnight (1440 is midnight at the end of the day). */
export function minuteLabel(minute: number): string {
	const m = ((minute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
	const h = Math.floor(m / 60);
	return `${((h + 11) % 12) + 1}:${String(m % 60).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

/** `in room`: a status inside a sentence. */
export function statusWord(status: string): string {
	return STATUS_LABELS[status as AppointmentStatus]?.toLowerCase() ?? status;
}
