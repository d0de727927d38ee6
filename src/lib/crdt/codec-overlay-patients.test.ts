/**
 * Patients in the `overlay` layout (collections.ts): a new patient is its map and one base string;
 * edits merge field by field and keep their "changed by" marks; patients written field by field
 * before read and edit as before.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { patientsIn } from './collections';
import { RecordCollection } from './codec';
import { generateDemoClinic } from '../domain/demo/generate';
import { patient as patientSchema, type Patient } from '../domain';

const demo = generateDemoClinic({
	seed: 11,
	today: '2026-11-16',
	patients: 3,
	monthsBack: 0,
	monthsAhead: 0,
	fillRatio: 0
}).patients;
const ADA = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const BEN = '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b';
const LATER = '2026-11-20T10:00:00.000Z';
const LATER2 = '2026-11-20T11:00:00.000Z';

/** Yjs items written by the doc's own client (its clock). */
const items = (doc: Y.Doc) => Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0;

/** The record as read back; fails the test if it is missing or set aside. */
function read(doc: Y.Doc, id: string): Patient {
	const r = patientsIn(doc).get(id);
	if (!r?.ok) throw new Error(`patient ${id} not readable`);
	return r.value;
}

function exchange(a: Y.Doc, b: Y.Doc) {
	const ua = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
	const ub = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
	Y.applyUpdate(b, ua);
	Y.applyUpdate(a, ub);
}

describe('patients, overlay layout', () => {
	it('writes a new patient as its map and one base string (2 items) and reads it back whole', () => {
		const doc = new Y.Doc();
		const col = patientsIn(doc);
		expect(col.layout).toBe('overlay');
		const p = demo[0]!;
		col.insert(p);
		// The map and its base, plus the document's reader-format mark (the first record only).
		expect(items(doc)).toBe(3);
		col.insert(demo[1]!);
		expect(items(doc)).toBe(5);
		expect(Object.keys((col.map.get(p.id) as Y.Map<unknown>).toJSON())).toEqual(['~base']);
		expect(col.get(p.id)).toEqual({ ok: true, value: patientSchema.parse(p) });
	});

	it('keeps both of two concurrent edits of different fields, with who made each', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const p = demo[1]!;
		patientsIn(a).insert(p);
		exchange(a, b);
		patientsIn(a).update(p.id, { preferredName: 'Sunny', updatedAt: LATER }, null, { by: ADA, at: LATER });
		patientsIn(b).update(p.id, { familyName: 'Marsh', updatedAt: LATER2 }, null, { by: BEN, at: LATER2 });
		exchange(a, b);
		for (const doc of [a, b]) {
			const r = read(doc, p.id);
			expect(r.preferredName).toBe('Sunny');
			expect(r.familyName).toBe('Marsh');
			expect(r.updatedAt).toBe(LATER2);
			const marks = patientsIn(doc).lastChanges(p.id);
			expect(marks.preferredName?.by).toBe(ADA);
			expect(marks.familyName?.by).toBe(BEN);
		}
	});

	it('reads and edits a patient written field by field before', () => {
		const doc = new Y.Doc();
		const p: Patient = demo[2]!;
		new RecordCollection(doc, 'patients', patientSchema).insert(p);
		const col = patientsIn(doc);
		expect(col.get(p.id)).toEqual({ ok: true, value: patientSchema.parse(p) });
		col.update(p.id, { givenName: 'Robin', updatedAt: LATER });
		const r = read(doc, p.id);
		expect(r.givenName).toBe('Robin');
		expect(r.familyName).toBe(p.familyName);
		// Still field by field: no base appears.
		expect((col.map.get(p.id) as Y.Map<unknown>).has('~base')).toBe(false);
	});
});
