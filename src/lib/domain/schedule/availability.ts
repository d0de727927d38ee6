import { zoneOffsetMinutes } from '../common/time';
import { clockMinutes } from './availability-schemas';

/**
 * A provider's bookable time on one date, from weekly templates and dated exceptions
 * (`availability-schemas.ts`). Pure and order-independent: the same records in any order give the
 * same answer on every device.
 *
 * Hours are clinic-local wall-clock minutes until the last step, where `DayClock` maps them to
 * instants for that date: on a daylight-saving day a 08:00–17:00 day is still 9 hours, a time in the
 * skipped hour (02:30 on a spring-forward day) starts at the first instant after the gap (03:00), and
 * a time in the repeated hour means its first occurrence.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

// Inputs are structural so that parsed records (which carry more fields) and plain test data both fit.

export interface RangeInput {
	from: string;
	to: string;
}
export interface WorkIntervalInput extends RangeInput {
	/** Appointment types bookable in it; absent or empty means any. */
	typeIds?: readonly string[] | undefined;
}
export interface HoursInput {
	intervals?: readonly WorkIntervalInput[] | undefined;
	breaks?: readonly RangeInput[] | undefined;
	blocked?: readonly (RangeInput & { reason?: string | undefined })[] | undefined;
}
export interface TemplateInput {
	id: string;
	providerId: string;
	effectiveFrom: string;
	effectiveTo?: string | undefined;
	days: readonly (HoursInput & { weekday: number })[];
	deletedAt?: string | undefined;
}
interface ExceptionCommon {
	id: string;
	deletedAt?: string | undefined;
}
export type ExceptionInput = ExceptionCommon &
	(
		| { kind: 'holiday'; date: string; providerId?: string | undefined }
		| { kind: 'vacation'; providerId: string; from: string; to: string }
		| { kind: 'extra-hours'; providerId: string; date: string; intervals: readonly WorkIntervalInput[] }
		| ({ kind: 'changed-hours'; providerId: string; date: string } & HoursInput)
		| { kind: 'block'; providerId: string; date: string; blocked: readonly RangeInput[] }
	);

export interface AvailabilityContext {
	/** The clinic's IANA zone. */
	timeZone: string;
	templates: readonly TemplateInput[];
	exceptions: readonly ExceptionInput[];
}

/** `'any'`, or the sorted ids of the appointment types bookable in an interval. */
export type AllowedTypes = 'any' | readonly string[];

/** Bookable time in minutes since local midnight, [from, to). */
export interface LocalInterval {
	from: number;
	to: number;
	types: AllowedTypes;
}

/** Bookable time as instants, [start, end). */
export interface AvailableInterval {
	start: string;
	end: string;
	typeIds: AllowedTypes;
}

export function allows(types: AllowedTypes, typeId: string): boolean {
	return types === 'any' || types.includes(typeId);
}

// ---------------------------------------------------------------------------------------------
// Local wall-clock minutes ↔ instants for one date

/**
 * The zone's offsets over one local date. At most one offset change can fall in a day (no zone
 * changes twice within a day), found once by bisection so that later mapping costs no `Intl` calls.
 */
