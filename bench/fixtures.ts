/**
 * Synthetic appointments for benchmarks, built from a seeded PRNG so every run (and every machine)
 * measures the same bytes. Shaped like src/lib/domain/schedule `appointment` records: UUID ids and
 * references, ISO instants with milliseconds, a status mix of past and future bookings, short
 * reasons, mostly empty notes, `arrivedAt` only once a patient has checked in. Never real people.
 */
import * as prng from 'lib0/prng';

export interface AppointmentFixture {
	id: string;
	createdAt: string;
	updatedAt: string;
	patientId: string;
	providerId: string;
	roomId?: string;
	typeId: string;
	start: string;
	end: string;
	status: string;
	reason: string;
	notes: string;
	arrivedAt?: string;
	cancelReason?: string;
}

const reasons = [
	'Annual physical',
	'Follow-up',
	'Flu shot',
	'Blood pressure check',
	'Lab results review',
	'Back pain',
	'Sore throat',
	'Medication refill',
	'Well-child visit',
	'Rash',
	'Pre-op clearance',
	'Diabetes check'
];
const notes = [
	'Bring insurance card',
	'Prefers afternoon slots',
	'Interpreter needed (Spanish)',
	'Fasting labs, nothing to eat after midnight',
	'Called to confirm, left voicemail',
	'Wheelchair access'
];
const cancelReasons = ['Patient called to cancel', 'Provider out sick', 'Weather'];
// Weighted like a month that is partly past (completed, no-shows) and partly future (booked).
const statuses: [string, number][] = [
	['booked', 30],
	['confirmed', 20],
	['arrived', 3],
	['in-room', 2],
	['completed', 35],
	['no-show', 4],
	['cancelled', 5],
	['rescheduled', 1]
];
const durations = [15, 20, 30, 45, 60];
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const PER_DAY = 110; // 5 providers × ~22 bookings
const FIRST_DAY = Date.UTC(2026, 0, 5);

export function uuid(gen: prng.PRNG): string {
	let hex = '';
	for (let i = 0; i < 4; i++) hex += prng.uint32(gen, 0, 0xffffffff).toString(16).padStart(8, '0');
	const variant = '89ab'[prng.int31(gen, 0, 3)];
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

function weighted(gen: prng.PRNG, table: [string, number][]): string {
	const total = table.reduce((s, [, w]) => s + w, 0);
	let r = prng.int31(gen, 0, total - 1);
	for (const [value, w] of table) {
		if (r < w) return value;
		r -= w;
	}
	throw new Error('unreachable');
}

export function makeAppointments(count: number, seed = 0x5eed): AppointmentFixture[] {
	const gen = prng.create(seed);
	const pool = (n: number) => Array.from({ length: n }, () => uuid(gen));
	const patients = pool(Math.max(50, Math.min(5000, count >> 1)));
	const providers = pool(5);
	const rooms = pool(6);
	const types = pool(8);
	const out: AppointmentFixture[] = [];
	for (let i = 0; i < count; i++) {
		const day = Math.floor(i / PER_DAY);
		// Skip weekends so the spread looks like a clinic calendar.
		const dayStart = FIRST_DAY + (Math.floor(day / 5) * 7 + (day % 5)) * DAY;
		const start = dayStart + 13 * 60 * MINUTE + prng.int31(gen, 0, 35) * 15 * MINUTE;
		const end = start + prng.oneOf(gen, durations) * MINUTE;
		const created = start - prng.int31(gen, 1, 60) * DAY - prng.int31(gen, 0, 600) * MINUTE;
		const status = weighted(gen, statuses);
		const a: AppointmentFixture = {
			id: uuid(gen),
			createdAt: new Date(created).toISOString(),
			updatedAt: new Date(created + prng.int31(gen, 0, 10) * DAY).toISOString(),
			patientId: prng.oneOf(gen, patients),
			providerId: prng.oneOf(gen, providers),
			typeId: prng.oneOf(gen, types),
			start: new Date(start).toISOString(),
			end: new Date(end).toISOString(),
			status,
			reason: prng.oneOf(gen, reasons),
			notes: prng.int31(gen, 0, 9) < 7 ? '' : prng.oneOf(gen, notes)
		};
		if (prng.int31(gen, 0, 9) > 0) a.roomId = prng.oneOf(gen, rooms);
		if (status === 'arrived' || status === 'in-room' || status === 'completed') {
			a.arrivedAt = new Date(start - prng.int31(gen, 0, 15) * MINUTE).toISOString();
			a.updatedAt = a.arrivedAt;
		}
		if (status === 'cancelled') a.cancelReason = prng.oneOf(gen, cancelReasons);
		out.push(a);
	}
	return out;
}
