/**
 * Shapes and words for the scheduling setup screens (Admin → Scheduling). Editors work on drafts —
 * strings straight from the inputs, every weekday present whether worked or not — so a day switched
 * off and on again keeps what was typed; these functions turn drafts into records for the zod
 * schemas, records back into drafts, and records into words.
 */
import {
	appointmentType as appointmentTypeSchema,
	availabilityException,
	availabilityTemplate,
	clockMinutes,
	type AppointmentType,
	type AvailabilityException,
	type AvailabilityTemplate,
	type BlockReason,
	type DayHours,
	type Provider
} from '$lib/domain';
import { minuteLabel, WEEKDAY_ORDER, weekdayShort } from '../schedule/format';

export interface RangeDraft {
	from: string;
	to: string;
}
export interface IntervalDraft extends RangeDraft {
	/** Only these appointment types; empty means any. */
	typeIds: string[];
}
export interface BlockDraft extends RangeDraft {
	reason: BlockReason;
	note: string;
}
export interface HoursDraft {
	intervals: IntervalDraft[];
	breaks: RangeDraft[];
	blocked: BlockDraft[];
}
export interface WeekdayDraft {
	weekday: number;
	working: boolean;
	hours: HoursDraft;
}

export type Issues = Record<string, string>;
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Issues };

export const BLOCK_REASON_LABELS: Record<BlockReason, string> = {
	admin: 'Administrative time',
	meeting: 'Meeting',
	procedure: 'Procedure',
	training: 'Training',
	charting: 'Charting',
	travel: 'Travel',
	personal: 'Personal',
	other: 'Other'
};

export type ExceptionKind = AvailabilityException['kind'];
export const EXCEPTION_KIND_LABELS: Record<ExceptionKind, string> = {
	holiday: 'Holiday or closed day',
	vacation: 'Vacation',
	'extra-hours': 'Extra hours',
	'changed-hours': 'Changed hours for a day',
	block: 'Blocked time'
};

// ---------------------------------------------------------------------------------------------
// Clock times and hours

/** `1:30 PM` for `13:30`; `24:00` is midnight at the end of the day. */
export function clockText(time: string): string {
	const m = clockMinutes(time);
	return Number.isFinite(m) ? minuteLabel(m) : time;
}

export function rangesText(ranges: readonly RangeDraft[]): string {
	return ranges.map((r) => `${clockText(r.from)}–${clockText(r.to)}`).join(', ');
}

export function emptyHours(): HoursDraft {
	return { intervals: [], breaks: [], blocked: [] };
}

/** What a newly switched-on day starts with: a common office day with a lunch break. */
export function defaultHours(): HoursDraft {
	return {
		intervals: [{ from: '08:00', to: '17:00', typeIds: [] }],
		breaks: [{ from: '12:00', to: '13:00' }],
		blocked: []
	};
}

type StoredHours = {
	intervals: readonly { from: string; to: string; typeIds?: readonly string[] | undefined }[];
	breaks: readonly RangeDraft[];
	blocked: readonly { from: string; to: string; reason: BlockReason; note?: string | undefined }[];
};

/** An editable copy of stored hours (nothing shared with the record). */
export function hoursDraft(h: StoredHours): HoursDraft {
	return {
		intervals: h.intervals.map((i) => ({ from: i.from, to: i.to, typeIds: [...(i.typeIds ?? [])] })),
		breaks: h.breaks.map((b) => ({ from: b.from, to: b.to })),
		blocked: h.blocked.map((b) => ({ from: b.from, to: b.to, reason: b.reason, note: b.note ?? '' }))
	};
}

/** Draft hours as stored: an empty note is left out rather than kept as ''. */
export function hoursRecord(d: HoursDraft): DayHours {
	return {
		intervals: d.intervals.map((i) => ({ from: i.from, to: i.to, typeIds: [...i.typeIds] })),
		breaks: d.breaks.map((b) => ({ from: b.from, to: b.to })),
		blocked: d.blocked.map((b) => ({
			from: b.from,
			to: b.to,
			reason: b.reason,
			...(b.note.trim() ? { note: b.note.trim() } : {})
		}))
	};
}

