import { describe, expect, it } from 'vitest';
import { ageOn, patient as patientSchema } from '../patients/schemas';
import { appointment as appointmentSchema, occupiesSlot, type Appointment } from '../schedule/schemas';
import {
	appointmentType as typeSchema,
	clinic as clinicSchema,
	provider as providerSchema,
	room as roomSchema
} from '../workspace/schemas';
import { BANNED_FAMILY, BANNED_GIVEN } from './common-names.fixture';
import { DEMO_PRESETS, demoNow, generateDemoClinic, type DemoClinic, type DemoOptions } from './index';

const TODAY = '2026-11-16';
const small: DemoOptions = { seed: 20261116, today: TODAY, ...DEMO_PRESETS.small };
const demo = generateDemoClinic(small);

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local weekday and minutes-since-midnight, computed independently of the generator's time helpers. */
function local(iso: string, timeZone: string): { weekday: string; minute: number } {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone,
			weekday: 'short',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23'
		});
		formatters.set(timeZone, f);
	}
	const parts = Object.fromEntries(f.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
	return { weekday: parts.weekday!, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Appointments outside weekdays 08:00–17:00 local time or off the 15-minute grid, described. */
function outsideClinicHours(d: DemoClinic): string[] {
	const tz = d.clinic.timeZone;
	const bad: string[] = [];
	for (const a of d.appointments) {
		const start = local(a.start, tz);
		const end = local(a.end, tz);
		const weekday =
			['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].includes(start.weekday) && end.weekday === start.weekday;
		if (!weekday || start.minute % 15 !== 0 || start.minute < 8 * 60 || end.minute > 17 * 60)
			bad.push(`${a.start}–${a.end} is ${start.weekday} ${start.minute}–${end.minute} min in ${tz}`);
	}
	return bad;
}

/** Pairs of half-open intervals in a group that overlap; `pad` adds minutes after each end (buffers). */
function overlapping(groups: Map<string, Appointment[]>, pad: (a: Appointment) => number): string[] {
	const bad: string[] = [];
	for (const list of groups.values()) {
		const sorted = [...list].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
		for (let i = 1; i < sorted.length; i++) {
			const prev = sorted[i - 1]!;
			const next = sorted[i]!;
			if (Date.parse(next.start) < Date.parse(prev.end) + pad(prev) * 60_000)
				bad.push(`${prev.id} / ${next.id}`);
		}
	}
	return bad;
}

function groupBy(
	list: Appointment[],
	key: (a: Appointment) => string | undefined
): Map<string, Appointment[]> {
	const groups = new Map<string, Appointment[]>();
	for (const a of list) {
		const k = key(a);
		if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), a]);
	}
	return groups;
}

