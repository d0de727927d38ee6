import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appointmentEventsIn, appointmentsIn } from './collections';
import { RecordCollection } from './codec';
import type { Appointment } from '../domain';
import { appointmentEvent, type AppointmentEvent } from '../domain/schedule/records';

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
		(appointmentsIn(doc).map.get(ids.appt) as Y.Map<unknown>).observe((e) => changed.push(...e.keysChanged));
		const patched = appointmentsIn(doc).patch(ids.appt, {
			reason: 'New reason',
			notes: '',
			updatedAt: '2026-11-21T10:00:00.000Z'
		});
		// `updatedAt` rides in the field's entry (`[value, updatedAt]`, the overlay layout).
		expect(changed.sort()).toEqual(['reason']);
		expect(patched.changed).toEqual(['reason']);
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
		col.map.set('not-a-map', 'oops');

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

const EVENT_IDS = {
	a: '4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b',
	b: '5f6a7b8c-9d0e-4f1a-9b2c-3d4e5f6a7b8c',
	c: '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d'
};

function event(id: string, over: Partial<AppointmentEvent> = {}): AppointmentEvent {
	return {
		id,
		createdAt: '2026-11-20T10:00:00.000Z',
		updatedAt: '2026-11-20T10:00:00.000Z',
		appointmentId: ids.appt,
		kind: 'edited',
		by: 'user-a',
		fields: ['notes', 'roomId'],
		...over
	};
}

/** The history events' collection as it was before the json layout: a nested map per event. */
const nestedEventsIn = (doc: Y.Doc) => new RecordCollection(doc, 'appointmentEvents', appointmentEvent);
/** …and before the json-string layout: one JSON object per event. */
const jsonEventsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'appointmentEvents', appointmentEvent, { layout: 'json' });

describe('record codec, json layout (append-only records)', () => {
	it('stores each record as one plain JSON value and reads it back', () => {
		const doc = new Y.Doc();
		const events = jsonEventsIn(doc);
		expect(events.layout).toBe('json');
		const written = events.insert(event(EVENT_IDS.a));
		const stored = events.map.get(EVENT_IDS.a);
		expect(stored).not.toBeInstanceOf(Y.Map);
		expect(stored).toEqual(written);
		expect(events.get(EVENT_IDS.a)).toEqual({ ok: true, value: written });
		expect(events.all()).toEqual({ records: [written], quarantined: [] });
		// The result is a copy: changing it leaves the document alone.
		const r = events.get(EVENT_IDS.a);
		if (r?.ok) r.value.fields!.push('start');
		expect(events.raw(EVENT_IDS.a)?.fields).toEqual(['notes', 'roomId']);
		// One Yjs item for the record (a nested map takes one per field, plus the map).
		expect([...Y.decodeStateVector(Y.encodeStateVector(doc)).values()]).toEqual([1]);
	});

	it('reads records written as nested maps beside JSON values, in both layouts', () => {
		const doc = new Y.Doc();
		const old = nestedEventsIn(doc).insert(event(EVENT_IDS.a, { kind: 'moved', fields: undefined }));
		expect(jsonEventsIn(doc).map.get(EVENT_IDS.a)).toBeInstanceOf(Y.Map);
		const fresh = jsonEventsIn(doc).insert(event(EVENT_IDS.b));
		for (const col of [jsonEventsIn(doc), nestedEventsIn(doc)]) {
			const { records, quarantined } = col.all();
			expect(quarantined).toEqual([]);
			expect(records.sort((x, y) => x.id.localeCompare(y.id))).toEqual([old, fresh]);
			expect(col.get(EVENT_IDS.a)).toEqual({ ok: true, value: old });
		}
	});

	it('quarantines a corrupt value without throwing, and keeps reading the rest', () => {
		const doc = new Y.Doc();
		const events = jsonEventsIn(doc);
		events.insert(event(EVENT_IDS.a));
		doc.transact(() => {
			events.map.set(EVENT_IDS.b, { ...event(EVENT_IDS.b), kind: 'exploded', by: 'Secret PHI note' });
			events.map.set(EVENT_IDS.c, event(EVENT_IDS.a)); // key and id differ
			events.map.set('a-string', 'oops');
			events.map.set('an-array', [1, 2]);
			events.map.set('null', null);
			events.map.set('bytes', new Uint8Array([1, 2]));
		});
		const { records, quarantined } = events.all();
		expect(records.map((r) => r.id)).toEqual([EVENT_IDS.a]);
		expect(quarantined.map((q) => q.id).sort()).toEqual(
			[EVENT_IDS.b, EVENT_IDS.c, 'a-string', 'an-array', 'null', 'bytes'].sort()
		);
		expect(JSON.stringify(quarantined)).toContain('kind');
		expect(JSON.stringify(quarantined)).not.toContain('Secret');
		expect(events.get('bytes')?.ok).toBe(false);
		expect(() => events.update('a-string', { by: 'user-b' })).toThrow(/No record/);
	});

	it('keeps both records when two replicas insert concurrently, and reports them to observers', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		jsonEventsIn(a).insert(event(EVENT_IDS.a));
		exchange(a, b);
		const seen: string[][] = [];
		const stop = jsonEventsIn(a).observe((changed) => seen.push([...changed]));
		jsonEventsIn(a).insert(event(EVENT_IDS.b, { by: 'user-a' }));
		jsonEventsIn(b).insert(event(EVENT_IDS.c, { by: 'user-b', kind: 'status', status: 'arrived' }));
		exchange(a, b);
		stop();
		for (const doc of [a, b]) {
			const ids = jsonEventsIn(doc)
				.all()
				.records.map((r) => r.id)
				.sort();
			expect(ids).toEqual([EVENT_IDS.a, EVENT_IDS.b, EVENT_IDS.c].sort());
		}
		expect(Y.encodeStateAsUpdate(a)).toEqual(Y.encodeStateAsUpdate(b));
		expect(seen).toEqual([[EVENT_IDS.b], [EVENT_IDS.c]]);
	});

	it('replaces the whole value on update (no per-field merge, no marks), also for an old nested record', () => {
		const doc = new Y.Doc();
		nestedEventsIn(doc).insert(event(EVENT_IDS.a, { reason: 'Weather' }));
		const events = jsonEventsIn(doc);
		const patched = events.patch(
			EVENT_IDS.a,
			{ reason: undefined, deletedAt: '2026-11-21T10:00:00.000Z' },
			null,
			{
				by: 'user-b',
				at: '2026-11-21T10:00:00.000Z'
			}
		);
		expect(patched.changed.sort()).toEqual(['deletedAt', 'reason']);
		expect(events.map.get(EVENT_IDS.a)).not.toBeInstanceOf(Y.Map);
		expect(events.raw(EVENT_IDS.a)).not.toHaveProperty('reason');
		expect(events.lastChanges(EVENT_IDS.a)).toEqual({});
		expect(events.get(EVENT_IDS.a)).toEqual({ ok: true, value: patched.value });
		// An update that changes nothing writes nothing.
		const before = Y.encodeStateAsUpdate(doc);
		events.update(EVENT_IDS.a, { by: 'user-a' });
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
		expect(() => events.update(EVENT_IDS.a, { kind: 'nope' as 'edited' })).toThrow();
	});
});

