/**
 * The `overlay` layout (appointments): a nested Y.Map per record whose `~base` holds the record as
 * inserted, one compact JSON string, with later edits as `[value, updatedAt]` fields beside it.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appointmentsIn } from './collections';
import { RecordCollection } from './codec';
import { appointment, type Appointment } from '../domain';

const ID = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';
const ID2 = '8b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const ROOM = '5d2c8e17-9a4b-4c3d-8e2f-3a4b5c6d7e8f';
const ROOM2 = '7a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const T1 = '2026-11-21T10:00:00.000Z';
const T2 = '2026-11-22T10:00:00.000Z';
const T3 = '2026-11-23T10:00:00.000Z';

function sample(over: Partial<Appointment> = {}): Appointment {
	return {
		id: ID,
		createdAt: '2026-11-20T10:00:00.000Z',
		updatedAt: '2026-11-20T10:00:00.000Z',
		patientId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
		providerId: '1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e',
		roomId: ROOM,
		typeId: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a',
		start: '2026-12-01T15:00:00.000Z',
		end: '2026-12-01T15:20:00.000Z',
		status: 'booked',
		reason: 'Follow-up',
		notes: '',
		...over
	};
}

/** The layout appointments had before `overlay`: one map entry per field. */
const nestedIn = (doc: Y.Doc) => new RecordCollection(doc, 'appointments', appointment);

function exchange(a: Y.Doc, b: Y.Doc) {
	const ua = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
	const ub = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
	Y.applyUpdate(b, ua);
	Y.applyUpdate(a, ub);
}

/** Yjs items written by the doc's own client (its clock). */
const items = (doc: Y.Doc) => Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0;

function entries(doc: Y.Doc): Record<string, unknown> {
	return (appointmentsIn(doc).map.get(ID) as Y.Map<unknown>).toJSON() as Record<string, unknown>;
}