describe('generateDemoClinic', () => {
	it('returns deeply equal output, ids included, for the same seed and options', () => {
		const again = generateDemoClinic({ ...small });
		expect(again).toEqual(demo);
		expect(JSON.stringify(again)).toBe(JSON.stringify(demo));
	});

	it('returns a different clinic for a different seed', () => {
		const other = generateDemoClinic({ ...small, seed: small.seed + 1 });
		const ids = new Set([
			demo.clinic.id,
			...demo.patients.map((p) => p.id),
			...demo.appointments.map((a) => a.id)
		]);
		expect(ids.has(other.clinic.id)).toBe(false);
		expect(other.patients.filter((p) => ids.has(p.id))).toHaveLength(0);
		expect(other.patients.map((p) => p.givenName)).not.toEqual(demo.patients.map((p) => p.givenName));
		expect(other.appointments.map((a) => a.start)).not.toEqual(demo.appointments.map((a) => a.start));
	});

	it('keeps the staff identical when only the patient count changes', () => {
		const more = generateDemoClinic({ ...small, patients: 450 });
		expect(more.providers).toEqual(demo.providers);
		expect(more.clinic).toEqual(demo.clinic);
	});

	it('produces records that each pass their schema unchanged', () => {
		expect(clinicSchema.parse(demo.clinic)).toEqual(demo.clinic);
		expect(demo.providers.map((p) => providerSchema.parse(p))).toEqual(demo.providers);
		expect(demo.rooms.map((r) => roomSchema.parse(r))).toEqual(demo.rooms);
		expect(demo.appointmentTypes.map((t) => typeSchema.parse(t))).toEqual(demo.appointmentTypes);
		expect(demo.patients.map((p) => patientSchema.parse(p))).toEqual(demo.patients);
		expect(demo.appointments.map((a) => appointmentSchema.parse(a))).toEqual(demo.appointments);
	});

	it('builds the requested shape: a demo clinic, five providers, four rooms, six types, 400 patients', () => {
		expect(demo.clinic.demo).toBe(true);
		expect(demo.clinic.name).toMatch(/ \(demo\)$/);
		expect(demo.clinic.slotMinutes).toBe(15);
		expect(demo.providers).toHaveLength(5);
		expect(demo.rooms).toHaveLength(4);
		expect(new Set(demo.appointmentTypes.map((t) => t.color)).size).toBe(6);
		expect(new Set(demo.providers.map((p) => p.color)).size).toBe(5);
		const typeColors = new Set(demo.appointmentTypes.map((t) => t.color));
		expect(demo.providers.filter((p) => typeColors.has(p.color))).toEqual([]);
		expect(demo.patients).toHaveLength(400);
		expect(demo.appointments.length).toBeGreaterThan(3000);
		const ids = [
			demo.clinic,
			...demo.providers,
			...demo.rooms,
			...demo.appointmentTypes,
			...demo.patients,
			...demo.appointments
		];
		expect(new Set(ids.map((r) => r.id)).size).toBe(ids.length);
	});

	it('never double-books a provider, counting the clean-up buffer after procedures', () => {
		const buffer = new Map(demo.appointmentTypes.map((t) => [t.id, t.bufferAfterMinutes]));
		const holding = demo.appointments.filter((a) => occupiesSlot(a.status));
		expect(
			overlapping(
				groupBy(holding, (a) => a.providerId),
				(a) => buffer.get(a.typeId)!
			)
		).toEqual([]);
	});

	it('never puts two slot-holding appointments in the same room at once', () => {
		const holding = demo.appointments.filter((a) => occupiesSlot(a.status));
		expect(holding.filter((a) => a.roomId).length).toBeGreaterThan(holding.length / 2);
		expect(
			overlapping(
				groupBy(holding, (a) => a.roomId),
				() => 0
			)
		).toEqual([]);
	});

	it('books only weekdays, 08:00–17:00 clinic time, on the 15-minute grid (autumn DST change included)', () => {
		expect(demo.appointments.length).toBeGreaterThan(0);
		expect(outsideClinicHours(demo)).toEqual([]);
	});

	it('keeps clinic hours in local time across the spring DST change and in other zones', () => {
		const spring = generateDemoClinic({ ...small, today: '2026-03-20', monthsBack: 1, monthsAhead: 1 });
		expect(outsideClinicHours(spring)).toEqual([]);
		const eight = spring.appointments.filter((a) => local(a.start, 'America/Chicago').minute === 8 * 60);
		expect(eight.some((a) => a.start < '2026-03-08' && a.start.includes('T14:00:00'))).toBe(true);
		expect(eight.some((a) => a.start > '2026-03-09' && a.start.includes('T13:00:00'))).toBe(true);
		for (const timeZone of ['Australia/Sydney', 'Asia/Kolkata', 'America/Phoenix']) {
			const d = generateDemoClinic({ ...small, timeZone, today: '2026-04-10', patients: 60, monthsAhead: 0 });
			expect(d.appointments.length).toBeGreaterThan(0);
			expect(outsideClinicHours(d)).toEqual([]);
		}
	});

	it('resolves every patient, provider, type, room and rescheduled-from reference', () => {
		const patients = new Set(demo.patients.map((p) => p.id));
		const providers = new Set(demo.providers.map((p) => p.id));
		const rooms = new Set(demo.rooms.map((r) => r.id));
		const types = new Map(demo.appointmentTypes.map((t) => [t.id, t]));
		const byId = new Map(demo.appointments.map((a) => [a.id, a]));
		const broken: string[] = [];
		for (const a of demo.appointments) {
			const type = types.get(a.typeId);
			const from = a.rescheduledFromId === undefined ? undefined : byId.get(a.rescheduledFromId);
			if (!patients.has(a.patientId)) broken.push(`${a.id} patient`);
			if (!providers.has(a.providerId)) broken.push(`${a.id} provider`);
			if (a.roomId !== undefined && !rooms.has(a.roomId)) broken.push(`${a.id} room`);
			if (!type) broken.push(`${a.id} type`);
			else if (type.providerIds.length > 0 && !type.providerIds.includes(a.providerId))
				broken.push(`${a.id} type not offered by provider`);
			else if (Date.parse(a.end) - Date.parse(a.start) !== type.durationMinutes * 60_000)
				broken.push(`${a.id} length differs from its type`);
			if (
				a.rescheduledFromId !== undefined &&
				(from?.status !== 'rescheduled' || from.patientId !== a.patientId)
			)
				broken.push(`${a.id} rescheduled from`);
		}
		for (const p of demo.patients)
			if (p.primaryProviderId && !providers.has(p.primaryProviderId)) broken.push(`${p.id} primary provider`);
		for (const t of demo.appointmentTypes)
			for (const id of t.providerIds) if (!providers.has(id)) broken.push(`${t.id} provider ${id}`);
		expect(broken).toEqual([]);
		expect(demo.appointments.some((a) => a.rescheduledFromId)).toBe(true);
	});

	it('gives past bookings outcomes and future bookings pending statuses, around noon on `today`', () => {
		const now = demoNow(TODAY, small.timeZone);
		const counts: Record<string, number> = {};
		const wrong: string[] = [];
		for (const a of demo.appointments) {
			counts[a.status] = (counts[a.status] ?? 0) + 1;
			if (!(a.createdAt <= a.updatedAt && a.updatedAt <= now)) wrong.push(`${a.id} updated ${a.updatedAt}`);
			if (a.arrivedAt && a.arrivedAt > now) wrong.push(`${a.id} arrived in the future`);
			if (a.status === 'rescheduled' || a.status === 'cancelled') continue;
			if (a.createdAt > a.start) wrong.push(`${a.id} booked after it started`);
			const allowed =
				a.end <= now
					? ['completed', 'no-show']
					: a.start > now
						? ['booked', 'confirmed', 'arrived']
						: ['arrived', 'in-room'];
			if (!allowed.includes(a.status)) wrong.push(`${a.id} ${a.status} at ${a.start}`);
		}
		expect(wrong).toEqual([]);
		const past = demo.appointments.filter((a) => a.end <= now).length;
		expect(counts.completed! / past).toBeGreaterThan(0.7);
		expect(counts['no-show']).toBeGreaterThan(0);
		expect(counts.cancelled).toBeGreaterThan(0);
		expect(counts.booked! + counts.confirmed!).toBeGreaterThan(1000);
		const today = demo.appointments.filter((a) => a.start.startsWith(TODAY) && a.end <= now);
		expect(today.length).toBeGreaterThan(0);
		expect(demo.appointments.filter((a) => a.status === 'completed').every((a) => a.arrivedAt)).toBe(true);
	});

	it('books about the requested share of slots, and none or nearly all at the extremes', () => {
		const share = (d: DemoClinic): number => {
			const minutes = d.appointments.filter((a) => occupiesSlot(a.status) || a.status === 'no-show');
			const used = minutes.reduce(
				(sum, a) => sum + Math.ceil((Date.parse(a.end) - Date.parse(a.start)) / 900_000),
				0
			);
			const days = new Set(d.appointments.map((a) => a.start.slice(0, 10))).size;
			return used / (days * d.providers.length * 36);
		};
		const near = { ...small, monthsAhead: 0 };
		expect(share(generateDemoClinic(near))).toBeGreaterThan(0.5);
		expect(share(generateDemoClinic(near))).toBeLessThan(0.7);
		expect(share(generateDemoClinic({ ...near, fillRatio: 1 }))).toBeGreaterThan(0.85);
		expect(generateDemoClinic({ ...near, fillRatio: 0 }).appointments).toHaveLength(0);
	});

	it('schedules a new-patient visit only as that patient’s first visit', () => {
		const newType = new Set(demo.appointmentTypes.filter((t) => t.newPatient).map((t) => t.id));
		const first = new Map<string, string>();
		const holding = demo.appointments.filter((a) => occupiesSlot(a.status) || a.status === 'completed');
		for (const a of [...holding].sort((x, y) => x.start.localeCompare(y.start))) {
			if (newType.has(a.typeId)) expect(first.has(a.patientId), a.id).toBe(false);
			if (!first.has(a.patientId)) first.set(a.patientId, a.id);
		}
	});
});

