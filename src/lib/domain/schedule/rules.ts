import {
	AvailabilityIndex,
	clockToUtc,
	type ExceptionInput,
	type LocalInterval,
	type TemplateInput
} from './availability';
import type { ConflictRules, DayRules } from './conflicts';

/**
 * The `ConflictRules` that `detectConflicts` checks hours, breaks and daily maximums against, built
 * from the provider hours records (issue "Scheduling"). Screens build one per snapshot of the
 * templates, exceptions and types, and reuse it: each provider-date is resolved once and cached.
 *
 * For a provider-date:
 * - `hours` are the working intervals (template or changed hours, plus extra hours) as instants,
 *   joined where they touch whatever types each allows: `DayRules` has no notion of type, so an
 *   interval limited to some types still counts as working time;
 * - `breaks` are the breaks and blocked time (template, changed hours and `block` exceptions) inside
 *   those hours, so a booking over lunch is 'over-break' rather than 'outside-hours';
 * - a holiday (clinic-wide or the provider's) or a vacation gives no hours: any booking is outside;
 * - a date no record speaks about (no template in effect, no changed hours, no holiday or vacation)
 *   is `undefined`: hours not entered yet are unknown, not "closed", so they raise nothing. Extra
 *   hours alone do not make a date known, as `AvailabilityIndex` only adds them to a template's day.
 */

export interface ConflictRulesSource {
	/** The clinic's IANA zone. */
	timeZone: string;
	templates: readonly TemplateInput[];
	exceptions: readonly ExceptionInput[];
	/** Appointment types, for their `maxPerDay`; deleted ones are ignored. */
	types?: readonly { id: string; maxPerDay?: number | undefined; deletedAt?: string | undefined }[];
}

interface Known {
	templates: { from: string; to: string | undefined }[];
	/** Dates with the provider's own holiday or changed hours. */
	dates: Set<string>;
	vacations: { from: string; to: string }[];
}

export function conflictRulesFrom(source: ConflictRulesSource): ConflictRules {
	const { timeZone } = source;
	const templates = source.templates.filter((t) => !t.deletedAt);
	const exceptions = source.exceptions.filter((e) => !e.deletedAt);
	// The same records with every break and blocked time removed give the working hours.
	const bookable = new AvailabilityIndex({ timeZone, templates, exceptions });
	const working = new AvailabilityIndex({
		timeZone,
		templates: templates.map((t) => ({
			...t,
			days: t.days.map((d) => ({ weekday: d.weekday, intervals: d.intervals }))
		})),
		exceptions: exceptions.flatMap((e): ExceptionInput[] =>
			e.kind === 'block'
				? []
				: e.kind === 'changed-hours'
					? [{ id: e.id, kind: e.kind, providerId: e.providerId, date: e.date, intervals: e.intervals }]
					: [e]
		)
	});

	const clinicHolidays = new Set<string>();
	const known = new Map<string, Known>();
	const knownFor = (providerId: string): Known => {
		let k = known.get(providerId);
		if (!k) known.set(providerId, (k = { templates: [], dates: new Set(), vacations: [] }));
		return k;
	};
	for (const t of templates)
		knownFor(t.providerId).templates.push({ from: t.effectiveFrom, to: t.effectiveTo });
	for (const e of exceptions) {
		if (e.kind === 'holiday' && e.providerId === undefined) clinicHolidays.add(e.date);
		else if (e.kind === 'vacation') knownFor(e.providerId).vacations.push({ from: e.from, to: e.to });
		// Extra hours are added to a template's day (`AvailabilityIndex` ignores them without one).
		else if ((e.kind === 'holiday' || e.kind === 'changed-hours') && e.providerId !== undefined)
			knownFor(e.providerId).dates.add(e.date);
	}
	const isKnown = (providerId: string, date: string): boolean => {
		if (clinicHolidays.has(date)) return true;
		const k = known.get(providerId);
		if (!k) return false;
		return (
			k.dates.has(date) ||
			k.templates.some((t) => t.from <= date && (t.to === undefined || date <= t.to)) ||
			k.vacations.some((v) => v.from <= date && date <= v.to)
		);
	};

	const maxima = new Map<string, number>();
	for (const t of source.types ?? [])
		if (!t.deletedAt && t.maxPerDay !== undefined) maxima.set(t.id, t.maxPerDay);

	const cache = new Map<string, DayRules | undefined>();
	return {
		timeZone,
		day(providerId, date) {
			const key = providerId + '|' + date;
			if (cache.has(key)) return cache.get(key);
			let rules: DayRules | undefined;
			if (isKnown(providerId, date)) {
				const work = joined(working.localHours(providerId, date));
				const open = bookable.localHours(providerId, date);
				const clock = bookable.clock(date);
				const instants = (list: readonly Span[]) =>
					list
						.map((s) => ({ startMs: clockToUtc(clock, s.from), endMs: clockToUtc(clock, s.to) }))
						.filter((s) => s.endMs > s.startMs)
						.map((s) => ({ start: new Date(s.startMs).toISOString(), end: new Date(s.endMs).toISOString() }));
				rules = { hours: instants(work), breaks: instants(subtract(work, open)) };
			}
			cache.set(key, rules);
			return rules;
		},
		maxPerDay: (typeId) => maxima.get(typeId)
	};
}

interface Span {
	from: number;
	to: number;
}

/** Sorted intervals with touching ones joined, types ignored. */
function joined(list: readonly LocalInterval[]): Span[] {
	const out: Span[] = [];
	for (const i of [...list].sort((a, b) => a.from - b.from)) {
		const last = out[out.length - 1];
		if (last && i.from <= last.to) last.to = Math.max(last.to, i.to);
		else out.push({ from: i.from, to: i.to });
	}
	return out;
}

/** `whole` minus the sorted, non-overlapping `parts` (both in local minutes). */
function subtract(whole: readonly Span[], parts: readonly Span[]): Span[] {
	const out: Span[] = [];
	for (const w of whole) {
		let at = w.from;
		for (const p of parts) {
			if (p.to <= at || p.from >= w.to) continue;
			if (p.from > at) out.push({ from: at, to: p.from });
			at = Math.max(at, p.to);
		}
		if (at < w.to) out.push({ from: at, to: w.to });
	}
	return out;
}
