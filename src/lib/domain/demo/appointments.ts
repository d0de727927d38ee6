import { ageOn, type Patient } from '../patients/schemas';
import type { Appointment, AppointmentStatus } from '../schedule/schemas';
import type { AppointmentType, Room } from '../workspace/schemas';
import type { DemoProvider } from './people';
import { cumulative, type Rng } from './rng';
import { APPOINTMENT_NOTES, CANCEL_REASONS, CLINIC_HOLIDAYS, TYPE_SPECS, type TypeSpec } from './tables';
import { isoDay, isoInstant, MS_PER_DAY, MS_PER_MINUTE, weekday, zonedTimeToUtc } from './time';

export interface ScheduleContext {
	timeZone: string;
	slotMinutes: number;
	openMinute: number;
	closeMinute: number;
	firstDay: number;
	lastDay: number;
	today: number;
	/** The instant the data treats as "now": earlier bookings have outcomes, later ones are pending. */
	nowMs: number;
	/** No booking was made before the clinic's patients were imported. */
	bookingsFromMs: number;
	fillRatio: number;
	providers: readonly DemoProvider[];
	/** Same order as TYPE_SPECS. */
	types: readonly AppointmentType[];
	rooms: readonly Room[];
	patients: readonly Patient[];
	panels: readonly number[][];
}

/** `mm-dd` of the days the demo clinic is closed (its availability records list the same dates). */
const HOLIDAYS = new Set(CLINIC_HOLIDAYS.map((h) => h.monthDay));
const PAST_NO_SHOW = 0.06;
/** Cancellations whose slot was then rebooked, so they sit under another booking (as in real schedules). */
const CANCEL_PAST = 0.1;
const CANCEL_FUTURE = 0.04;
const RESCHEDULED = 0.02;

interface Kind {
	type: AppointmentType;
	spec: TypeSpec;
	/** Slots blocked on the provider's calendar, buffers included. */
	slots: number;
}
interface Menu {
	kinds: Kind[];
	cum: number[];
	/** Kinds ordered shortest first, for filling the end of the day. */
	byLength: Kind[];
}
interface ProviderPlan {
	all: Menu;
	returning: Menu;
	meanSlots: number;
}

function menu(kinds: Kind[]): Menu {
	return {
		kinds,
		cum: cumulative(kinds.map((k) => k.spec.weight)),
		byLength: [...kinds].sort((a, b) => a.slots - b.slots)
	};
}

function planFor(providerId: string, ctx: ScheduleContext): ProviderPlan {
	const kinds: Kind[] = [];
	ctx.types.forEach((type, i) => {
		if (type.providerIds.length > 0 && !type.providerIds.includes(providerId)) return;
		const blocked = type.bufferBeforeMinutes + type.durationMinutes + type.bufferAfterMinutes;
		kinds.push({ type, spec: TYPE_SPECS[i]!, slots: Math.ceil(blocked / ctx.slotMinutes) });
	});
	const all = menu(kinds);
	const returning = menu(kinds.filter((k) => !k.type.newPatient));
	const total = all.cum[all.cum.length - 1]!;
	const meanSlots = kinds.reduce((sum, k) => sum + k.slots * k.spec.weight, 0) / total;
	return { all, returning: returning.kinds.length > 0 ? returning : all, meanSlots };
}

/**
 * Each free slot either stays empty (probability q) or starts a booking of mean length L slots, so the
 * booked share is (1-q)L / ((1-q)L + q). Solving for q gives the fill ratio the caller asked for.
 */
function gapProbability(fill: number, meanSlots: number): number {
	const free = meanSlots * (1 - fill);
	return free / (free + fill);
}

const iso = isoInstant;