/** Working intervals that overlap each other (the schema checks each interval alone). */
export function hoursIssues(d: HoursDraft, prefix = ''): Issues {
	const out: Issues = {};
	d.intervals.forEach((a, i) => {
		const clash = d.intervals.some(
			(b, j) =>
				j < i && clockMinutes(a.from) < clockMinutes(b.to) && clockMinutes(b.from) < clockMinutes(a.to)
		);
		if (clash) out[`${prefix}intervals.${i}.from`] = 'Overlaps other hours of this day';
	});
	return out;
}

// ---------------------------------------------------------------------------------------------
// Weekly templates

/** Seven days, Monday first; a new template works Monday to Friday. */
export function weekdayDrafts(t?: Pick<AvailabilityTemplate, 'days'>): WeekdayDraft[] {
	return WEEKDAY_ORDER.map((weekday) => {
		if (!t) return { weekday, working: weekday >= 1 && weekday <= 5, hours: defaultHours() };
		const day = t.days.find((d) => d.weekday === weekday);
		return day
			? { weekday, working: true, hours: hoursDraft(day) }
			: { weekday, working: false, hours: defaultHours() };
	});
}

/** Monday's hours (and whether it is worked) copied to Tuesday through Friday. */
export function copyMondayToWeekdays(days: readonly WeekdayDraft[]): WeekdayDraft[] {
	const monday = days.find((d) => d.weekday === 1);
	if (!monday) return [...days];
	return days.map((d) =>
		d.weekday >= 2 && d.weekday <= 5
			? { weekday: d.weekday, working: monday.working, hours: hoursDraft(hoursRecord(monday.hours)) }
			: d
	);
}

export interface RecordMeta {
	id: string;
	createdAt: string;
	updatedAt: string;
}

/**
 * The template the editor describes, validated. Error keys name the weekday rather than the
 * position in the stored list (`1.intervals.0.to` for Monday's first interval), since days off are
 * left out of the record.
 */
export function parseTemplate(
	days: readonly WeekdayDraft[],
	fields: { providerId: string; effectiveFrom: string; effectiveTo: string },
	meta: RecordMeta
): Parsed<AvailabilityTemplate> {
	const worked = days.filter((d) => d.working).sort((a, b) => a.weekday - b.weekday);
	const input = {
		...meta,
		providerId: fields.providerId,
		effectiveFrom: fields.effectiveFrom,
		...(fields.effectiveTo ? { effectiveTo: fields.effectiveTo } : {}),
		days: worked.map((d) => ({ weekday: d.weekday, ...hoursRecord(d.hours) }))
	};
	const errors: Issues = {};
	for (const d of worked) Object.assign(errors, hoursIssues(d.hours, `${d.weekday}.`));
	const result = availabilityTemplate.safeParse(input);
	if (!result.success)
		for (const issue of result.error.issues) {
			const [head, index, ...rest] = issue.path.map(String);
			const key =
				head === 'days' && index !== undefined
					? [String(worked[Number(index)]?.weekday ?? index), ...rest].join('.')
					: issue.path.map(String).join('.');
			errors[key] ??= friendly(key, issue.message);
		}
	if (Object.keys(errors).length > 0 || !result.success) return { ok: false, errors };
	return { ok: true, value: result.data };
}

/** `Mon–Fri 8:00 AM–5:00 PM, break 12:00 PM–1:00 PM`: consecutive days with the same hours joined. */
export function templateSummary(t: Pick<AvailabilityTemplate, 'days'>): string[] {
	const groups: { first: number; last: number; text: string }[] = [];
	for (const weekday of WEEKDAY_ORDER) {
		const day = t.days.find((d) => d.weekday === weekday);
		if (!day || day.intervals.length === 0) continue;
		const parts = [rangesText(day.intervals)];
		if (day.breaks.length) parts.push(`break ${rangesText(day.breaks)}`);
		if (day.blocked.length) parts.push(`blocked ${rangesText(day.blocked)}`);
		const text = parts.join('; ');
		const prev = groups.at(-1);
		const adjacent = prev && WEEKDAY_ORDER.indexOf(prev.last) + 1 === WEEKDAY_ORDER.indexOf(weekday);
		if (prev && adjacent && prev.text === text) prev.last = weekday;
		else groups.push({ first: weekday, last: weekday, text });
	}
	if (groups.length === 0) return ['No working days'];
	return groups.map(
		(g) => `${weekdayShort(g.first)}${g.last !== g.first ? `–${weekdayShort(g.last)}` : ''} ${g.text}`
	);
}