export interface DayClock {
	date: string;
	/** `Date.UTC` of the date: local midnight read as if it were UTC. */
	base: number;
	/** Offset (minutes) before `transition`, and after it. */
	offBefore: number;
	offAfter: number;
	/** The instant the offset changes, or Infinity on an ordinary day. */
	transition: number;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's offset at an instant, in minutes: `zoneOffsetMinutes` read from the short `GMT-06:00`
 * form, which formats several times faster than the full date parts (it runs for every day searched).
 */
export function fastOffsetMinutes(ms: number, timeZone: string): number {
	let f = offsetFormatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset', year: 'numeric' });
		offsetFormatters.set(timeZone, f);
	}
	const m = /GMT(?:([+-])(\d\d):(\d\d)(:\d\d)?)?$/.exec(f.format(ms));
	if (!m || m[4]) return zoneOffsetMinutes(ms, timeZone); // unexpected form or a seconds offset
	return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

export function dayClock(date: string, timeZone: string): DayClock {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const base = Date.UTC(y, m - 1, d);
	const guess = base - fastOffsetMinutes(base, timeZone) * MS_PER_MINUTE;
	// Two hours of margin either side of the local day covers any guess error and the midnight changes.
	let lo = guess - 2 * 60 * MS_PER_MINUTE;
	let hi = guess + MS_PER_DAY + 2 * 60 * MS_PER_MINUTE;
	const offBefore = fastOffsetMinutes(lo, timeZone);
	const offAfter = fastOffsetMinutes(hi, timeZone);
	if (offBefore === offAfter) return { date, base, offBefore, offAfter, transition: Infinity };
	while (hi - lo > MS_PER_MINUTE) {
		const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
		if (fastOffsetMinutes(mid, timeZone) === offBefore) lo = mid;
		else hi = mid;
	}
	return { date, base, offBefore, offAfter, transition: hi };
}

/** The instant (ms) of local minute `minute` (0–1440) on the clock's date. */
export function clockToUtc(clock: DayClock, minute: number): number {
	const before = clock.base + (minute - clock.offBefore) * MS_PER_MINUTE;
	if (before < clock.transition) return before;
	const after = clock.base + (minute - clock.offAfter) * MS_PER_MINUTE;
	if (after >= clock.transition) return after;
	return clock.transition; // in the skipped hour: the first instant after the gap
}

/** Local minutes since midnight of the clock's date at instant `ms` (fractional; may pass 1440). */
export function utcToClock(clock: DayClock, ms: number): number {
	return (ms - clock.base) / MS_PER_MINUTE + (ms < clock.transition ? clock.offBefore : clock.offAfter);
}

// ---------------------------------------------------------------------------------------------
// Resolving one provider-date

interface ProviderRecords {
	templates: TemplateInput[];
	holidays: Set<string>;
	vacations: { from: string; to: string }[];
	byDate: Map<string, ExceptionInput[]>;
}

/** Templates and exceptions grouped by provider and date, so that a day is resolved without scans. */
export class AvailabilityIndex {
	readonly timeZone: string;
	private readonly clinicHolidays = new Set<string>();
	private readonly providers = new Map<string, ProviderRecords>();
	private readonly clocks = new Map<string, DayClock>();
	private readonly hours = new Map<string, LocalInterval[]>();
	/** Normalized template hours by template and weekday: most dates have no exception. */
	private readonly templateHours = new Map<string, LocalInterval[]>();

	constructor(ctx: AvailabilityContext) {
		this.timeZone = ctx.timeZone;
		for (const t of ctx.templates) if (!t.deletedAt) this.records(t.providerId).templates.push(t);
		for (const e of ctx.exceptions) {
			if (e.deletedAt) continue;
			if (e.kind === 'holiday') {
				if (e.providerId === undefined) this.clinicHolidays.add(e.date);
				else this.records(e.providerId).holidays.add(e.date);
			} else if (e.kind === 'vacation') {
				this.records(e.providerId).vacations.push({ from: e.from, to: e.to });
			} else {
				const r = this.records(e.providerId);
				const list = r.byDate.get(e.date);
				if (list) list.push(e);
				else r.byDate.set(e.date, [e]);
			}
		}
		// Latest effectiveFrom first, then id, so the template that applies does not depend on input order.
		for (const r of this.providers.values()) {
			r.templates.sort((a, b) =>
				a.effectiveFrom !== b.effectiveFrom
					? a.effectiveFrom < b.effectiveFrom
						? 1
						: -1
					: a.id < b.id
						? 1
						: a.id > b.id
							? -1
							: 0
			);
			for (const list of r.byDate.values()) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
		}
	}

	private records(providerId: string): ProviderRecords {
		let r = this.providers.get(providerId);
		if (!r) {
			r = { templates: [], holidays: new Set(), vacations: [], byDate: new Map() };
			this.providers.set(providerId, r);
		}
		return r;
	}

	/** Provider ids that have any template, sorted. */
	providerIds(): string[] {
		return [...this.providers.entries()]
			.filter(([, r]) => r.templates.length > 0)
			.map(([id]) => id)
			.sort();
	}

	clock(date: string): DayClock {
		let c = this.clocks.get(date);
		if (!c) {
			c = dayClock(date, this.timeZone);
			this.clocks.set(date, c);
		}
		return c;
	}

	/** Bookable local minutes of a provider on a date, sorted, non-overlapping (cached; do not mutate). */
	localHours(providerId: string, date: string): readonly LocalInterval[] {
		const key = providerId + '|' + date;
		let h = this.hours.get(key);
		if (!h) {
			h = this.resolve(providerId, date);
			this.hours.set(key, h);
		}
		return h;
	}

