import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appointmentsIn } from './collections';
import type { Appointment } from '../domain';

const ids = {
	appt: '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b',
	patient: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
	provider: '1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e',
	provider2: '2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f',
	type: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a'
};

function sample(): Appointment {
	return {
		id: ids.appt,
		createdAt: '2026-11-20T10:00:00.000Z',
		updatedAt: '2026-11-20T10:00:00.000Z',
		patientId: ids.patient,
		providerId: ids.provider,
		typeId: ids.type,
		start: '2026-12-01T15:00:00.000Z',
		end: '2026-12-01T15:20:00.000Z',
		status: 'booked',
		reason: 'Follow-up',
		notes: ''
	};
}

function exchange(a: Y.Doc, b: Y.Doc) {
	const ua = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
	const ub = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
	Y.applyUpdate(b, ua);
	Y.applyUpdate(a, ub);
}

describe('record codec', () => {
	it('keeps both changes when two replicas edit different fields of one appointment', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		appointmentsIn(a).insert(sample());
		exchange(a, b);

		appointmentsIn(a).update(ids.appt, {
			start: '2026-12-01T16:00:00.000Z',
			end: '2026-12-01T16:20:00.000Z'
		});
		appointmentsIn(b).update(ids.appt, { reason: 'Blood pressure check', providerId: ids.provider2 });
		exchange(a, b);

		for (const doc of [a, b]) {
			const r = appointmentsIn(doc).get(ids.appt);
			expect(r?.ok).toBe(true);
			if (!r?.ok) continue;
			expect(r.value.start).toBe('2026-12-01T16:00:00.000Z');
			expect(r.value.end).toBe('2026-12-01T16:20:00.000Z');
			expect(r.value.reason).toBe('Blood pressure check');
			expect(r.value.providerId).toBe(ids.provider2);
		}
		expect(Y.encodeStateAsUpdate(a)).toEqual(Y.encodeStateAsUpdate(b));
	});

	it('picks the same winner on every replica when both edit the same field', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		appointmentsIn(a).insert(sample());
		exchange(a, b);
		appointmentsIn(a).update(ids.appt, { reason: 'From A' });
		appointmentsIn(b).update(ids.appt, { reason: 'From B' });
		exchange(a, b);
		const ra = appointmentsIn(a).get(ids.appt);
		const rb = appointmentsIn(b).get(ids.appt);
		expect(ra?.ok && rb?.ok && ra.value.reason === rb.value.reason).toBe(true);
	});

	it('writes only the fields that changed', () => {
		const doc = new Y.Doc();
		appointmentsIn(doc).insert(sample());
		const changed: string[] = [];
		appointmentsIn(doc)
			.map.get(ids.appt)!
			.observe((e) => changed.push(...e.keysChanged));
		appointmentsIn(doc).update(ids.appt, { reason: 'New reason', notes: '' });
		expect(changed).toEqual(['reason']);
	});

	it('quarantines an invalid record and still reads the valid ones', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		col.insert(sample());
		const bad = new Y.Map<unknown>();
		const badId = '9e8d7c6b-5a49-4c3d-8e1f-0a9b8c7d6e5f';
		doc.transact(() => {
			col.map.set(badId, bad);
			bad.set('id', badId);
			bad.set('start', 'not a date');
			bad.set('reason', 'Secret reason with PHI');
		});
		col.map.set('not-a-map', 'oops' as unknown as Y.Map<unknown>);

		const { records, quarantined } = col.all();
		expect(records.map((r) => r.id)).toEqual([ids.appt]);
		expect(quarantined.map((q) => q.id).sort()).toEqual([badId, 'not-a-map'].sort());
		const report = JSON.stringify(quarantined);
		expect(report).toContain('start');
		expect(report).not.toContain('Secret reason');
	});

	it('refuses invalid input on insert and update without writing', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		expect(() => col.insert({ ...sample(), end: sample().start })).toThrow();
		expect(col.size).toBe(0);
		col.insert(sample());
		const before = Y.encodeStateAsUpdate(doc);
		expect(() => col.update(ids.appt, { status: 'cancelled' })).toThrow(/reason/);
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});

	it('clears a field set to undefined', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		col.insert({ ...sample(), roomId: ids.provider2 });
		col.update(ids.appt, { roomId: undefined });
		expect(col.raw(ids.appt)).not.toHaveProperty('roomId');
	});

	it('reports the ids of records changed locally and remotely', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		appointmentsIn(a).insert(sample());
		const seen: string[][] = [];
		const stop = appointmentsIn(b).observe((changed) => seen.push([...changed]));
		exchange(a, b);
		appointmentsIn(b).update(ids.appt, { reason: 'x' });
		stop();
		appointmentsIn(b).update(ids.appt, { reason: 'y' });
		expect(seen).toEqual([[ids.appt], [ids.appt]]);
	});

	it('marks who changed each field last, and concurrent edits of different fields keep both marks', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		appointmentsIn(a).insert(sample());
		exchange(a, b);
		appointmentsIn(a).update(ids.appt, { reason: 'Ankle pain' }, null, {
			by: 'user-a',
			at: '2026-11-28T10:00:00Z'
		});
		appointmentsIn(b).update(
			ids.appt,
			{ notes: 'Bring brace', updatedAt: '2026-11-28T10:01:00.000Z' },
			null,
			{
				by: 'user-b',
				at: '2026-11-28T10:01:00Z'
			}
		);
		exchange(a, b);
		for (const doc of [a, b]) {
			const marks = appointmentsIn(doc).lastChanges(ids.appt);
			expect(marks).toEqual({
				reason: { by: 'user-a', at: '2026-11-28T10:00:00Z' },
				notes: { by: 'user-b', at: '2026-11-28T10:01:00Z' }
			});
			// The marks never reach the record as the screens see it.
			const r = appointmentsIn(doc).get(ids.appt);
			expect(r?.ok && Object.keys(r.value).some((k) => k.startsWith('~'))).toBe(false);
		}
		// An update without a mark leaves the marks alone; an unchanged field is not re-marked.
		appointmentsIn(a).update(ids.appt, { reason: 'Ankle pain' }, null, {
			by: 'user-c',
			at: '2026-11-28T11:00:00Z'
		});
		appointmentsIn(a).update(ids.appt, { status: 'confirmed' });
		expect(appointmentsIn(a).lastChanges(ids.appt).reason?.by).toBe('user-a');
		expect(appointmentsIn(a).lastChanges(ids.appt).status).toBeUndefined();
	});
});
