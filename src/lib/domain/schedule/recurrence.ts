/**
 * Recurring appointments ("every Tuesday at 9:00 for 10 weeks").
 *
 * A series is a record holding an RFC 5545 RRULE, a clinic-local start (date, wall-clock time, IANA
 * zone), a duration and the booking fields. Expansion runs on *floating* wall-clock times: the rule
 * is expanded by the rrule package as if the zone were UTC, and each local result is then turned
 * into a real instant with `zonedTimeToUtc`. A 9:00 series therefore stays at 9:00 local across
 * daylight-saving changes (rrule's own TZID support depends on the runtime and is not used).
 * rrule is not part of the first load (`rrule-loader.ts`): expansion and the edit functions need
 * `await ensureRRule()` once beforehand; the schemas, validation and ids never need it.
 *
 * Materialization. The calendar, conflict detection and every other reader see ordinary
 * appointments; a series never stands in for its occurrences. Occurrences are materialized
 * `MATERIALIZE_WEEKS` ahead as appointments with `seriesId` set and an id derived from the series id
 * and the occurrence key (`occurrenceId`, a UUIDv5 of `seriesId/yyyy-mm-ddThh:mm`). Two workstations
 * that materialize the same occurrence offline produce the same record id, so after merging there is
 * one appointment, not two. The occurrence key is the occurrence's *original* local start on the
 * rule's grid and never changes, even when that one occurrence is moved.
 *
 * The series' `exceptions` are the source of truth for per-occurrence cancellations and moves; the
 * materialized appointment is a projection. `planMaterialization` re-applies exceptions to existing
 * appointments, which repairs the one case Yjs cannot merge: two replicas creating the same record
 * id concurrently (the top-level map key keeps one of the two nested maps whole).
 *
 * Edit functions are pure: they take the series, the appointments already materialized for it and
 * `now`, and return the writes (`SeriesChanges`) for the caller to apply in one transaction.
 * Appointments that have started (start < now) or left booked/confirmed are history and are never
 * touched by series edits.
 */
import { z } from 'zod';
import { isoDate, isoDateTime, recordBase, recordId, timeZone } from '../common/primitives';
import { localDate, localMinutes, zonedTimeToUtc, addDays } from '../common/time';
import { CLINICDESK_NAMESPACE, uuidV5 } from '../common/uuid';
import { loadedRRule } from './rrule-loader';
import type { appointment, Appointment, AppointmentStatus } from './schemas';

// The ids moved to common/uuid (they do not need rrule); re-exported for existing importers.
export { CLINICDESK_NAMESPACE, sha1, uuidV5 } from '../common/uuid';
export { ensureRRule, rruleLoaded } from './rrule-loader';

/** How far ahead occurrences are written as appointments. */
export const MATERIALIZE_WEEKS = 12;

/** `yyyy-mm-ddThh:mm`: an occurrence's original clinic-local start. */
export const occurrenceKey = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Use yyyy-mm-ddThh:mm');
export type OccurrenceKey = z.infer<typeof occurrenceKey>;

export const seriesException = z.union([
	z.literal('cancelled'),
	z.object({ moved: z.object({ start: isoDateTime, end: isoDateTime }) })
]);
export type SeriesException = z.infer<typeof seriesException>;

const ALLOWED_PARTS = new Set([
	'FREQ',
	'INTERVAL',
	'BYDAY',
	'BYMONTHDAY',
	'BYSETPOS',
	'COUNT',
	'UNTIL',
	'WKST'
]);

/** Parts of an RRULE value (`FREQ=WEEKLY;BYDAY=TU`), upper-cased keys, in order. */
function ruleParts(text: string): [string, string][] {
	return text
		.replace(/^RRULE:/i, '')
		.split(';')
		.filter((p) => p.trim() !== '')
		.map((p) => {
			const eq = p.indexOf('=');
			return [
				p.slice(0, eq).trim().toUpperCase(),
				p
					.slice(eq + 1)
					.trim()
					.toUpperCase()
			] as [string, string];
		});
}

