import type { Patient } from '../patients/schemas';
import type { AvailabilityException, AvailabilityTemplate } from '../schedule/availability-schemas';
import { CLINICDESK_NAMESPACE, uuidV5 } from '../common/uuid';
import type { WaitlistEntry } from '../schedule/records';
import type { Appointment } from '../schedule/schemas';
import type { AppointmentType, Provider } from '../workspace/schemas';
import type { Rng } from './rng';
import { CLINIC_HOLIDAYS, WAITLIST_NOTES } from './tables';
import { isoDay, isoInstant, MS_PER_DAY, MS_PER_MINUTE, weekday, zonedTimeToUtc } from './time';

/**
 * The demo clinic's provider hours, closed days and waitlist (issue "Scheduling"). The hours describe
 * exactly what `generateAppointments` books — weekdays from opening to closing, no lunch break (the
 * generator books straight through), every type at any time — so the demo schedule raises no
 * outside-hours or over-break conflicts. Template and holiday ids are UUIDv5s of the clinic and what
 * they describe, so regenerating the same demo gives the same records.
 */

export interface DemoAvailabilityContext {
	clinicId: string;
	timeZone: string;
	/** Day number of the clinic's setup: hours apply from then on. */
	setupDay: number;
	/** When the setup records were entered. */
	setupMs: number;
	openMinute: number;
	closeMinute: number;
	/** Day numbers of the first and last day the demo schedules. */
	firstDay: number;
	lastDay: number;
	providers: readonly Provider[];
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const clock = (minute: number): string => `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}`;
const demoId = (clinicId: string, what: string): string =>
	uuidV5(`demo/${clinicId}/${what}`, CLINICDESK_NAMESPACE);

/** One template per provider from the setup date: Monday–Friday, open to close, any type. */
export function buildAvailabilityTemplates(ctx: DemoAvailabilityContext): AvailabilityTemplate[] {
	const at = isoInstant(ctx.setupMs + 10 * MS_PER_MINUTE);
	const hours = { from: clock(ctx.openMinute), to: clock(ctx.closeMinute) };
	return ctx.providers.map((p) => ({
		id: demoId(ctx.clinicId, `availability-template/${p.id}`),
		createdAt: at,
		updatedAt: at,
		providerId: p.id,
		effectiveFrom: isoDay(ctx.setupDay),
		days: [1, 2, 3, 4, 5].map((wd) => ({
			weekday: wd,
			intervals: [{ ...hours, typeIds: [] }],
			breaks: [],
			blocked: []
		}))
	}));
}

/**
 * Clinic-wide closed days: the fixed holidays of every year from the setup date to the last scheduled
 * day, plus any weekday on which the zone's offset changes during opening hours (the generator skips
 * those; no US zone has one). Sorted by date.
 */
export function buildHolidayExceptions(ctx: DemoAvailabilityContext): AvailabilityException[] {
	const at = isoInstant(ctx.setupMs + 15 * MS_PER_MINUTE);
	const from = isoDay(ctx.setupDay);
	const to = isoDay(ctx.lastDay);
	const closed = new Map<string, string>();
	for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++)
		for (const h of CLINIC_HOLIDAYS) {
			const date = `${year}-${h.monthDay}`;
			if (date >= from) closed.set(date, h.name);
		}
	const openMs = (ctx.closeMinute - ctx.openMinute) * MS_PER_MINUTE;
	for (let day = ctx.firstDay; day <= ctx.lastDay; day++) {
		const wd = weekday(day);
		if (wd === 0 || wd === 6 || closed.has(isoDay(day))) continue;
		const open = zonedTimeToUtc(day, ctx.openMinute, ctx.timeZone);
		if (zonedTimeToUtc(day, ctx.closeMinute, ctx.timeZone) - open !== openMs)
			closed.set(isoDay(day), 'Clock change');
	}
	return [...closed]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([date, name]) => ({
			id: demoId(ctx.clinicId, `holiday/${date}`),
			createdAt: at,
			updatedAt: at,
			kind: 'holiday' as const,
			date,
			name
		}));
}

export interface WaitlistContext {
	timeZone: string;
	today: number;
	/** The demo's "now": entries were all made in the two weeks before it. */
	nowMs: number;
	/** Entries are made at the front desk, so in opening hours on a weekday when possible. */
	openMinute: number;
	closeMinute: number;
	types: readonly AppointmentType[];
	patients: readonly Patient[];
	appointments: readonly Appointment[];
}

/** About one waiting patient per 50, at most 40. */
export function waitlistSize(patients: number): number {
	return Math.min(40, Math.ceil(patients / 50));
}

const TIMES_OF_DAY = ['any', 'any', 'morning', 'afternoon'] as const;
const WAIT_WINDOW_MINUTES = 14 * 1440;

/**
 * Patients waiting for an earlier slot, drawn from `rng` (a stream of its own, so adding the waitlist
 * changed nothing else in the demo). About half already hold a booking at least two days out and want
 * it moved earlier; the rest want a first slot of some type. Each patient appears at most once.
 */