export function generateAppointments(rng: Rng, ctx: ScheduleContext): Appointment[] {
	const { nowMs, bookingsFromMs, slotMinutes, timeZone } = ctx;
	const slotMs = slotMinutes * MS_PER_MINUTE;
	const perDay = Math.floor((ctx.closeMinute - ctx.openMinute) / slotMinutes);
	const plans = ctx.providers.map((p) => planFor(p.provider.id, ctx));
	const todayIso = isoDay(ctx.today);
	const minors = ctx.patients.map((p) => ageOn(p.dateOfBirth, todayIso) < 18);
	const seen = new Uint8Array(ctx.patients.length);
	// Day each patient was last booked, so nobody gets two visits on one day.
	const lastBooked = new Int32Array(ctx.patients.length).fill(-1);
	const roomBusy = new Uint8Array(ctx.rooms.length * perDay);
	const out: Appointment[] = [];

	const openCache = new Map<number, number | null>();
	/** Opening instant, or null when closed: weekends, holidays, and any day whose UTC offset changes during
	 * opening hours (no US zone does; skipping such days keeps every slot a fixed 15 minutes apart). */
	const openAt = (day: number): number | null => {
		let open = openCache.get(day);
		if (open !== undefined) return open;
		const wd = weekday(day);
		open = null;
		if (wd !== 0 && wd !== 6 && !HOLIDAYS.has(isoDay(day).slice(5))) {
			const start = zonedTimeToUtc(day, ctx.openMinute, timeZone);
			const close = zonedTimeToUtc(day, ctx.closeMinute, timeZone);
			if (close - start === (ctx.closeMinute - ctx.openMinute) * MS_PER_MINUTE) open = start;
		}
		openCache.set(day, open);
		return open;
	};

	const pickPatient = (p: number, day: number): number => {
		const panel = ctx.panels[p]!;
		for (let attempt = 0; attempt < 4; attempt++) {
			// Skewed towards the front of the panel: a few patients visit often, most rarely.
			const idx =
				panel.length > 0 && rng.chance(0.85)
					? panel[Math.floor(panel.length * rng.float() ** 1.5)]!
					: Math.floor(ctx.patients.length * rng.float());
			if (lastBooked[idx] !== day) return idx;
		}
		return -1;
	};

	const reasonFor = (kind: Kind, patientIdx: number): string =>
		rng.pick(minors[patientIdx] && kind.spec.minorReasons ? kind.spec.minorReasons : kind.spec.reasons);

	const record = (
		p: number,
		patientIdx: number,
		kind: Kind,
		startMs: number,
		createdMs: number,
		updatedMs: number,
		status: AppointmentStatus
	): Appointment => ({
		id: rng.uuid(),
		createdAt: iso(createdMs),
		updatedAt: iso(updatedMs),
		patientId: ctx.patients[patientIdx]!.id,
		providerId: ctx.providers[p]!.provider.id,
		typeId: kind.type.id,
		start: iso(startMs),
		end: iso(startMs + kind.type.durationMinutes * MS_PER_MINUTE),
		status,
		reason: reasonFor(kind, patientIdx),
		notes: rng.chance(0.03) ? rng.pick(APPOINTMENT_NOTES) : ''
	});

	/** Status and timestamps of a slot-holding booking, relative to "now". */
	const book = (
		p: number,
		patientIdx: number,
		kind: Kind,
		day: number,
		startMs: number,
		createdMs: number
	) => {
		const endMs = startMs + kind.type.durationMinutes * MS_PER_MINUTE;
		const minutes = (lo: number, hi: number): number => rng.int(lo, hi) * MS_PER_MINUTE;
		let status: AppointmentStatus;
		let updatedMs = createdMs;
		let arrivedMs: number | undefined;
		if (endMs <= nowMs) {
			if (rng.chance(PAST_NO_SHOW)) {
				status = 'no-show';
				updatedMs = Math.min(nowMs, endMs + minutes(15, 120));
			} else {
				status = 'completed';
				arrivedMs = startMs - minutes(0, 20);
				updatedMs = Math.min(nowMs, endMs + minutes(2, 40));
			}
		} else if (startMs <= nowMs) {
			status = rng.chance(0.7) ? 'in-room' : 'arrived';
			arrivedMs = startMs - minutes(0, 15);
			updatedMs = Math.max(arrivedMs, Math.min(nowMs, startMs + minutes(0, 10)));
		} else if (day === ctx.today && startMs - nowMs <= 20 * MS_PER_MINUTE && rng.chance(0.4)) {
			status = 'arrived';
			arrivedMs = Math.max(createdMs, nowMs - minutes(0, 10));
			updatedMs = arrivedMs;
		} else if (rng.chance(startMs - nowMs <= 2 * MS_PER_DAY ? 0.75 : 0.2)) {
			status = 'confirmed';
			updatedMs = createdMs + Math.floor((rng.float() * (nowMs - createdMs)) / MS_PER_MINUTE) * MS_PER_MINUTE;
		} else {
			status = 'booked';
		}
		const a = record(p, patientIdx, kind, startMs, createdMs, updatedMs, status);
		if (arrivedMs !== undefined) a.arrivedAt = iso(arrivedMs);
		return a;
	};

	/** When a booking was made: 1 hour to 45 days ahead, never after "now" nor before the import. */
	const bookedAt = (beforeMs: number): number =>
		Math.max(
			bookingsFromMs,
			Math.min(beforeMs - rng.int(60, 45 * 1440) * MS_PER_MINUTE, nowMs - rng.int(5, 4320) * MS_PER_MINUTE)
		);

	const emit = (p: number, patientIdx: number, kind: Kind, day: number, slot: number, open: number): void => {
		const startMs = open + slot * slotMs;
		const earlierDay = day - 7;
		const earlierOpen = earlierDay >= ctx.firstDay && rng.chance(RESCHEDULED) ? openAt(earlierDay) : null;
		let booking: Appointment;
		if (earlierOpen !== null) {
			// Moved here from the same time a week earlier; the original stays as history.
			const fromStart = earlierOpen + slot * slotMs;
			const movedAt = Math.max(
				bookingsFromMs,
				Math.min(fromStart, nowMs) - rng.int(60, 5 * 1440) * MS_PER_MINUTE
			);
			const fromCreated = Math.max(bookingsFromMs, movedAt - rng.int(60, 30 * 1440) * MS_PER_MINUTE);
			const original = record(p, patientIdx, kind, fromStart, fromCreated, movedAt, 'rescheduled');
			out.push(original);
			booking = book(p, patientIdx, kind, day, startMs, movedAt);
			booking.rescheduledFromId = original.id;
		} else {
			booking = book(p, patientIdx, kind, day, startMs, bookedAt(startMs));
		}
		if (kind.spec.needsRoom && ctx.rooms.length > 0) {
			const rooms = ctx.rooms.length;
			for (let k = 0; k < rooms; k++) {
				const r = (p + k) % rooms;
				const base = r * perDay + slot;
				let free = true;
				for (let s = 0; s < kind.slots && free; s++) free = roomBusy[base + s] === 0;
				if (!free) continue;
				roomBusy.fill(1, base, base + kind.slots);
				booking.roomId = ctx.rooms[r]!.id;
				break;
			}
		}
		out.push(booking);
		seen[patientIdx] = 1;
		lastBooked[patientIdx] = day;

		if (rng.chance(startMs <= nowMs ? CANCEL_PAST : CANCEL_FUTURE)) {
			const other = Math.floor(ctx.patients.length * rng.float());
			const cancelledAt = Math.max(
				bookingsFromMs,
				Date.parse(booking.createdAt) - rng.int(1, 240) * MS_PER_MINUTE
			);
			const createdMs = Math.max(bookingsFromMs, cancelledAt - rng.int(60, 30 * 1440) * MS_PER_MINUTE);
			const cancelled = record(p, other, kind, startMs, createdMs, cancelledAt, 'cancelled');
			cancelled.cancelReason = rng.pick(CANCEL_REASONS);
			out.push(cancelled);
		}
	};

	if (ctx.patients.length === 0) return out;
	const futureSpan = Math.max(1, ctx.lastDay - ctx.today - 14);
	for (let day = ctx.firstDay; day <= ctx.lastDay; day++) {
		const open = openAt(day);
		if (open === null) continue;
		roomBusy.fill(0);
		// Books fill up close in; the far future is thinner, tapering to half the requested fill.
		const ahead = day - ctx.today - 14;
		const fill = ahead <= 0 ? ctx.fillRatio : ctx.fillRatio * (1 - (0.5 * ahead) / futureSpan);
		for (let p = 0; p < plans.length; p++) {
			const plan = plans[p]!;
			const q = gapProbability(fill, plan.meanSlots);
			let slot = 0;
			while (slot < perDay) {
				if (rng.float() < q) {
					slot++;
					continue;
				}
				const patientIdx = pickPatient(p, day);
				if (patientIdx < 0) {
					slot++;
					continue;
				}
				const m = seen[patientIdx] ? plan.returning : plan.all;
				let kind = m.kinds[rng.weighted(m.cum)]!;
				if (slot + kind.slots > perDay) {
					const fits = m.byLength.find((k) => slot + k.slots <= perDay);
					if (!fits) break;
					kind = fits;
				}
				emit(p, patientIdx, kind, day, slot, open);
				slot += kind.slots;
			}
		}
	}
	return out;
}