function ruleIssue(text: string): string | undefined {
	const parts = ruleParts(text);
	const keys = parts.map(([k]) => k);
	if (parts.some(([k, v]) => !k || !v)) return 'Malformed RRULE';
	const unknown = keys.find((k) => !ALLOWED_PARTS.has(k));
	if (unknown) return `Unsupported RRULE part ${unknown}`;
	if (new Set(keys).size !== keys.length) return 'Repeated RRULE part';
	const freq = parts.find(([k]) => k === 'FREQ')?.[1];
	if (freq !== 'WEEKLY' && freq !== 'MONTHLY') return 'Only weekly and monthly series are supported';
	if (keys.includes('COUNT') && keys.includes('UNTIL')) return 'COUNT and UNTIL cannot both be set';
	const until = parts.find(([k]) => k === 'UNTIL')?.[1];
	if (until !== undefined && !/^\d{8}T\d{6}Z$/.test(until)) return 'UNTIL must be a UTC date-time';
	const valid: Record<string, RegExp> = {
		INTERVAL: /^[1-9]\d{0,2}$/,
		COUNT: /^[1-9]\d{0,3}$/,
		BYDAY: /^(([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU))(,([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU))*$/,
		BYMONTHDAY: /^(-?([1-9]|[12]\d|3[01]))(,-?([1-9]|[12]\d|3[01]))*$/,
		BYSETPOS: /^-?[1-5]$/,
		WKST: /^(MO|TU|WE|TH|FR|SA|SU)$/
	};
	// Every allowed part's value is checked above in full, so rrule's parser (which validation used
	// to call) has nothing left to reject: validation stays synchronous and rrule stays unloaded.
	const bad = parts.find(([k, v]) => valid[k] && !valid[k].test(v));
	if (bad) return `Invalid ${bad[0]}`;
	return undefined;
}

/** RRULE value text (no DTSTART, which lives in the series' `dtstart`). UNTIL is in UTC (RFC 5545 §3.3.10). */
export const rruleText = z
	.string()
	.trim()
	.max(300)
	.superRefine((text, ctx) => {
		const issue = ruleIssue(text);
		if (issue) ctx.addIssue({ code: 'custom', message: issue });
	});

export const seriesStart = z.object({
	date: isoDate,
	time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use hh:mm'),
	tz: timeZone
});
export type SeriesStart = z.infer<typeof seriesStart>;

export const appointmentSeries = recordBase.extend({
	rrule: rruleText,
	dtstart: seriesStart,
	durationMinutes: z
		.number()
		.int()
		.min(1)
		.max(12 * 60),
	providerId: recordId,
	typeId: recordId,
	patientId: recordId,
	roomId: recordId.optional(),
	reason: z.string().trim().max(200).default(''),
	exceptions: z.record(occurrenceKey, seriesException).default({}),
	/** Set by "cancel all": no occurrence starting at or after this instant exists. */
	endedAt: isoDateTime.optional()
});
export type AppointmentSeries = z.infer<typeof appointmentSeries>;

// ---------------------------------------------------------------------------------------------
// Deterministic ids (UUIDv5, see common/uuid)

/** The id of the appointment materializing one occurrence: the same on every workstation. */
export function occurrenceId(seriesId: string, key: OccurrenceKey): string {
	return uuidV5(`occurrence/${seriesId.toLowerCase()}/${key}`, CLINICDESK_NAMESPACE);
}

/** The id of the series created by splitting `seriesId` at `key` ("this and following"). */
export function splitSeriesId(seriesId: string, key: OccurrenceKey): string {
	return uuidV5(`split/${seriesId.toLowerCase()}/${key}`, CLINICDESK_NAMESPACE);
}

// ---------------------------------------------------------------------------------------------
// Expansion

export interface Occurrence {
	key: OccurrenceKey;
	id: string;
	/** Where the occurrence is: the rule's slot, or the moved slot if an exception moved it. */
	start: string;
	end: string;
	/** The slot on the rule's grid, whatever the exceptions say. */
	originalStart: string;
	state: 'scheduled' | 'moved' | 'cancelled';
}

const MINUTE = 60_000;
/** Zone offsets lie within [-12h, +14h]; floating windows are widened by this much either side. */
const ZONE_SLACK = 15 * 60 * MINUTE;

function floatingMs(date: string, time: string): number {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const [hh, mm] = time.split(':').map(Number) as [number, number];
	return Date.UTC(y, m - 1, d, hh, mm);
}

/** Wall-clock time of an instant in a zone, as a floating (UTC-labelled) ms value. */
function toFloatingMs(instant: string, tz: string): number {
	const date = localDate(instant, tz);
	const minutes = localMinutes(instant, tz);
	const seconds = new Date(instant).getUTCSeconds();
	return floatingMs(date, '00:00') + minutes * MINUTE + seconds * 1000;
}

function untilToIso(until: string): string {
	const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(until)!;
	return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
}

function isoToUntil(iso: string): string {
	return new Date(iso)
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d{3}/, '');
}

function keyToInstant(key: OccurrenceKey, tz: string): string {
	const [date, time] = key.split('T') as [string, string];
	const [hh, mm] = time.split(':').map(Number) as [number, number];
	return zonedTimeToUtc(date, hh, mm, tz).toISOString();
}

/** Every occurrence key of a series whose floating start lies in [loMs, hiMs] (floating ms). */
function expandKeys(series: AppointmentSeries, loMs: number, hiMs: number): OccurrenceKey[] {
	const parts = ruleParts(series.rrule);
	const until = parts.find(([k]) => k === 'UNTIL')?.[1];
	const withoutUntil = parts
		.filter(([k]) => k !== 'UNTIL')
		.map(([k, v]) => `${k}=${v}`)
		.join(';');
	const RRule = loadedRRule();
	const options = RRule.parseString(withoutUntil);
	const rule = new RRule({
		...options,
		dtstart: new Date(floatingMs(series.dtstart.date, series.dtstart.time)),
		until: until ? new Date(toFloatingMs(untilToIso(until), series.dtstart.tz)) : null,
		tzid: null
	});
	return rule.between(new Date(loMs), new Date(hiMs), true).map((d) => d.toISOString().slice(0, 16));
}

/**
 * Occurrences of a series whose original (rule) start lies in [fromIso, toIso), oldest first.
 * Cancelled occurrences are included with state 'cancelled' so a UI can show them struck through.
 * Occurrences at or after `endedAt` do not exist.
 */
export function occurrences(series: AppointmentSeries, fromIso: string, toIso: string): Occurrence[] {
	const from = Date.parse(fromIso);
	const to = Date.parse(toIso);
	const ended = series.endedAt ? Date.parse(series.endedAt) : Infinity;
	const out: Occurrence[] = [];
	for (const key of expandKeys(series, from - ZONE_SLACK, to + ZONE_SLACK)) {
		const originalStart = keyToInstant(key, series.dtstart.tz);
		const ms = Date.parse(originalStart);
		if (ms < from || ms >= to || ms >= ended) continue;
		const originalEnd = new Date(ms + series.durationMinutes * MINUTE).toISOString();
		const exception = series.exceptions[key];
		const id = occurrenceId(series.id, key);
		if (exception === 'cancelled')
			out.push({ key, id, start: originalStart, end: originalEnd, originalStart, state: 'cancelled' });
		else if (exception) out.push({ key, id, ...exception.moved, originalStart, state: 'moved' });
		else out.push({ key, id, start: originalStart, end: originalEnd, originalStart, state: 'scheduled' });
	}
	return out;
}

/** The occurrence key of an instant on the series' grid (its clinic-local start). */
export function keyOf(instant: string, tz: string): OccurrenceKey {
	const minutes = localMinutes(instant, tz);
	const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
	const mm = String(minutes % 60).padStart(2, '0');
	return `${localDate(instant, tz)}T${hh}:${mm}`;
}

// ---------------------------------------------------------------------------------------------
// Materialization

export type AppointmentInput = z.input<typeof appointment>;
export type AppointmentPatch = Partial<AppointmentInput>;

export interface SeriesChanges {
	seriesInserts: AppointmentSeries[];
	seriesUpdates: { id: string; patch: Partial<AppointmentSeries> }[];
	appointmentInserts: AppointmentInput[];
	appointmentUpdates: { id: string; patch: AppointmentPatch }[];
}

const noChanges = (): SeriesChanges => ({
	seriesInserts: [],
	seriesUpdates: [],
	appointmentInserts: [],
	appointmentUpdates: []
});

const SERIES_CANCEL_REASON = 'Cancelled in recurring series';

/** Appointments a series edit may still change: not started, still only booked or confirmed. */
function editable(a: Appointment, now: string): boolean {
	const open: AppointmentStatus[] = ['booked', 'confirmed'];
	return !a.deletedAt && open.includes(a.status) && Date.parse(a.start) >= Date.parse(now);
}

/**
 * Writes that bring the appointments of a series in [fromIso, toIso) in line with it: inserts for
 * occurrences not yet materialized (cancelled ones are not inserted) and repairs for existing ones
 * an exception disagrees with. `existing` is every appointment with this seriesId (others ignored).
 * Deterministic: every workstation plans the same inserts with the same ids.
 */
export function planMaterialization(
	series: AppointmentSeries,
	existing: readonly Appointment[],
	fromIso: string,
	toIso: string,
	now: string
): SeriesChanges {
	const changes = noChanges();
	if (series.deletedAt) return changes;
	const byId = new Map(existing.filter((a) => a.seriesId === series.id).map((a) => [a.id, a]));
	for (const occ of occurrences(series, fromIso, toIso)) {
		const current = byId.get(occ.id);
		if (!current) {
			if (occ.state === 'cancelled') continue;
			changes.appointmentInserts.push({
				id: occ.id,
				createdAt: now,
				updatedAt: now,
				patientId: series.patientId,
				providerId: series.providerId,
				...(series.roomId ? { roomId: series.roomId } : {}),
				typeId: series.typeId,
				start: occ.start,
				end: occ.end,
				status: 'booked',
				reason: series.reason,
				seriesId: series.id
			});
		} else if (editable(current, now)) {
			if (occ.state === 'cancelled')
				changes.appointmentUpdates.push({
					id: occ.id,
					patch: { status: 'cancelled', cancelReason: SERIES_CANCEL_REASON, updatedAt: now }
				});
			else if (occ.state === 'moved' && (current.start !== occ.start || current.end !== occ.end))
				changes.appointmentUpdates.push({
					id: occ.id,
					patch: { start: occ.start, end: occ.end, updatedAt: now }
				});
		}
	}
	return changes;
}

/** [now, now + MATERIALIZE_WEEKS) as ISO instants: the usual materialization window. */
export function materializationWindow(now: string, weeks = MATERIALIZE_WEEKS): { from: string; to: string } {
	return { from: now, to: new Date(Date.parse(now) + weeks * 7 * 24 * 60 * MINUTE).toISOString() };
}

// ---------------------------------------------------------------------------------------------
// Edits

/** What "edit this and following" or "edit all" may change. */
export interface SeriesEdit {
	/** New local start time `hh:mm`. */
	time?: string;
	durationMinutes?: number;
	providerId?: string;
	roomId?: string | undefined;
	typeId?: string;
	reason?: string;
	/** New RRULE text (COUNT/UNTIL included as wanted). */
	rrule?: string;
}

function seriesAppointments(series: AppointmentSeries, existing: readonly Appointment[]): Appointment[] {
	return existing.filter((a) => a.seriesId === series.id);
}

/** Map materialized appointment id → occurrence key, for the keys of a series up to the latest appointment. */
function keysById(series: AppointmentSeries, appts: readonly Appointment[]): Map<string, OccurrenceKey> {
	const map = new Map<string, OccurrenceKey>();
	if (appts.length === 0) return map;
	const latest = Math.max(...appts.map((a) => Date.parse(a.start)));
	const moved = Object.values(series.exceptions).flatMap((e) => (e === 'cancelled' ? [] : [e.moved.start]));
	const hi = Math.max(latest, ...moved.map(Date.parse)) + 400 * 24 * 60 * MINUTE;
	const lo = floatingMs(series.dtstart.date, '00:00') - ZONE_SLACK;
	for (const key of expandKeys(series, lo, hi)) map.set(occurrenceId(series.id, key), key);
	return map;
}

function untilBefore(series: AppointmentSeries, key: OccurrenceKey): string {
	// The end of the local day before the occurrence, in UTC (RFC 5545: UTC when DTSTART has a zone).
	const date = addDays(key.slice(0, 10), -1);
	const endOfDay = Date.parse(zonedTimeToUtc(date, 23, 59, series.dtstart.tz).toISOString()) + 59_000;
	return isoToUntil(new Date(endOfDay).toISOString());
}

function withUntil(rrule: string, until: string): string {
	return withEnd(rrule, `UNTIL=${until}`);
}

function withCount(rrule: string, count: number): string {
	return withEnd(rrule, `COUNT=${count}`);
}

/** The rule with its end (UNTIL or COUNT, never both) replaced by `end`. */
function withEnd(rrule: string, end: string): string {
	const kept = ruleParts(rrule).filter(([k]) => k !== 'UNTIL' && k !== 'COUNT');
	return [...kept.map(([k, v]) => `${k}=${v}`), end].join(';');
}

function requireOccurrence(series: AppointmentSeries, key: OccurrenceKey): void {
	const [date, time] = key.split('T') as [string, string];
	const ms = floatingMs(date, time);
	if (!expandKeys(series, ms, ms).includes(key))
		throw new RangeError(`${key} is not an occurrence of the series`);
}

/** Move one occurrence. Other per-occurrence changes (room, notes) are ordinary edits of its appointment. */
export function editThisOne(
	series: AppointmentSeries,
	key: OccurrenceKey,
	slot: { start: string; end: string },
	existing: readonly Appointment[],
	now: string
): SeriesChanges {
	requireOccurrence(series, key);
	const changes = noChanges();
	changes.seriesUpdates.push({
		id: series.id,
		patch: { exceptions: { ...series.exceptions, [key]: { moved: { ...slot } } }, updatedAt: now }
	});
	const appt = seriesAppointments(series, existing).find((a) => a.id === occurrenceId(series.id, key));
	if (appt && editable(appt, now))
		changes.appointmentUpdates.push({
			id: appt.id,
			patch: { start: slot.start, end: slot.end, updatedAt: now }
		});
	return changes;
}

export function cancelThisOne(
	series: AppointmentSeries,
	key: OccurrenceKey,
	reason: string,
	existing: readonly Appointment[],
	now: string
): SeriesChanges {
	requireOccurrence(series, key);
	const changes = noChanges();
	changes.seriesUpdates.push({
		id: series.id,
		patch: { exceptions: { ...series.exceptions, [key]: 'cancelled' }, updatedAt: now }
	});
	const appt = seriesAppointments(series, existing).find((a) => a.id === occurrenceId(series.id, key));
	if (appt && editable(appt, now))
		changes.appointmentUpdates.push({
			id: appt.id,
			patch: { status: 'cancelled', cancelReason: reason, updatedAt: now }
		});
	return changes;
}

/** Ends the series before `key`: old series gets UNTIL (end of the previous local day), exceptions kept before. */
function endBefore(
	series: AppointmentSeries,
	key: OccurrenceKey,
	now: string
): SeriesChanges['seriesUpdates'][0] {
	const exceptions = Object.fromEntries(Object.entries(series.exceptions).filter(([k]) => k < key));
	return {
		id: series.id,
		patch: { rrule: withUntil(series.rrule, untilBefore(series, key)), exceptions, updatedAt: now }
	};
}

/** How many occurrences of a COUNT-limited series are left from `key` on (inclusive). */
function remainingCount(series: AppointmentSeries, key: OccurrenceKey): number | undefined {
	const count = ruleParts(series.rrule).find(([k]) => k === 'COUNT')?.[1];
	if (count === undefined) return undefined;
	const lo = floatingMs(series.dtstart.date, '00:00');
	const [date, time] = key.split('T') as [string, string];
	const before = expandKeys(series, lo, floatingMs(date, time) - 1).length;
	return Number(count) - before;
}

/**
 * "This and following": the old series ends the day before `key`; a new series (id
 * `splitSeriesId(series.id, key)`) starts at `key`'s date with the edit applied. The old series'
 * open appointments from `key` on are marked 'rescheduled' (the new series materializes its own).
 * Exceptions after the split carry over only when the grid (time and rule) is unchanged.
 */
export function editThisAndFollowing(
	series: AppointmentSeries,
	key: OccurrenceKey,
	edit: SeriesEdit,
	existing: readonly Appointment[],
	now: string
): SeriesChanges {
	requireOccurrence(series, key);
	const changes = noChanges();
	changes.seriesUpdates.push(endBefore(series, key, now));
	const time = edit.time ?? series.dtstart.time;
	const gridKept = time === series.dtstart.time && edit.rrule === undefined;
	const remaining = remainingCount(series, key);
	const rrule = edit.rrule ?? (remaining !== undefined ? withCount(series.rrule, remaining) : series.rrule);
	const carried = gridKept ? Object.entries(series.exceptions).filter(([k]) => k > key) : [];
	const next = appointmentSeries.parse({
		...series,
		...edit,
		id: splitSeriesId(series.id, key),
		createdAt: now,
		updatedAt: now,
		rrule,
		dtstart: { ...series.dtstart, date: key.slice(0, 10), time },
		exceptions: Object.fromEntries(carried),
		endedAt: undefined
	});
	changes.seriesInserts.push(next);
	const keys = keysById(series, seriesAppointments(series, existing));
	for (const a of seriesAppointments(series, existing)) {
		const k = keys.get(a.id);
		if (k !== undefined && k >= key && editable(a, now))
			changes.appointmentUpdates.push({ id: a.id, patch: { status: 'rescheduled', updatedAt: now } });
	}
	return changes;
}

/**
 * "All": the series record changes in place. Open future appointments whose occurrence still exists
 * are patched (provider, room, type, reason, duration); those whose occurrence vanished (new time or
 * rule) are marked 'rescheduled'. Past appointments are history and stay as they were. Exceptions
 * of future occurrences are dropped when the grid changes.
 */
export function editAll(
	series: AppointmentSeries,
	edit: SeriesEdit,
	existing: readonly Appointment[],
	now: string
): SeriesChanges {
	const changes = noChanges();
	const time = edit.time ?? series.dtstart.time;
	const gridKept = time === series.dtstart.time && edit.rrule === undefined;
	const nowKey = keyOf(now, series.dtstart.tz);
	const exceptions = gridKept
		? series.exceptions
		: Object.fromEntries(Object.entries(series.exceptions).filter(([k]) => k < nowKey));
	const next = appointmentSeries.parse({
		...series,
		...edit,
		rrule: edit.rrule ?? series.rrule,
		dtstart: { ...series.dtstart, time },
		exceptions,
		updatedAt: now
	});
	const patch: Partial<AppointmentSeries> = { updatedAt: now };
	for (const k of Object.keys(next) as (keyof AppointmentSeries)[])
		if (JSON.stringify(next[k]) !== JSON.stringify(series[k])) Object.assign(patch, { [k]: next[k] });
	if ('roomId' in edit && edit.roomId === undefined) patch.roomId = undefined;
	changes.seriesUpdates.push({ id: series.id, patch });

	const appts = seriesAppointments(series, existing);
	const oldKeys = keysById(series, appts);
	const nextKeys = keysById(next, appts);
	for (const a of appts) {
		if (!editable(a, now)) continue;
		const k = oldKeys.get(a.id);
		if (k === undefined || !nextKeys.has(a.id)) {
			changes.appointmentUpdates.push({ id: a.id, patch: { status: 'rescheduled', updatedAt: now } });
			continue;
		}
		const exception = next.exceptions[k];
		const start =
			exception && exception !== 'cancelled' ? exception.moved.start : keyToInstant(k, next.dtstart.tz);
		const end =
			exception && exception !== 'cancelled'
				? exception.moved.end
				: new Date(Date.parse(start) + next.durationMinutes * MINUTE).toISOString();
		const desired: AppointmentPatch = {
			providerId: next.providerId,
			roomId: next.roomId,
			typeId: next.typeId,
			reason: next.reason,
			start,
			end
		};
		const diff: AppointmentPatch = {};
		for (const [f, v] of Object.entries(desired) as [keyof AppointmentPatch, unknown][])
			if (a[f as keyof Appointment] !== v) Object.assign(diff, { [f]: v });
		if (Object.keys(diff).length > 0)
			changes.appointmentUpdates.push({ id: a.id, patch: { ...diff, updatedAt: now } });
	}
	return changes;
}

/** Ends the series before `key` and cancels its open appointments from `key` on. */
export function cancelThisAndFollowing(
	series: AppointmentSeries,
	key: OccurrenceKey,
	reason: string,
	existing: readonly Appointment[],
	now: string
): SeriesChanges {
	requireOccurrence(series, key);
	const changes = noChanges();
	changes.seriesUpdates.push(endBefore(series, key, now));
	const appts = seriesAppointments(series, existing);
	const keys = keysById(series, appts);
	for (const a of appts) {
		const k = keys.get(a.id);
		if (k !== undefined && k >= key && editable(a, now))
			changes.appointmentUpdates.push({
				id: a.id,
				patch: { status: 'cancelled', cancelReason: reason, updatedAt: now }
			});
	}
	return changes;
}

/** Ends the series now (`endedAt`) and cancels every open appointment not yet started. */
export function cancelAll(
	series: AppointmentSeries,
	reason: string,
	existing: readonly Appointment[],
	now: string
): SeriesChanges {
	const changes = noChanges();
	changes.seriesUpdates.push({ id: series.id, patch: { endedAt: now, updatedAt: now } });
	for (const a of seriesAppointments(series, existing))
		if (editable(a, now))
			changes.appointmentUpdates.push({
				id: a.id,
				patch: { status: 'cancelled', cancelReason: reason, updatedAt: now }
			});
	return changes;
}