/** The template that applies to a provider on a date: the latest one started and not ended. */
export function templateInEffect(
	templates: readonly AvailabilityTemplate[],
	providerId: string,
	date: string
): AvailabilityTemplate | undefined {
	return templates
		.filter(
			(t) =>
				t.providerId === providerId &&
				t.effectiveFrom <= date &&
				(t.effectiveTo === undefined || t.effectiveTo >= date)
		)
		.sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
}

// ---------------------------------------------------------------------------------------------
// Time off, holidays and one-day changes

export interface ExceptionDraft {
	kind: ExceptionKind;
	/** '' for a clinic-wide holiday. */
	providerId: string;
	date: string;
	/** Vacation: first and last day away. */
	from: string;
	to: string;
	name: string;
	note: string;
	hours: HoursDraft;
}

export function exceptionDraft(kind: ExceptionKind, today: string, providerId = ''): ExceptionDraft {
	const hours =
		kind === 'extra-hours'
			? { ...emptyHours(), intervals: [{ from: '09:00', to: '12:00', typeIds: [] }] }
			: kind === 'block'
				? { ...emptyHours(), blocked: [{ from: '12:00', to: '13:00', reason: 'meeting' as const, note: '' }] }
				: kind === 'changed-hours'
					? defaultHours()
					: emptyHours();
	return { kind, providerId, date: today, from: today, to: today, name: '', note: '', hours };
}

/** The record an exception form describes, validated; only the fields its kind has are kept. */
export function parseException(d: ExceptionDraft, meta: RecordMeta): Parsed<AvailabilityException> {
	const note = d.note.trim() ? { note: d.note.trim() } : {};
	const provider = d.providerId ? { providerId: d.providerId } : {};
	const hours = hoursRecord(d.hours);
	const input =
		d.kind === 'holiday'
			? { ...meta, ...note, ...provider, kind: d.kind, date: d.date, name: d.name.trim() }
			: d.kind === 'vacation'
				? { ...meta, ...note, ...provider, kind: d.kind, from: d.from, to: d.to }
				: d.kind === 'extra-hours'
					? { ...meta, ...note, ...provider, kind: d.kind, date: d.date, intervals: hours.intervals }
					: d.kind === 'block'
						? { ...meta, ...note, ...provider, kind: d.kind, date: d.date, blocked: hours.blocked }
						: { ...meta, ...note, ...provider, kind: d.kind, date: d.date, ...hours };
	const errors: Issues = d.kind === 'extra-hours' || d.kind === 'changed-hours' ? hoursIssues(d.hours) : {};
	if (d.kind !== 'holiday' && !d.providerId) errors.providerId = 'Choose a provider';
	const result = availabilityException.safeParse(input);
	if (!result.success)
		for (const issue of result.error.issues) {
			const key = issue.path.map(String).join('.');
			errors[key] ??= friendly(key, issue.message);
		}
	if (Object.keys(errors).length > 0 || !result.success) return { ok: false, errors };
	return { ok: true, value: result.data };
}

/** First and last local date an exception speaks about. */
export function exceptionSpan(e: AvailabilityException): { from: string; to: string } {
	return e.kind === 'vacation' ? { from: e.from, to: e.to } : { from: e.date, to: e.date };
}

/** Exceptions not over yet on `today`, soonest first. */
export function upcomingExceptions(
	list: readonly AvailabilityException[],
	today: string
): AvailabilityException[] {
	return list
		.filter((e) => !e.deletedAt && exceptionSpan(e).to >= today)
		.sort((a, b) => exceptionSpan(a).from.localeCompare(exceptionSpan(b).from) || a.id.localeCompare(b.id));
}

const shortDateFormat = new Intl.DateTimeFormat('en-US', {
	weekday: 'short',
	month: 'short',
	day: 'numeric',
	year: 'numeric',
	timeZone: 'UTC'
});

/** `Thu, Nov 26, 2026` for a calendar date. */
export function shortDate(date: string): string {
	return shortDateFormat.format(new Date(`${date}T00:00:00Z`));
}