describe('demo patients', () => {
	const ps = demo.patients;
	const share = (pred: (p: (typeof ps)[number]) => boolean): number => ps.filter(pred).length / ps.length;

	it('span ages 0–95, minors included', () => {
		const ages = ps.map((p) => ageOn(p.dateOfBirth, TODAY));
		expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
		expect(Math.max(...ages)).toBeLessThanOrEqual(95);
		expect(ages.filter((a) => a < 18).length).toBeGreaterThan(40);
		expect(ages.filter((a) => a >= 65).length).toBeGreaterThan(40);
	});

	it('have primary coverage about 60% of the time and a secondary about 15%', () => {
		expect(share((p) => p.coverages.some((c) => c.order === 'primary'))).toBeGreaterThan(0.5);
		expect(share((p) => p.coverages.some((c) => c.order === 'primary'))).toBeLessThan(0.7);
		expect(share((p) => p.coverages.some((c) => c.order === 'secondary'))).toBeGreaterThan(0.08);
		expect(share((p) => p.coverages.some((c) => c.order === 'secondary'))).toBeLessThan(0.22);
		const children = ps.filter((p) => ageOn(p.dateOfBirth, TODAY) < 18).flatMap((p) => p.coverages);
		expect(children.every((c) => c.subscriberRelationship === 'child' && c.subscriberName)).toBe(true);
	});

	it('carry sequential MRNs, some alerts, some preferred names and exactly one primary phone', () => {
		expect(ps.map((p) => p.mrn).slice(0, 3)).toEqual(['MRN-000001', 'MRN-000002', 'MRN-000003']);
		expect(new Set(ps.map((p) => p.mrn)).size).toBe(ps.length);
		expect(ps.some((p) => p.alerts.includes('Needs interpreter'))).toBe(true);
		expect(share((p) => p.preferredName !== undefined)).toBeGreaterThan(0.03);
		expect(ps.filter((p) => p.phones.filter((ph) => ph.primary).length !== 1)).toEqual([]);
	});

	it('have synthetic names, never a common real one such as John Smith', () => {
		const people = [
			...ps.map((p) => [p.givenName, p.familyName] as const),
			...demo.providers.map((p) => p.displayName.split(' ') as [string, string])
		];
		const real = people.filter(
			([given, family]) =>
				BANNED_GIVEN.has(given) || BANNED_FAMILY.has(family) || `${given} ${family}` === 'John Smith'
		);
		expect(real).toEqual([]);
	});

	it('use only fictional phones, example-domain emails and unassigned ZIP codes', () => {
		const phones = ps.flatMap((p) => [
			...p.phones.map((ph) => ph.number),
			...p.emergencyContacts.map((c) => c.phone)
		]);
		expect(phones.filter((n) => !/^\(\d{3}\) 555-01\d\d$/.test(n))).toEqual([]);
		expect(ps.filter((p) => p.email && !/@example\.(com|org)$/.test(p.email))).toEqual([]);
		expect(ps.filter((p) => p.address && !/^000\d\d$/.test(p.address.postalCode))).toEqual([]);
	});
});

