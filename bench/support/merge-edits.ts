/**
 * The offline edits of merge.bench.ts, planned once as plain data so that every representation
 * (the app's codec and the raw Yjs baselines) makes exactly the same logical edits.
 *
 * A replica's plan is what a front desk does to one month while offline: status changes (confirm,
 * check in, room, complete, no-show, cancel — only the transitions `canTransition` allows, with the
 * fields `AppointmentWriter.setStatus`/`cancel` write), moves within the month (new start/end,
 * sometimes another provider, as `move` writes them), notes edits, and new bookings (the record
 * `book` inserts). Drawn as 30 % status changes, 25 % moves, 30 % notes, 15 % bookings; a status
 * change or move that none of 8 records tried allows becomes a notes edit (the bench's plans come out
 * at ~25 % status, ~4 % cancellations, ~26 % moves, ~30 % notes, ~15 % bookings).
 *
 * Edits pick any record, including ones the replica booked itself, so the two replicas often edit
 * the same appointment: the merge has real concurrent writes to resolve. Moves and bookings go to a
 * slot free in the replica's own view. Every edit leaves a valid appointment (`appointmentIssues`),
 * so the app's `update` never refuses one.
 */
import * as prng from 'lib0/prng';
import {
	appointmentIssues,
	appointmentStatus,
	canTransition,
	occupiesSlot,
	type Appointment,
	type AppointmentStatus
} from '../../src/lib/domain/schedule/schemas';
import { DEMO_PRESETS, generateDemoClinic } from '../../src/lib/domain/demo';
import { uuid } from '../fixtures';

/** A field set to `undefined` is removed from the record. */
export type Patch = Partial<Appointment>;

export interface SlotRef {
	start: string;
	end: string;
	providerId: string;
}

export type Edit =
	| {
			kind: 'status' | 'cancel' | 'move' | 'notes';
			id: string;
			/** Includes `updatedAt`, as the app's writers add it. */
			patch: Patch;
			at: string;
			/** Id of the history event the app writes beside the edit (used by the "+ history" variant). */
			eventId: string;
			/** The slot before and after, for the history event. */
			from: SlotRef;
			to: SlotRef;
	  }
	| { kind: 'book'; record: Appointment; at: string; eventId: string };

export interface PlanContext {
	/** The month's appointments, as the replica holds them before going offline. */
	base: readonly Appointment[];
	/** `yyyy-mm` (UTC) of the schedule document. */
	month: string;
	providerIds: readonly string[];
	roomIds: readonly string[];
	typeIds: readonly string[];
	patientIds: readonly string[];
	/** When the replica went offline; each edit is a few seconds after the one before. */
	offlineFrom: string;
}

const MINUTE = 60_000;
const NOTES = [
	'Called to confirm, left voicemail',
	'Running 10 minutes late',
	'Interpreter needed (Spanish)',
	'Bring insurance card',
	'Fasting labs, nothing to eat after midnight',
	'Prefers a text reminder',
	'Wheelchair access',
	'Asked for a female provider'
];
const CANCEL_REASONS = ['Patient called to cancel', 'Provider out sick', 'Weather', 'Feeling better'];
const REASONS = ['Follow-up', 'Flu shot', 'Blood pressure check', 'Medication refill', 'Sore throat'];
const DURATIONS = [15, 20, 30, 45];
/** status 30 %, move 25 %, notes 30 %, book 15 %. */
const MIX: ['status' | 'move' | 'notes' | 'book', number][] = [
	['status', 30],
	['move', 25],
	['notes', 30],
	['book', 15]
];
const STATUSES = appointmentStatus.options;

const pick = <T>(gen: prng.PRNG, xs: readonly T[]): T => xs[prng.int31(gen, 0, xs.length - 1)]!;

function weighted<T>(gen: prng.PRNG, table: readonly [T, number][]): T {
	const total = table.reduce((s, [, w]) => s + w, 0);
	let r = prng.int31(gen, 0, total - 1);
	for (const [value, w] of table) {
		if (r < w) return value;
		r -= w;
	}
	throw new Error('unreachable');
}

const slotOf = (a: Pick<Appointment, 'start' | 'end' | 'providerId'>): SlotRef => ({
	start: a.start,
	end: a.end,
	providerId: a.providerId
});

function applyPatch(a: Appointment, patch: Patch): Appointment {
	const next: Record<string, unknown> = { ...a, ...patch };
	for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
	return next as Appointment;
}

/**
 * A random clinic slot on a weekday of the month, in UTC. The demo clinic is in America/Chicago and
 * opens 08:00–17:00; a bench month is chosen inside standard time (UTC−6), so 14:00–23:00 UTC.
 */
