/**
 * Working hours on the grid: shading outside them, breaks, and a provider's day off.
 */
import type { AvailabilityException, AvailabilityTemplate } from '$lib/domain';
import type { Span } from './grid-layout';
import { minutesOnDate } from './grid-time';

export interface Shade {
	startMin: number;
	endMin: number;
	kind: 'off' | 'break';
	label?: string | undefined;
}

/**
 * Shading of a column from a provider's intervals of the day: time outside every working interval
 * is 'off', breaks and blocked time are 'break'. `known` false (no hours entered for the date) gives
 * no shading at all: unknown hours are not "closed".
 */
export function shadeDay(
	intervals: readonly { start: string; end: string; kind: 'work' | 'break' | 'blocked'; label?: string }[],
	date: string,
	timeZone: string,
	range: { startMin: number; endMin: number },
	known: boolean
): Shade[] {
	if (!known && intervals.length === 0) return [];
	const toMin = (i: { start: string; end: string }) => ({
		startMin: minutesOnDate(i.start, date, timeZone),
		endMin: minutesOnDate(i.end, date, timeZone)
	});
	const work = intervals
		.filter((i) => i.kind === 'work')
		.map(toMin)
		.filter((i) => i.endMin > i.startMin)
		.sort((a, b) => a.startMin - b.startMin);
	const out: Shade[] = [];
	let cursor = range.startMin;
	for (const w of work) {
		if (w.startMin > cursor)
			out.push({ startMin: cursor, endMin: Math.min(w.startMin, range.endMin), kind: 'off' });
		cursor = Math.max(cursor, w.endMin);
	}
	if (cursor < range.endMin) out.push({ startMin: cursor, endMin: range.endMin, kind: 'off' });
	for (const i of intervals) {
		if (i.kind === 'work') continue;
		const m = toMin(i);
		const startMin = Math.max(m.startMin, range.startMin);
		const endMin = Math.min(m.endMin, range.endMin);
		if (endMin > startMin) out.push({ startMin, endMin, kind: 'break', label: i.label });
	}
	return out.filter((s) => s.endMin > s.startMin);
}

/** Working intervals as wall-clock spans, for widening the visible hours. */
export function workSpans(
	intervals: readonly { start: string; end: string; kind: string }[],
	date: string,
	timeZone: string
): Span[] {
	return intervals
		.filter((i) => i.kind === 'work')
		.map((i, n) => ({
			id: String(n),
			startMin: minutesOnDate(i.start, date, timeZone),
			endMin: minutesOnDate(i.end, date, timeZone)
		}));
}

/**
 * Whether a provider's hours on a date are known (a template in effect, the provider's own holiday
 * or changed hours, a vacation, a clinic holiday). `hoursOf` answers [] both for "no hours entered"
 * and for "closed": only a known day with no hours is shaded as closed.
 */
export function hoursKnown(
	templates: readonly AvailabilityTemplate[],
	exceptions: readonly AvailabilityException[],
	providerId: string,
	date: string
): boolean {
	if (
		templates.some(
			(t) =>
				!t.deletedAt &&
				t.providerId === providerId &&
				t.effectiveFrom <= date &&
				(t.effectiveTo === undefined || t.effectiveTo >= date)
		)
	)
		return true;
	return exceptions.some((e) => {
		if (e.deletedAt) return false;
		if (e.kind === 'holiday')
			return e.date === date && (e.providerId === undefined || e.providerId === providerId);
		if (e.kind === 'vacation') return e.providerId === providerId && e.from <= date && e.to >= date;
		return e.kind === 'changed-hours' && e.providerId === providerId && e.date === date;
	});
}

/** The provider's own day off, in words, for the column header ("Vacation", "Holiday: …"). */
export function providerDayOff(
	exceptions: readonly AvailabilityException[],
	providerId: string,
	date: string
): string | undefined {
	for (const e of exceptions) {
		if (e.deletedAt || !('providerId' in e) || e.providerId !== providerId) continue;
		if (e.kind === 'vacation' && e.from <= date && e.to >= date) return 'Away (vacation)';
		if (e.kind === 'holiday' && e.date === date) return e.name ? `Day off: ${e.name}` : 'Day off';
		if (e.kind === 'changed-hours' && e.date === date && e.intervals.length === 0) return 'Day off';
	}
	return undefined;
}