describe('generateDemoClinic options', () => {
	it('rejects impossible dates, counts, fill ratios and time zones', () => {
		expect(() => generateDemoClinic({ seed: 1, today: '2026-02-30' })).toThrow(RangeError);
		expect(() => generateDemoClinic({ seed: 1, today: TODAY, patients: -1 })).toThrow(RangeError);
		expect(() => generateDemoClinic({ seed: 1, today: TODAY, providers: 1.5 })).toThrow(RangeError);
		expect(() => generateDemoClinic({ seed: 1, today: TODAY, fillRatio: 1.2 })).toThrow(RangeError);
		expect(() => generateDemoClinic({ seed: 1, today: TODAY, timeZone: 'Mars/Olympus' })).toThrow(RangeError);
	});

	it('copes with an empty clinic and with more providers than the colour palette', () => {
		expect(generateDemoClinic({ seed: 1, today: TODAY, patients: 0 }).appointments).toHaveLength(0);
		const big = generateDemoClinic({
			seed: 1,
			today: TODAY,
			providers: 12,
			rooms: 0,
			patients: 50,
			monthsAhead: 0
		});
		expect(new Set(big.providers.map((p) => p.color)).size).toBe(12);
		expect(big.providers.map((p) => providerSchema.parse(p))).toEqual(big.providers);
		expect(big.appointments.every((a) => a.roomId === undefined)).toBe(true);
	});
});