function randomSlot(gen: prng.PRNG, month: string, minutes: number): { start: string; end: string } {
	const [y, m] = month.split('-').map(Number) as [number, number];
	const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
	for (;;) {
		const day = prng.int31(gen, 1, days);
		const date = Date.UTC(y, m - 1, day);
		const wd = new Date(date).getUTCDay();
		if (wd === 0 || wd === 6) continue;
		const startMs = date + 14 * 60 * MINUTE + prng.int31(gen, 0, (9 * 60 - minutes) / 15) * 15 * MINUTE;
		return {
			start: new Date(startMs).toISOString(),
			end: new Date(startMs + minutes * MINUTE).toISOString()
		};
	}
}

/**
 * The replica's own view of who is booked when, so that moves and new bookings go to a free slot of
 * the provider and room, as a person picking from the calendar would. Conflicts after the merge then
 * come from what merging really causes: both replicas filling the same free slot offline.
 */
class Calendar {
	private readonly byDay = new Map<string, Set<string>>();

	constructor(private readonly state: ReadonlyMap<string, Appointment>) {
		for (const a of state.values()) this.add(a);
	}

	private static keys(a: Pick<Appointment, 'start' | 'providerId' | 'roomId'>): string[] {
		const day = a.start.slice(0, 10);
		return a.roomId ? [`p ${a.providerId} ${day}`, `r ${a.roomId} ${day}`] : [`p ${a.providerId} ${day}`];
	}

	add(a: Appointment): void {
		for (const k of Calendar.keys(a)) {
			let ids = this.byDay.get(k);
			if (!ids) this.byDay.set(k, (ids = new Set()));
			ids.add(a.id);
		}
	}

	replace(before: Appointment, after: Appointment): void {
		for (const k of Calendar.keys(before)) this.byDay.get(k)?.delete(before.id);
		this.add(after);
	}

	isFree(slot: Pick<Appointment, 'start' | 'end' | 'providerId' | 'roomId'>, except?: string): boolean {
		for (const k of Calendar.keys(slot)) {
			for (const id of this.byDay.get(k) ?? []) {
				const b = this.state.get(id)!;
				// ISO instants of one format compare as strings.
				if (id !== except && occupiesSlot(b.status) && b.start < slot.end && slot.start < b.end) return false;
			}
		}
		return true;
	}

	/** A random free slot; after 30 tries the last one tried (a double booking, as on a full day). */
	freeSlot(
		gen: prng.PRNG,
		month: string,
		minutes: number,
		who: Pick<Appointment, 'providerId' | 'roomId'>,
		except?: string
	): { start: string; end: string } {
		let slot = randomSlot(gen, month, minutes);
		for (let i = 1; i < 30 && !this.isFree({ ...who, ...slot }, except); i++)
			slot = randomSlot(gen, month, minutes);
		return slot;
	}
}

type Change = { kind: 'status' | 'cancel' | 'move'; patch: Patch };

/** The patch the app writes for a random allowed status change or move of `current`, if it has one. */
function statusOrMove(
	gen: prng.PRNG,
	kind: 'status' | 'move',
	current: Appointment,
	ctx: PlanContext,
	calendar: Calendar,
	at: string
): Change | undefined {
	let change: Change | undefined;
	if (kind === 'status') {
		const options = STATUSES.filter(
			(s: AppointmentStatus) =>
				s !== current.status && s !== 'rescheduled' && canTransition(current.status, s)
		);
		if (!options.length) return undefined;
		const status = pick(gen, options);
		if (status === 'cancelled') {
			change = { kind: 'cancel', patch: { status, cancelReason: pick(gen, CANCEL_REASONS), updatedAt: at } };
		} else {
			// What AppointmentWriter.setStatus writes besides the status: a check-in time when checking in
			// from expected; stepping back deletes neither `arrivedAt` nor `cancelReason`.
			const patch: Patch = { status, updatedAt: at };
			if (
				status === 'arrived' &&
				(current.status === 'booked' || current.status === 'confirmed' || !current.arrivedAt)
			)
				patch.arrivedAt = at;
			change = { kind: 'status', patch };
		}
	} else {
		// AppointmentWriter.move within the month: new times (and sometimes provider), in place.
		if (!occupiesSlot(current.status) || current.status === 'completed') return undefined;
		const minutes = (Date.parse(current.end) - Date.parse(current.start)) / MINUTE;
		const providerId = prng.int31(gen, 0, 4) === 0 ? pick(gen, ctx.providerIds) : current.providerId;
		const slot = calendar.freeSlot(
			gen,
			ctx.month,
			minutes,
			{ providerId, roomId: current.roomId },
			current.id
		);
		change = { kind: 'move', patch: { ...slot, providerId, updatedAt: at } };
	}
	// The app refuses an edit that leaves an invalid appointment; so does the plan.
	return appointmentIssues(applyPatch(current, change.patch)).length ? undefined : change;
}