describe('record codec, json-string layout (history events)', () => {
	it('stores each record as one compact JSON string, without its id or an updatedAt equal to createdAt', () => {
		const doc = new Y.Doc();
		const events = appointmentEventsIn(doc);
		expect(events.layout).toBe('json-string');
		const written = events.insert(event(EVENT_IDS.a));
		const stored = events.map.get(EVENT_IDS.a);
		expect(typeof stored).toBe('string');
		const inside = JSON.parse(stored as string) as Record<string, unknown>;
		expect(inside).not.toHaveProperty('id');
		expect(inside).not.toHaveProperty('updatedAt');
		expect({ ...inside, id: EVENT_IDS.a, updatedAt: written.createdAt }).toEqual(written);
		// Read back whole: the id from the key, updatedAt from createdAt.
		expect(events.get(EVENT_IDS.a)).toEqual({ ok: true, value: written });
		expect(events.all()).toEqual({ records: [written], quarantined: [] });
		expect(events.raw(EVENT_IDS.a)).toEqual(written);
		// One Yjs item for the record, plus the document's reader-format mark (the first record only).
		expect([...Y.decodeStateVector(Y.encodeStateVector(doc)).values()]).toEqual([2]);
		// An updatedAt that differs is kept.
		const later = events.insert(event(EVENT_IDS.b, { updatedAt: '2026-11-21T10:00:00.000Z' }));
		expect(JSON.parse(events.map.get(EVENT_IDS.b) as string)).toHaveProperty(
			'updatedAt',
			'2026-11-21T10:00:00.000Z'
		);
		expect(events.get(EVENT_IDS.b)).toEqual({ ok: true, value: later });
		expect([...Y.decodeStateVector(Y.encodeStateVector(doc)).values()]).toEqual([3]);
	});

	it('reads nested maps, JSON objects and JSON strings side by side, in every layout', () => {
		const doc = new Y.Doc();
		const nested = nestedEventsIn(doc).insert(event(EVENT_IDS.a, { kind: 'moved', fields: undefined }));
		const object = jsonEventsIn(doc).insert(event(EVENT_IDS.b, { kind: 'status', status: 'arrived' }));
		const string = appointmentEventsIn(doc).insert(event(EVENT_IDS.c));
		expect(appointmentEventsIn(doc).map.get(EVENT_IDS.a)).toBeInstanceOf(Y.Map);
		expect(typeof appointmentEventsIn(doc).map.get(EVENT_IDS.b)).toBe('object');
		expect(typeof appointmentEventsIn(doc).map.get(EVENT_IDS.c)).toBe('string');
		for (const col of [appointmentEventsIn(doc), jsonEventsIn(doc), nestedEventsIn(doc)]) {
			const { records, quarantined } = col.all();
			expect(quarantined).toEqual([]);
			expect(records.sort((x, y) => x.id.localeCompare(y.id))).toEqual([nested, object, string]);
			expect(col.get(EVENT_IDS.c)).toEqual({ ok: true, value: string });
		}
	});

	it('quarantines a malformed string without its text in the issues, and keeps reading the rest', () => {
		const NO_DATES = '7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e';
		const doc = new Y.Doc();
		const events = appointmentEventsIn(doc);
		const good = events.insert(event(EVENT_IDS.a));
		const { id: _id, ...withoutId } = event(EVENT_IDS.b);
		const bad: Record<string, string> = {
			[EVENT_IDS.b]: JSON.stringify({ ...withoutId, kind: 'exploded', by: 'Secret PHI note'.repeat(9) }),
			[EVENT_IDS.c]: JSON.stringify(event(EVENT_IDS.a)), // an id inside that is not the key
			'not-json': 'Secret PHI note, not JSON {',
			truncated: (events.map.get(EVENT_IDS.a) as string).slice(0, 40),
			array: '["Secret PHI note"]',
			string: '"Secret PHI note"',
			null: 'null',
			empty: '',
			[NO_DATES]: JSON.stringify({ appointmentId: ids.appt, kind: 'edited', by: 'user-a' })
		};
		doc.transact(() => {
			for (const [k, v] of Object.entries(bad)) events.map.set(k, v);
		});
		const { records, quarantined } = events.all();
		expect(records).toEqual([good]);
		expect(quarantined.map((q) => q.id).sort()).toEqual(Object.keys(bad).sort());
		const byId = new Map(quarantined.map((q) => [q.id, q.issues.map((i) => i.path)]));
		expect(byId.get(EVENT_IDS.b)).toEqual(['kind', 'by']);
		expect(byId.get(EVENT_IDS.c)).toEqual(['id']);
		expect(byId.get('not-json')).toEqual(['']);
		expect(byId.get(NO_DATES)?.sort()).toEqual(['createdAt', 'updatedAt']);
		expect(JSON.stringify(quarantined)).not.toMatch(/Secret|PHI/);
		expect(events.get('not-json')?.ok).toBe(false);
		expect(events.raw('not-json')).toBeUndefined();
		expect(() => events.update('not-json', { by: 'user-b' })).toThrow(/No record/);
	});

	it('keeps both records when two replicas insert concurrently, and reports them to observers', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		appointmentEventsIn(a).insert(event(EVENT_IDS.a));
		exchange(a, b);
		const seen: string[][] = [];
		const stop = appointmentEventsIn(a).observe((changed) => seen.push([...changed]));
		const fromA = appointmentEventsIn(a).insert(event(EVENT_IDS.b, { by: 'user-a' }));
		const fromB = appointmentEventsIn(b).insert(
			event(EVENT_IDS.c, { by: 'user-b', kind: 'status', status: 'arrived' })
		);
		exchange(a, b);
		stop();
		for (const doc of [a, b]) {
			const events = appointmentEventsIn(doc);
			expect(events.all().quarantined).toEqual([]);
			expect(events.get(EVENT_IDS.b)).toEqual({ ok: true, value: fromA });
			expect(events.get(EVENT_IDS.c)).toEqual({ ok: true, value: fromB });
			expect(events.size).toBe(3);
		}
		expect(Y.encodeStateAsUpdate(a)).toEqual(Y.encodeStateAsUpdate(b));
		expect(seen).toEqual([[EVENT_IDS.b], [EVENT_IDS.c]]);
	});

	it('replaces the whole string on update, also for an older nested record', () => {
		const doc = new Y.Doc();
		nestedEventsIn(doc).insert(event(EVENT_IDS.a, { reason: 'Weather' }));
		const events = appointmentEventsIn(doc);
		const patched = events.patch(EVENT_IDS.a, {
			reason: undefined,
			deletedAt: '2026-11-21T10:00:00.000Z',
			updatedAt: '2026-11-21T10:00:00.000Z'
		});
		expect(patched.changed.sort()).toEqual(['deletedAt', 'reason']);
		expect(typeof events.map.get(EVENT_IDS.a)).toBe('string');
		expect(events.raw(EVENT_IDS.a)).not.toHaveProperty('reason');
		expect(events.get(EVENT_IDS.a)).toEqual({ ok: true, value: patched.value });
		expect(patched.value.updatedAt).toBe('2026-11-21T10:00:00.000Z');
		const before = Y.encodeStateAsUpdate(doc);
		events.update(EVENT_IDS.a, { by: 'user-a' });
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});
});