/** One line in words: "Dr Ames — vacation Mon, Nov 23, 2026 to Fri, Nov 27, 2026". */
export function describeException(e: AvailabilityException, providerName: (id: string) => string): string {
	const who = 'providerId' in e && e.providerId ? providerName(e.providerId) : 'Whole clinic';
	const note = e.note ? ` (${e.note})` : '';
	switch (e.kind) {
		case 'holiday':
			return `${who} — closed ${shortDate(e.date)}${e.name ? `: ${e.name}` : ''}${note}`;
		case 'vacation':
			return e.from === e.to
				? `${who} — away ${shortDate(e.from)}${note}`
				: `${who} — away ${shortDate(e.from)} to ${shortDate(e.to)}${note}`;
		case 'extra-hours':
			return `${who} — extra hours ${shortDate(e.date)}: ${rangesText(e.intervals)}${note}`;
		case 'changed-hours':
			return e.intervals.length === 0
				? `${who} — day off ${shortDate(e.date)}${note}`
				: `${who} — hours on ${shortDate(e.date)} changed to ${rangesText(e.intervals)}${
						e.breaks.length ? `, break ${rangesText(e.breaks)}` : ''
					}${note}`;
		case 'block':
			return `${who} — blocked ${shortDate(e.date)}: ${e.blocked
				.map(
					(b) =>
						`${rangesText([b])} ${BLOCK_REASON_LABELS[b.reason].toLowerCase()}${b.note ? ` — ${b.note}` : ''}`
				)
				.join(', ')}${note}`;
	}
}

// ---------------------------------------------------------------------------------------------
// Appointment types

export interface TypeDraft {
	name: string;
	/** `undefined` while a number input is empty. */
	durationMinutes: number | undefined;
	color: string;
	bufferBeforeMinutes: number | undefined;
	bufferAfterMinutes: number | undefined;
	maxPerDay: number | undefined;
	newPatient: boolean;
	providerIds: string[];
	active: boolean;
}

export function typeDraft(t?: AppointmentType): TypeDraft {
	return {
		name: t?.name ?? '',
		durationMinutes: t?.durationMinutes ?? 15,
		color: t?.color ?? '#2f6fb2',
		bufferBeforeMinutes: t?.bufferBeforeMinutes ?? 0,
		bufferAfterMinutes: t?.bufferAfterMinutes ?? 0,
		maxPerDay: t?.maxPerDay,
		newPatient: t?.newPatient ?? false,
		providerIds: [...(t?.providerIds ?? [])],
		active: t?.active ?? true
	};
}

export function parseType(d: TypeDraft, meta: RecordMeta): Parsed<AppointmentType> {
	const result = appointmentTypeSchema.safeParse({
		...meta,
		name: d.name,
		durationMinutes: d.durationMinutes,
		color: d.color,
		bufferBeforeMinutes: d.bufferBeforeMinutes ?? 0,
		bufferAfterMinutes: d.bufferAfterMinutes ?? 0,
		...(d.maxPerDay !== undefined && d.maxPerDay !== null ? { maxPerDay: d.maxPerDay } : {}),
		newPatient: d.newPatient,
		providerIds: d.providerIds,
		active: d.active
	});
	if (result.success) return { ok: true, value: result.data };
	const errors: Issues = {};
	for (const issue of result.error.issues) {
		const key = issue.path.map(String).join('.');
		errors[key] ??= friendly(key, issue.message);
	}
	return { ok: false, errors };
}

/** "All providers", or the names of those who offer a type. */
export function offeredBy(t: Pick<AppointmentType, 'providerIds'>, providers: readonly Provider[]): string {
	if (t.providerIds.length === 0) return 'All providers';
	return t.providerIds
		.map((id) => providers.find((p) => p.id === id)?.displayName ?? 'Removed provider')
		.join(', ');
}

/** Zod's generic wording replaced where a person would not understand it. */
const FRIENDLY: Record<string, string> = {
	durationMinutes: 'Enter 5 to 480 minutes',
	bufferBeforeMinutes: 'Enter 0 to 120 minutes',
	bufferAfterMinutes: 'Enter 0 to 120 minutes',
	maxPerDay: 'Enter 1 or more, or leave it empty',
	effectiveFrom: 'Choose the first day',
	date: 'Choose a date',
	from: 'Choose the first day',
	to: 'Choose the last day'
};

function friendly(key: string, message: string): string {
	if (/^(Ends before|The end must)/.test(message)) return message;
	return FRIENDLY[key] ?? message;
}

export function providerLabel(p: Pick<Provider, 'displayName' | 'credentials'>): string {
	return `${p.displayName}${p.credentials ? `, ${p.credentials}` : ''}`;
}
