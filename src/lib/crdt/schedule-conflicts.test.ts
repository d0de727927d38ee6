/**
 * Property: concurrent offline bookings on 2–5 workstations, merged in any order, leave every
 * workstation with the same appointments (none lost) and the same conflict list, and that list holds
 * every overlapping pair of slot-holding bookings of one provider or one room.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Rng } from '../domain/demo/rng';
import { detectConflicts } from '../domain/schedule/conflicts';
import { occupiesSlot, overlaps, type Appointment } from '../domain/schedule/schemas';
import { appointmentsIn } from './collections';

const PROVIDERS = ['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002'];
const ROOMS = ['20000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002'];
const TYPE = '30000000-0000-4000-8000-000000000001';
const PATIENT = '50000000-0000-4000-8000-000000000001';
const NOW = '2026-03-01T00:00:00.000Z';

function shuffle<T>(rng: Rng, items: T[]): T[] {
	for (let i = items.length - 1; i > 0; i--) {
		const j = rng.int(0, i);
		[items[i], items[j]] = [items[j]!, items[i]!];
	}
	return items;
}

function run(seed: number): number {
	const rng = new Rng(seed);
	const replicas = Array.from({ length: rng.int(2, 5) }, (_, i) => {
		const doc = new Y.Doc();
		doc.clientID = seed * 10 + i + 1;
		return doc;
	});
	const booked: string[] = [];
	for (const doc of replicas) {
		const appts = appointmentsIn(doc);
		const mine: string[] = [];
		for (let k = rng.int(1, 8); k > 0; k--) {
			// Slots on two days of one schedule month, on a 15-minute grid (so touching ends happen).
			const startMin = rng.int(8 * 4, 16 * 4) * 15;
			const day = rng.pick(['2026-03-10', '2026-03-11']);
			const start = new Date(Date.parse(`${day}T00:00:00.000Z`) + startMin * 60000);
			const end = new Date(start.getTime() + rng.pick([15, 30, 45, 60]) * 60000);
			const a = appts.insert({
				id: rng.uuid(),
				createdAt: NOW,
				updatedAt: NOW,
				patientId: PATIENT,
				providerId: rng.pick(PROVIDERS),
				...(rng.chance(0.8) ? { roomId: rng.pick(ROOMS) } : {}),
				typeId: TYPE,
				start: start.toISOString(),
				end: end.toISOString(),
				status: rng.pick(['booked', 'confirmed'] as const)
			});
			mine.push(a.id);
		}
		// Some workstations cancel or no-show one of their own bookings before syncing.
		if (rng.chance(0.3))
			appts.update(rng.pick(mine), { status: 'cancelled', cancelReason: 'Called to cancel' });
		if (rng.chance(0.2)) appts.update(rng.pick(mine), { status: 'no-show' });
		booked.push(...mine);
	}

	const updates = replicas.map((doc) => Y.encodeStateAsUpdate(doc));
	replicas.forEach((doc, i) => {
		const others = shuffle(
			rng,
			updates.filter((_, j) => j !== i)
		);
		for (const u of others) Y.applyUpdate(doc, u);
	});

	const states = replicas.map((doc) => {
		const { records, quarantined } = appointmentsIn(doc).all();
		expect(quarantined).toEqual([]);
		return records.sort((a, b) => (a.id < b.id ? -1 : 1));
	});
	const reference = states[0]!;
	expect(reference.map((a) => a.id)).toEqual([...booked].sort());
	for (const s of states) expect(s).toEqual(reference);

	const conflicts = states.map((records) => detectConflicts(shuffle(rng, [...records])));
	for (const c of conflicts) expect(c).toEqual(conflicts[0]);

	const pairs = new Set(conflicts[0]!.map((c) => `${c.kind}:${c.appointmentIds.join('+')}`));
	const live = reference.filter((a: Appointment) => occupiesSlot(a.status));
	let expected = 0;
	for (let i = 0; i < live.length; i++)
		for (let j = i + 1; j < live.length; j++) {
			const [a, b] = [live[i]!, live[j]!];
			if (!overlaps(a, b)) continue;
			const ids = [a.id, b.id].sort().join('+');
			if (a.providerId === b.providerId) {
				expected++;
				expect(pairs.has(`provider-overlap:${ids}`)).toBe(true);
			}
			if (a.roomId !== undefined && a.roomId === b.roomId) {
				expected++;
				expect(pairs.has(`room-overlap:${ids}`)).toBe(true);
			}
		}
	// And nothing beyond those pairs.
	expect(conflicts[0]!.length).toBe(expected);
	return expected;
}

describe('concurrent offline bookings (property)', () => {
	it('converge, lose nothing and report the same conflicts on every replica (200 seeds)', () => {
		let found = 0;
		for (let seed = 1; seed <= 200; seed++) {
			try {
				found += run(seed);
			} catch (e) {
				throw new Error(`seed ${seed}: ${(e as Error).message}`, { cause: e });
			}
		}
		// The generator must actually produce double-bookings for the property to mean anything.
		expect(found).toBeGreaterThan(200);
	});
});