export function buildWaitlist(rng: Rng, ctx: WaitlistContext): WaitlistEntry[] {
	const size = Math.min(waitlistSize(ctx.patients.length), ctx.patients.length);
	if (size === 0 || ctx.types.length === 0) return [];
	const types = new Map(ctx.types.map((t) => [t.id, t]));
	const seen = new Set(ctx.appointments.map((a) => a.patientId));
	const returning = ctx.types.filter((t) => !t.newPatient);
	const firstVisit = ctx.types.filter((t) => t.newPatient);
	const offers = (t: AppointmentType, providerId: string | undefined): boolean =>
		providerId !== undefined && (t.providerIds.length === 0 || t.providerIds.includes(providerId));
	const heldFrom = ctx.nowMs + 2 * MS_PER_DAY;
	// Booked at least four days ago, so that there is time to have asked for an earlier slot since.
	const bookedBy = isoInstant(ctx.nowMs - 4 * MS_PER_DAY);
	const held = ctx.appointments.filter(
		(a) =>
			(a.status === 'booked' || a.status === 'confirmed') &&
			Date.parse(a.start) > heldFrom &&
			a.createdAt <= bookedBy
	);

	const used = new Set<string>();
	const out: WaitlistEntry[] = [];
	for (let i = 0; i < size; i++) {
		let patient: Patient | undefined;
		let type: AppointmentType | undefined;
		let providerId: string | undefined;
		let current: Appointment | undefined;
		if (held.length > 0 && rng.chance(0.5)) {
			for (let attempt = 0; attempt < 8 && !current; attempt++) {
				const a = rng.pick(held);
				if (!used.has(a.patientId)) current = a;
			}
			if (current) {
				const { patientId, typeId } = current;
				patient = ctx.patients.find((p) => p.id === patientId);
				type = types.get(typeId);
				providerId = rng.chance(0.7) ? current.providerId : undefined;
			}
		}
		if (!patient || !type) {
			current = undefined;
			for (let attempt = 0; attempt < 8 && !patient; attempt++) {
				const p = rng.pick(ctx.patients);
				if (!used.has(p.id)) patient = p;
			}
			if (!patient) continue;
			const menu = seen.has(patient.id) || firstVisit.length === 0 ? returning : firstVisit;
			type = rng.pick(menu.length > 0 ? menu : ctx.types);
			providerId =
				offers(type, patient.primaryProviderId) && rng.chance(0.6) ? patient.primaryProviderId : undefined;
		}
		used.add(patient.id);

		const weekdays = rng.chance(0.5) ? [] : pickWeekdays(rng);
		const timeOfDay = rng.pick(TIMES_OF_DAY);
		const earliest = rng.chance(0.25) ? isoDay(ctx.today + rng.int(3, 21)) : undefined;
		const priority = rng.chance(0.15) ? ('urgent' as const) : ('normal' as const);
		const note = rng.chance(0.5) ? rng.pick(WAITLIST_NOTES) : '';
		// Made in the last two weeks, and after the booking it wants to move.
		const latest = ctx.nowMs - 5 * MS_PER_MINUTE;
		const from = Math.min(
			latest,
			Math.max(
				ctx.nowMs - WAIT_WINDOW_MINUTES * MS_PER_MINUTE,
				current ? Date.parse(current.createdAt) + MS_PER_MINUTE : -Infinity
			)
		);
		const at = isoInstant(madeAt(rng, ctx, from, latest));

		const entry: WaitlistEntry = {
			id: rng.uuid(),
			createdAt: at,
			updatedAt: at,
			patientId: patient.id,
			typeId: type.id,
			weekdays,
			timeOfDay,
			priority,
			note,
			status: 'waiting'
		};
		if (providerId !== undefined) entry.providerId = providerId;
		if (earliest !== undefined) entry.earliest = earliest;
		if (current) entry.currentAppointmentId = current.id;
		out.push(entry);
	}
	return out;
}

/** A whole minute in [fromMs, toMs], in opening hours on a weekday if a few draws find one. */
function madeAt(rng: Rng, ctx: WaitlistContext, fromMs: number, toMs: number): number {
	const firstDay = Math.floor(fromMs / MS_PER_DAY) - 1;
	for (let attempt = 0; attempt < 16; attempt++) {
		const day = rng.int(firstDay, ctx.today);
		if (weekday(day) === 0 || weekday(day) === 6) continue;
		const ms = zonedTimeToUtc(day, rng.int(ctx.openMinute, ctx.closeMinute - 1), ctx.timeZone);
		if (fromMs <= ms && ms <= toMs) return ms;
	}
	return fromMs + rng.int(0, Math.floor((toMs - fromMs) / MS_PER_MINUTE)) * MS_PER_MINUTE;
}

/** One to three distinct weekdays, Monday–Friday, sorted. */
function pickWeekdays(rng: Rng): number[] {
	const days = new Set<number>();
	for (let n = rng.int(1, 3); days.size < n;) days.add(rng.int(1, 5));
	return [...days].sort((a, b) => a - b);
}