describe('record codec, overlay layout (appointments)', () => {
	it('stores a booking as its map and one base string (2 items), and reads it back whole', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		expect(col.layout).toBe('overlay');
		const written = col.insert(sample());
		// The map and its base, plus the document's reader-format mark (the first record only).
		expect(items(doc)).toBe(3);
		expect(Object.keys(entries(doc))).toEqual(['~base']);
		const base = JSON.parse(entries(doc)['~base'] as string) as Record<string, unknown>;
		expect(base).not.toHaveProperty('id');
		expect(base).not.toHaveProperty('updatedAt');
		expect(col.get(ID)).toEqual({ ok: true, value: written });
		expect(col.all()).toEqual({ records: [written], quarantined: [] });
		expect(col.raw(ID)).toEqual(written);
		col.insert(sample({ id: ID2 }));
		expect(items(doc)).toBe(5);
		// The plain nested layout writes a map entry per field.
		const old = new Y.Doc();
		nestedIn(old).insert(sample());
		expect(items(old)).toBe(13);
	});

	it('writes an edit as the changed fields with its time beside the base, and no updatedAt entry', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		col.insert(sample());
		const before = items(doc);
		const patched = col.patch(ID, {
			start: '2026-12-01T16:00:00.000Z',
			end: '2026-12-01T16:20:00.000Z',
			notes: '',
			updatedAt: T1
		});
		expect(patched.changed.sort()).toEqual(['end', 'start']);
		expect(items(doc) - before).toBe(2);
		expect(entries(doc)).toEqual({
			'~base': expect.any(String),
			start: ['2026-12-01T16:00:00.000Z', T1],
			end: ['2026-12-01T16:20:00.000Z', T1]
		});
		// Read back as written: updatedAt is the edit's time.
		expect(patched.value.updatedAt).toBe(T1);
		expect(col.get(ID)).toEqual({ ok: true, value: patched.value });
		expect(patched.value).toMatchObject({ start: '2026-12-01T16:00:00.000Z', reason: 'Follow-up' });
	});

	it('reads updatedAt as the latest edit’s, always moving forward; a write of updatedAt alone stamps it', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		col.insert(sample());
		col.update(ID, { notes: 'First', updatedAt: T2 });
		// An edit from a clock behind the record's last change: just past it, so it still changes.
		const justAfterT2 = '2026-11-22T10:00:00.001Z';
		const earlier = col.patch(ID, { reason: 'Earlier clock', updatedAt: T1 });
		expect(earlier.value.updatedAt).toBe(justAfterT2);
		expect(entries(doc).reason).toEqual(['Earlier clock', justAfterT2]);
		expect(col.get(ID)).toEqual({ ok: true, value: earlier.value });
		// An edit that does not set updatedAt leaves it.
		expect(col.patch(ID, { notes: 'Second' }).value.updatedAt).toBe(justAfterT2);
		expect(col.raw(ID)?.updatedAt).toBe(justAfterT2);
		// Only updatedAt changes: it is the one entry written.
		const before = items(doc);
		const touched = col.patch(ID, { updatedAt: T3 });
		expect(touched.changed).toEqual([]);
		expect(items(doc) - before).toBe(1);
		expect(entries(doc).updatedAt).toEqual([T3, T3]);
		expect(col.get(ID)).toEqual({ ok: true, value: touched.value });
		expect(touched.value.updatedAt).toBe(T3);
		// …and an older touch moves it just past.
		expect(col.update(ID, { updatedAt: T1 }).updatedAt).toBe('2026-11-23T10:00:00.001Z');
		expect(col.raw(ID)?.updatedAt).toBe('2026-11-23T10:00:00.001Z');
	});

	it('clears a field with null over the base, also a field set after the insert', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		col.insert(sample());
		col.update(ID, { roomId: undefined, updatedAt: T1 });
		expect(entries(doc).roomId).toEqual([null, T1]);
		expect(col.raw(ID)).not.toHaveProperty('roomId');
		expect(col.get(ID)?.ok).toBe(true);
		col.update(ID, { roomId: ROOM2 });
		expect(col.raw(ID)?.roomId).toBe(ROOM2);
		col.update(ID, { roomId: undefined });
		expect(col.raw(ID)).not.toHaveProperty('roomId');
		col.update(ID, { arrivedAt: '2026-12-01T14:55:00.000Z', status: 'arrived' });
		col.update(ID, { status: 'booked', arrivedAt: undefined, updatedAt: T2 });
		expect(entries(doc).arrivedAt).toEqual([null, T2]);
		expect(col.raw(ID)).not.toHaveProperty('arrivedAt');
		expect(col.raw(ID)?.updatedAt).toBe(T2);
	});

	it('reads a plain value beside the base as that field (a hand-made or foreign write)', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		col.insert(sample());
		(col.map.get(ID) as Y.Map<unknown>).set('notes', 'Plain');
		expect(col.raw(ID)?.notes).toBe('Plain');
		// Stamps in other ISO forms compare by time, not as text.
		const ymap = col.map.get(ID) as Y.Map<unknown>;
		ymap.set('reason', ['Earlier', '2026-11-20T11:00:00+02:00']);
		expect(col.raw(ID)?.updatedAt).toBe(sample().updatedAt);
		ymap.set('reason', ['Later', '2026-11-20T10:30:00Z']);
		expect(col.raw(ID)).toMatchObject({ reason: 'Later', updatedAt: '2026-11-20T10:30:00Z' });
		(col.map.get(ID) as Y.Map<unknown>).set('status', 'teleported');
		const r = col.get(ID);
		expect(r?.ok === false && r.quarantined.issues.map((i) => i.path)).toEqual(['status']);
	});

	it('merges concurrent edits field by field, also a clear against a set, the same on both replicas', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		appointmentsIn(a).insert(sample());
		exchange(a, b);
		appointmentsIn(a).update(ID, { roomId: undefined, notes: 'From A', updatedAt: T2 });
		appointmentsIn(b).update(ID, { roomId: ROOM2, reason: 'From B', updatedAt: T1 });
		exchange(a, b);
		const ra = appointmentsIn(a).raw(ID);
		// updatedAt: the later of the two edits, whichever roomId won.
		expect(ra).toMatchObject({ notes: 'From A', reason: 'From B', updatedAt: T2 });
		expect([undefined, ROOM2]).toContain(ra?.roomId);
		expect(appointmentsIn(b).raw(ID)).toEqual(ra);
		expect(Y.encodeStateAsUpdate(a)).toEqual(Y.encodeStateAsUpdate(b));
	});

	it('reads and edits records written field by field before, and a nested collection reads overlay records', () => {
		const doc = new Y.Doc();
		const older = nestedIn(doc).insert(sample());
		const col = appointmentsIn(doc);
		expect(col.get(ID)).toEqual({ ok: true, value: older });
		col.update(ID, { roomId: undefined, notes: 'Edited' });
		expect(entries(doc)).not.toHaveProperty('roomId');
		expect(entries(doc)).not.toHaveProperty('~base');
		expect(col.raw(ID)).toMatchObject({ notes: 'Edited', reason: 'Follow-up' });

		const other = new Y.Doc();
		const fresh = appointmentsIn(other).insert(sample({ notes: 'New' }));
		appointmentsIn(other).update(ID, { reason: 'Changed' });
		expect(nestedIn(other).get(ID)).toEqual({ ok: true, value: { ...fresh, reason: 'Changed' } });
	});

	it('quarantines a map whose base is not a JSON object string, without its text', () => {
		const doc = new Y.Doc();
		const col = appointmentsIn(doc);
		col.insert(sample());
		for (const bad of ['Secret PHI note {', '["Secret PHI note"]', 42]) {
			(col.map.get(ID) as Y.Map<unknown>).set('~base', bad);
			const r = col.get(ID);
			expect(r?.ok).toBe(false);
			if (r?.ok === false)
				expect(r.quarantined.issues).toEqual([
					{ path: '~base', message: 'Record base is not a JSON object string' }
				]);
			expect(JSON.stringify(col.all().quarantined)).not.toMatch(/Secret|PHI/);
		}
	});
});