	private resolve(providerId: string, date: string): LocalInterval[] {
		if (this.clinicHolidays.has(date)) return [];
		const r = this.providers.get(providerId);
		if (!r || r.holidays.has(date)) return [];
		if (r.vacations.some((v) => v.from <= date && date <= v.to)) return [];

		const dated = r.byDate.get(date) ?? [];
		const changed = dated.filter((e) => e.kind === 'changed-hours');
		let base: HoursInput[];
		if (changed.length > 0) base = changed;
		else {
			const template = r.templates.find(
				(t) => t.effectiveFrom <= date && (t.effectiveTo === undefined || date <= t.effectiveTo)
			);
			if (!template) return [];
			const wd = weekdayOf(date);
			base = template.days.filter((d) => d.weekday === wd);
			if (dated.length === 0) {
				const key = template.id + '|' + wd;
				let h = this.templateHours.get(key);
				if (!h) {
					h = hoursOf(base, []);
					this.templateHours.set(key, h);
				}
				return h;
			}
		}
		return hoursOf(base, dated);
	}

	/** Bookable intervals of a provider on a local date, as instants. */
	availabilityOn(providerId: string, date: string): AvailableInterval[] {
		const clock = this.clock(date);
		return this.localHours(providerId, date).map((h) => ({
			start: new Date(clockToUtc(clock, h.from)).toISOString(),
			end: new Date(clockToUtc(clock, h.to)).toISOString(),
			typeIds: h.types
		}));
	}
}

function hoursOf(base: readonly HoursInput[], dated: readonly ExceptionInput[]): LocalInterval[] {
	const intervals: WorkIntervalInput[] = [];
	const minus: RangeInput[] = [];
	for (const h of base) {
		intervals.push(...(h.intervals ?? []));
		minus.push(...(h.breaks ?? []), ...(h.blocked ?? []));
	}
	for (const e of dated) {
		if (e.kind === 'extra-hours') intervals.push(...e.intervals);
		else if (e.kind === 'block') minus.push(...e.blocked);
	}
	return normalizeHours(intervals, minus);
}

/**
 * Working intervals minus breaks and blocked time, cut where the allowed types change: overlapping
 * intervals allow the union of their types. Sorted; adjacent pieces with the same types are joined.
 */
export function normalizeHours(
	intervals: readonly WorkIntervalInput[],
	minus: readonly RangeInput[]
): LocalInterval[] {
	const work = intervals
		.map((i) => ({ from: clockMinutes(i.from), to: clockMinutes(i.to), types: i.typeIds ?? [] }))
		.filter((i) => i.to > i.from);
	if (work.length === 0) return [];
	const off = minus.map((m) => ({ from: clockMinutes(m.from), to: clockMinutes(m.to) }));
	const cuts = new Set<number>();
	for (const i of [...work, ...off]) cuts.add(i.from).add(i.to);
	const points = [...cuts].sort((a, b) => a - b);

	const out: LocalInterval[] = [];
	for (let k = 0; k + 1 < points.length; k++) {
		const from = points[k]!;
		const to = points[k + 1]!;
		if (off.some((m) => m.from <= from && to <= m.to)) continue;
		const covering = work.filter((w) => w.from <= from && to <= w.to);
		if (covering.length === 0) continue;
		const types: AllowedTypes = covering.some((w) => w.types.length === 0)
			? 'any'
			: [...new Set(covering.flatMap((w) => w.types))].sort();
		const last = out[out.length - 1];
		if (last && last.to === from && sameTypes(last.types, types)) last.to = to;
		else out.push({ from, to, types });
	}
	return out;
}

function sameTypes(a: AllowedTypes, b: AllowedTypes): boolean {
	if (a === 'any' || b === 'any') return a === b;
	return a.length === b.length && a.every((t, i) => t === b[i]);
}

function weekdayOf(date: string): number {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/**
 * The provider's bookable intervals on a clinic-local date, as UTC instants, each with the
 * appointment types allowed in it. Empty on a holiday, during a vacation, or on a day off.
 * For many lookups build one `AvailabilityIndex` and call its `availabilityOn`.
 */
export function availabilityOn(
	provider: string | { id: string },
	date: string,
	ctx: AvailabilityContext
): AvailableInterval[] {
	return new AvailabilityIndex(ctx).availabilityOn(
		typeof provider === 'string' ? provider : provider.id,
		date
	);
}
