/** Pure helpers of the schedule state: view ranges, the documents a view needs, small record maths. */
import { addDays, localDate, weekday, zonedDayRange, zonedTimeToUtc, type Appointment } from '../domain';
import { keyOf, type AppointmentSeries, type OccurrenceKey } from '../domain/schedule/recurrence';
import type { SeriesExceptionRecord } from '../domain/schedule/records';
import { monthsBetween, scheduleDoc, type DocName } from '../crdt/layout';
import type { CalendarView, SlotChange } from './schedule-types';

const WEEK_STARTS_ON = 0; // Sunday, as on US office calendars.
/** Conflicts are watched from a week back to the materialization window ahead. */
export const CONFLICT_DAYS_BACK = 7;
export const CONFLICT_DAYS_AHEAD = 13 * 7;
/** Months a next-available search reads ahead. */
export const SEARCH_MONTHS = 6;

/** The local dates [from, to) a view anchored at `day` shows; `today` is asked only by the conflicts view. */
export function rangeOf(view: CalendarView, day: string, today: () => string): { from: string; to: string } {
	switch (view) {
		case 'week': {
			const start = addDays(day, -((weekday(day) - WEEK_STARTS_ON + 7) % 7));
			return { from: start, to: addDays(start, 7) };
		}
		case 'month': {
			const first = `${day.slice(0, 8)}01`;
			const start = addDays(first, -((weekday(first) - WEEK_STARTS_ON + 7) % 7));
			return { from: start, to: addDays(start, 42) };
		}
		case 'agenda':
			return { from: day, to: addDays(day, 14) };
		case 'conflicts': {
			const t = today();
			return { from: addDays(t, -CONFLICT_DAYS_BACK), to: addDays(t, CONFLICT_DAYS_AHEAD) };
		}
		default:
			return { from: day, to: addDays(day, 1) };
	}
}

/**
 * The month documents a view of local dates [from, to) needs: its own months and the window around
 * today, not the span between them — a date typed far from today opens only its own months.
 */
export function monthsToOpen(
	from: string,
	to: string,
	today: string,
	timeZone: string
): { view: DocName[]; around: DocName[] } {
	const viewStart = zonedDayRange(from, timeZone).start;
	const viewEnd = zonedDayRange(addDays(to, -1), timeZone).end;
	const around = zonedDayRange(addDays(today, -CONFLICT_DAYS_BACK), timeZone).start;
	const aroundEnd = zonedDayRange(addDays(today, CONFLICT_DAYS_AHEAD), timeZone).end;
	return {
		view: monthsBetween(viewStart, viewEnd).map(scheduleDoc),
		around: monthsBetween(around, aroundEnd).map(scheduleDoc)
	};
}

export function slotOf(a: Appointment): SlotChange & { providerId: string } {
	return { start: a.start, end: a.end, providerId: a.providerId };
}

export function withoutBookkeeping(a: Appointment): Appointment {
	const out = { ...a };
	delete out.deletedAt;
	delete out.arrivedAt;
	delete out.cancelReason;
	return out;
}

/** Series with their exceptions, which live as records of their own (one per occurrence). */
export function withExceptions(
	series: AppointmentSeries[],
	records: SeriesExceptionRecord[]
): AppointmentSeries[] {
	const byId = new Map<string, Record<string, SeriesExceptionRecord['exception']>>();
	for (const r of records) {
		const map = byId.get(r.seriesId) ?? {};
		map[r.key] = r.exception;
		byId.set(r.seriesId, map);
	}
	return series.map((s) => ({ ...s, exceptions: { ...s.exceptions, ...(byId.get(s.id) ?? {}) } }));
}

/** Every occurrence key a series could have between two instants (one per local date). */
export function expandAround(series: AppointmentSeries, from: string, to: string): OccurrenceKey[] {
	const out: OccurrenceKey[] = [];
	let d = localDate(from, series.dtstart.tz);
	const last = localDate(to, series.dtstart.tz);
	const [hh, mm] = series.dtstart.time.split(':').map(Number) as [number, number];
	// Cheap: the occurrence grid only has the series' own clock time.
	while (d <= last) {
		const instant = zonedTimeToUtc(d, hh, mm, series.dtstart.tz).toISOString();
		out.push(keyOf(instant, series.dtstart.tz));
		d = addDays(d, 1);
	}
	return out;
}

/** Minutes after midnight of an `hh:mm` clock time. */
export function clock(hhmm: string): number {
	return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function pad(n: number): string {
	return String(n).padStart(2, '0');
}

export function addWeeks(iso: string, weeks: number): string {
	return new Date(Date.parse(iso) + weeks * 7 * 86_400_000).toISOString();
}
