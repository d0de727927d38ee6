import { describe, expect, it } from 'vitest';
import { Rng } from '../demo/rng';
import { zonedTimeToUtc } from '../common/time';
import { ConflictIndex, conflictId, detectConflicts, type Conflict, type ConflictRules } from './conflicts';
import type { Appointment, AppointmentStatus } from './schemas';

const TZ = 'America/Chicago';
const P1 = '10000000-0000-4000-8000-000000000001';
const P2 = '10000000-0000-4000-8000-000000000002';
const R1 = '20000000-0000-4000-8000-000000000001';
const R2 = '20000000-0000-4000-8000-000000000002';
const TYPE = '30000000-0000-4000-8000-000000000001';

let n = 0;
function appt(
	startHm: string,
	endHm: string,
	over: { providerId?: string; roomId?: string; status?: AppointmentStatus; date?: string; id?: string } = {}
): Appointment {
	n++;
	const date = over.date ?? '2026-03-10';
	const at = (hm: string) => {
		const [h, m] = hm.split(':').map(Number) as [number, number];
		return zonedTimeToUtc(date, h, m, TZ).toISOString();
	};
	return {
		id: over.id ?? `40000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		createdAt: '2026-01-01T00:00:00.000Z',
		updatedAt: '2026-01-01T00:00:00.000Z',
		patientId: '50000000-0000-4000-8000-000000000001',
		providerId: over.providerId ?? P1,
		...(over.roomId ? { roomId: over.roomId } : {}),
		typeId: TYPE,
		start: at(startHm),
		end: at(endHm),
		status: over.status ?? 'booked',
		reason: '',
		notes: ''
	};
}

describe('detectConflicts', () => {
	it('reports provider and room overlaps with the overlapping interval', () => {
		const a = appt('09:00', '09:30', { roomId: R1 });
		const b = appt('09:15', '09:45', { providerId: P2, roomId: R1 });
		const c = appt('09:20', '09:40', { roomId: R2 });
		const got = detectConflicts([a, b, c]);
		expect(got.map((x) => [x.kind, x.appointmentIds])).toEqual([
			['room-overlap', [a.id, b.id].sort()],
			['provider-overlap', [a.id, c.id].sort()]
		]);
		expect(got[0]!).toMatchObject({ resourceId: R1, start: b.start, end: a.end, resolved: false });
		expect(got[1]!.id).toBe(conflictId('provider-overlap', [c.id, a.id]));
	});

	it('does not count touching intervals, slot-free statuses or deleted records', () => {
		const a = appt('09:00', '09:30', { roomId: R1 });
		const b = appt('09:30', '10:00', { roomId: R1 });
		const cancelled = appt('09:00', '10:00', { status: 'cancelled' });
		const noShow = appt('09:00', '10:00', { status: 'no-show' });
		const rescheduled = appt('09:00', '10:00', { status: 'rescheduled' });
		const deleted = { ...appt('09:00', '10:00'), deletedAt: '2026-01-02T00:00:00.000Z' };
		expect(detectConflicts([a, b, cancelled, noShow, rescheduled, deleted])).toEqual([]);
		expect(detectConflicts([a, appt('09:00', '10:00', { status: 'arrived' })])).toHaveLength(1);
	});

	it('reports every pair of a three-way overlap', () => {
		const a = appt('09:00', '10:00');
		const b = appt('09:10', '09:20');
		const c = appt('09:50', '10:30');
		const d = appt('09:20', '09:50'); // overlaps a only (touches b and c)
		const got = detectConflicts([a, b, c, d]);
		expect(got.map((x) => x.appointmentIds.join('+')).sort()).toEqual(
			[
				[a.id, b.id],
				[a.id, c.id],
				[a.id, d.id]
			]
				.map((p) => p.sort().join('+'))
				.sort()
		);
		const triple = [appt('11:00', '12:00'), appt('11:00', '12:00'), appt('11:30', '11:45')];
		expect(detectConflicts(triple)).toHaveLength(3);
	});

	it('gives the same list, ids included, whatever the input order', () => {
		const rng = new Rng(7);
		const list: Appointment[] = [];
		for (let i = 0; i < 60; i++) {
			const h = rng.int(8, 16);
			const m = rng.pick([0, 15, 30, 45]);
			const len = rng.pick([15, 30, 45, 60]);
			const end = h * 60 + m + len;
			list.push(
				appt(`${h}:${m}`, `${Math.floor(end / 60)}:${end % 60}`, {
					providerId: rng.pick([P1, P2]),
					roomId: rng.pick([R1, R2]),
					status: rng.pick<AppointmentStatus>(['booked', 'confirmed', 'cancelled', 'arrived']),
					date: rng.pick(['2026-03-10', '2026-03-11'])
				})
			);
		}
		const expected = detectConflicts(list);
		expect(expected.length).toBeGreaterThan(10);
		for (let s = 0; s < 20; s++) {
			const shuffled = [...list];
			for (let i = shuffled.length - 1; i > 0; i--) {
				const j = rng.int(0, i);
				[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
			}
			expect(detectConflicts(shuffled)).toEqual(expected);
		}
	});

	it('marks acknowledged conflicts resolved, and only those', () => {
		const a = appt('09:00', '09:30');
		const b = appt('09:00', '09:30');
		const [first] = detectConflicts([a, b]);
		const c = appt('09:15', '09:45');
		const got = detectConflicts([a, b, c], { acknowledgements: [first!.id] });
		expect(got.filter((x) => x.resolved).map((x) => x.id)).toEqual([first!.id]);
		expect(got.filter((x) => !x.resolved)).toHaveLength(2);
	});

	it('checks hours, breaks and daily maximums when rules are given', () => {
		const day = (date: string) => ({
			hours: [
				{
					start: zonedTimeToUtc(date, 8, 0, TZ).toISOString(),
					end: zonedTimeToUtc(date, 12, 0, TZ).toISOString()
				},
				{
					start: zonedTimeToUtc(date, 13, 0, TZ).toISOString(),
					end: zonedTimeToUtc(date, 17, 0, TZ).toISOString()
				}
			],
			breaks: [
				{
					start: zonedTimeToUtc(date, 10, 0, TZ).toISOString(),
					end: zonedTimeToUtc(date, 10, 15, TZ).toISOString()
				}
			]
		});
		const rules: ConflictRules = {
			timeZone: TZ,
			day: (providerId, date) => (providerId === P1 ? day(date) : undefined),
			maxPerDay: (typeId) => (typeId === TYPE ? 3 : undefined)
		};
		const ok = appt('08:00', '08:30');
		const lunch = appt('11:45', '12:15');
		const late = appt('16:30', '17:30');
		const coffee = appt('09:50', '10:05');
		const p2 = appt('06:00', '06:30', { providerId: P2 });
		const got = detectConflicts([ok, lunch, late, coffee, p2], { rules });
		expect(got.map((x) => [x.kind, x.appointmentIds.length])).toEqual([
			['max-per-day', 4],
			['over-break', 1],
			['outside-hours', 1],
			['outside-hours', 1]
		]);
		expect(got.find((x) => x.kind === 'over-break')!.appointmentIds).toEqual([coffee.id]);
		expect(
			got
				.filter((x) => x.kind === 'outside-hours')
				.flatMap((x) => x.appointmentIds)
				.sort()
		).toEqual([lunch.id, late.id].sort());
		expect(detectConflicts([ok, coffee], { rules })).toHaveLength(1);
	});
});

describe('ConflictIndex (remembers its work between calls)', () => {
	const DATES = ['2026-03-07', '2026-03-08', '2026-03-09']; // across the spring-forward change
	const rules: ConflictRules = {
		timeZone: TZ,
		day: (providerId, date) =>
			providerId === P1
				? {
						hours: [
							{
								start: zonedTimeToUtc(date, 8, 0, TZ).toISOString(),
								end: zonedTimeToUtc(date, 17, 0, TZ).toISOString()
							}
						],
						breaks: [
							{
								start: zonedTimeToUtc(date, 12, 0, TZ).toISOString(),
								end: zonedTimeToUtc(date, 13, 0, TZ).toISOString()
							}
						]
					}
				: undefined,
		maxPerDay: () => 4
	};

	/** A random booking; some run over midnight into the next day. */
	function random(rng: Rng, id?: string): Appointment {
		const date = rng.pick(DATES);
		const overnight = rng.int(0, 9) === 0;
		// Early-morning bookings meet the ones running over midnight from the day before.
		const startMin = overnight
			? rng.int(22 * 60, 23 * 60 + 30)
			: rng.int(0, 3) === 0
				? rng.int(0, 150)
				: rng.int(7 * 60, 18 * 60);
		const len = overnight ? rng.int(60, 180) : rng.pick([10, 15, 20, 30, 45, 60]);
		const start = zonedTimeToUtc(date, Math.floor(startMin / 60), startMin % 60, TZ);
		return {
			...appt('09:00', '09:30', {
				providerId: rng.pick([P1, P2]),
				status: rng.pick<AppointmentStatus>(['booked', 'confirmed', 'arrived', 'cancelled']),
				...(rng.int(0, 2) ? { roomId: rng.pick([R1, R2]) } : {}),
				...(id ? { id } : {})
			}),
			start: start.toISOString(),
			end: new Date(start.getTime() + len * 60_000).toISOString()
		};
	}

	/** Every overlapping pair by brute force: what the buckets must add up to. */
	function pairs(list: readonly Appointment[]): string[] {
		const live = list.filter((a) => !a.deletedAt && a.status !== 'cancelled');
		const out: string[] = [];
		for (let i = 0; i < live.length; i++)
			for (let j = i + 1; j < live.length; j++) {
				const [x, y] = [live[i]!, live[j]!];
				const overlap = x.start < y.end && y.start < x.end;
				if (overlap && x.providerId === y.providerId) out.push(conflictId('provider-overlap', [x.id, y.id]));
				if (overlap && x.roomId && x.roomId === y.roomId) out.push(conflictId('room-overlap', [x.id, y.id]));
			}
		return out.sort();
	}
	const overlapIds = (cs: Conflict[]) =>
		cs
			.filter((c) => c.kind.endsWith('overlap'))
			.map((c) => c.id)
			.sort();

	it('after every random edit, gives what a fresh detection gives, and overlaps match brute force', () => {
		for (const withRules of [false, true]) {
			const rng = new Rng(withRules ? 11 : 12);
			const ctx = withRules ? { rules } : {};
			const index = new ConflictIndex();
			let list: Appointment[] = Array.from({ length: 40 }, () => random(rng));
			let acks: string[] = [];
			for (let step = 0; step < 150; step++) {
				const i = rng.int(0, list.length - 1);
				const op = rng.int(0, 5);
				if (op === 0) list.push(random(rng));
				else if (op === 1) list.splice(i, 1);
				else if (op === 2)
					list[i] = random(rng, list[i]!.id); // moved: a new object, same id
				else if (op === 3) list[i] = { ...list[i]!, status: rng.pick(['cancelled', 'booked']) };
				else if (op === 4 && list.length) list = [...list].reverse(); // order must not matter
				const got = index.detect(list, { ...ctx, acknowledgements: acks });
				expect(got).toEqual(detectConflicts(list, { ...ctx, acknowledgements: acks }));
				expect(overlapIds(got)).toEqual(pairs(list));
				if (got.length && rng.int(0, 4) === 0) acks = [got[rng.int(0, got.length - 1)]!.id];
			}
		}
	});

	it('given only the changed records (update), gives what a fresh detection gives after every batch', () => {
		for (const withRules of [false, true]) {
			const rng = new Rng(withRules ? 21 : 22);
			const ctx = withRules ? { rules } : {};
			const index = new ConflictIndex();
			const list = new Map<string, Appointment>();
			for (let i = 0; i < 40; i++) {
				const a = random(rng);
				list.set(a.id, a);
			}
			let acks: string[] = [];
			index.detect([...list.values()], { ...ctx, acknowledgements: acks });
			for (let step = 0; step < 150; step++) {
				// What one or more transactions touched before a recomputation.
				const changes = new Map<string, Appointment | undefined>();
				for (let k = rng.int(1, 3); k > 0; k--) {
					const ids = [...list.keys()];
					const id = ids[rng.int(0, ids.length - 1)]!;
					const op = rng.int(0, 4);
					let next: Appointment | undefined;
					if (op === 0 || !ids.length) next = random(rng);
					else if (op === 1)
						next = undefined; // deleted, or out of the window
					else if (op === 2) next = random(rng, id);
					else if (op === 3) next = { ...list.get(id)!, status: rng.pick(['cancelled', 'booked']) };
					else next = list.get(id); // touched, but the same record (a field that does not matter)
					const key = next?.id ?? id;
					if (next) list.set(key, next);
					else list.delete(key);
					changes.set(key, next);
				}
				const got = index.update(changes, { ...ctx, acknowledgements: acks });
				expect(got).toEqual(detectConflicts([...list.values()], { ...ctx, acknowledgements: acks }));
				expect(overlapIds(got)).toEqual(pairs([...list.values()]));
				if (got.length && rng.int(0, 4) === 0) acks = [got[rng.int(0, got.length - 1)]!.id];
			}
		}
	});

	it('update keeps the same array when a change leaves the conflicts as they were, and needs a detect first', () => {
		const index = new ConflictIndex();
		expect(index.canUpdate(undefined)).toBe(false);
		expect(() => index.update(new Map())).toThrow();
		const a = appt('09:00', '09:30');
		const b = appt('09:15', '09:45');
		const c = appt('11:00', '11:30');
		const first = index.detect([a, b, c]);
		expect(first).toHaveLength(1);
		// `c` moves within its free hour: its bucket is checked again, the list stays the same array.
		const later = { ...c, start: appt('11:10', '11:40').start, end: appt('11:10', '11:40').end };
		expect(index.update(new Map([[c.id, later]]))).toBe(first);
		const third = index.update(new Map([[later.id, { ...later, start: a.start }]]));
		expect(third).toHaveLength(3);
		expect(third).toContain(first[0]);
		expect(index.update(new Map([[b.id, undefined]]))).toHaveLength(1);
		expect(index.canUpdate({ timeZone: TZ, day: () => undefined })).toBe(false);
	});

	it('returns the same array when nothing changed, and keeps unchanged conflicts as the same objects', () => {
		const index = new ConflictIndex();
		const a = appt('09:00', '09:30');
		const b = appt('09:15', '09:45');
		const c = appt('10:00', '10:30', { providerId: P2 });
		const d = appt('10:15', '10:45', { providerId: P2 });
		const first = index.detect([a, b, c, d]);
		expect(first).toHaveLength(2);
		expect(index.detect([a, b, c, d])).toBe(first);
		const moved = { ...d, start: c.end, end: appt('10:30', '11:00').end };
		const second = index.detect([a, b, c, moved]);
		expect(second).toHaveLength(1);
		expect(second[0]).toBe(first[0]);
		const acked = index.detect([a, b, c, moved], { acknowledgements: [first[0]!.id] });
		expect(acked[0]).toMatchObject({ id: first[0]!.id, resolved: true });
	});

	it('keeps one copy of an id given twice (months concatenated), the last live one', () => {
		const a = appt('09:00', '09:30');
		const b = appt('09:15', '09:45');
		const movedA = { ...a, start: b.end, end: appt('10:00', '10:30').end };
		const index = new ConflictIndex();
		expect(index.detect([a, b, movedA])).toEqual([]);
		expect(index.detect([a, b, { ...movedA, status: 'cancelled' as const }])).toHaveLength(1);
		expect(detectConflicts([a, b, movedA])).toEqual([]);
	});
});