/** `count` edits for one replica, from its own seed; deterministic. */
export function planEdits(ctx: PlanContext, count: number, seed: number): Edit[] {
	const gen = prng.create(seed);
	const state = new Map(ctx.base.map((a) => [a.id, a]));
	const calendar = new Calendar(state);
	const ids = ctx.base.map((a) => a.id);
	const edits: Edit[] = [];
	const t0 = Date.parse(ctx.offlineFrom);

	while (edits.length < count) {
		const at = new Date(t0 + edits.length * 7_000).toISOString();
		const eventId = uuid(gen);
		const kind = weighted(gen, MIX);
		if (kind === 'book') {
			const minutes = pick(gen, DURATIONS);
			const who = {
				providerId: pick(gen, ctx.providerIds),
				...(prng.int31(gen, 0, 9) > 0 ? { roomId: pick(gen, ctx.roomIds) } : {})
			};
			const record: Appointment = {
				id: uuid(gen),
				createdAt: at,
				updatedAt: at,
				patientId: pick(gen, ctx.patientIds),
				...who,
				typeId: pick(gen, ctx.typeIds),
				...calendar.freeSlot(gen, ctx.month, minutes, who),
				status: 'booked',
				reason: pick(gen, REASONS),
				notes: ''
			};
			state.set(record.id, record);
			calendar.add(record);
			ids.push(record.id);
			edits.push({ kind: 'book', record, at, eventId });
			continue;
		}

		// A status change or a move needs a record that allows one: try a few, then edit notes instead.
		let id = pick(gen, ids);
		let change = kind === 'notes' ? undefined : statusOrMove(gen, kind, state.get(id)!, ctx, calendar, at);
		for (let tries = 1; !change && kind !== 'notes' && tries < 8; tries++) {
			id = pick(gen, ids);
			change = statusOrMove(gen, kind, state.get(id)!, ctx, calendar, at);
		}
		const current = state.get(id)!;
		const otherNotes = NOTES.filter((n) => n !== current.notes);
		const { kind: editKind, patch } = change ?? {
			kind: 'notes' as const,
			patch: { notes: pick(gen, otherNotes), updatedAt: at }
		};
		// The app never moves `updatedAt` back (a record the demo changed later "today" than the replica's
		// clock gets 1 ms past its own), and every representation must write the same value.
		if (patch.updatedAt && patch.updatedAt <= current.updatedAt)
			patch.updatedAt = new Date(Date.parse(current.updatedAt) + 1).toISOString();
		const next = applyPatch(current, patch);
		state.set(id, next);
		calendar.replace(current, next);
		edits.push({ kind: editKind, id, patch, at, eventId, from: slotOf(current), to: slotOf(next) });
	}
	return edits;
}

/** Counts by kind, for the log. */
export function describePlan(edits: readonly Edit[]): string {
	const counts = new Map<string, number>();
	for (const e of edits) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
	return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

/**
 * November 2026 of the demo clinic (large preset, fill 0.9: ~2,300 appointments, half past, half
 * to come, since "today" is the 16th), or a tiny one for smoke runs. Only the patients count and the
 * months around are cut down, to generate faster: the month itself is the preset's.
 */
export function demoMonth(small: boolean): PlanContext {
	const month = '2026-11';
	const demo = generateDemoClinic({
		seed: 20261128,
		today: `${month}-16`,
		...(small
			? { ...DEMO_PRESETS.small, patients: 100, monthsBack: 0, monthsAhead: 0 }
			: { ...DEMO_PRESETS.large, patients: 2_000, monthsBack: 1, monthsAhead: 1 })
	});
	return {
		base: demo.appointments.filter((a) => a.start.startsWith(month)),
		month,
		providerIds: demo.providers.map((p) => p.id),
		roomIds: demo.rooms.map((r) => r.id),
		typeIds: demo.appointmentTypes.map((t) => t.id),
		patientIds: demo.patients.map((p) => p.id),
		offlineFrom: `${month}-16T15:00:00.000Z`
	};
}

/** The two replicas' plans, each from its own fixed seed. */
export function planBoth(ctx: PlanContext, count: number): { A: Edit[]; B: Edit[] } {
	return { A: planEdits(ctx, count, 0xa11ce), B: planEdits(ctx, count, 0xb0b) };
}
