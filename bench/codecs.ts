/**
 * The three ways of keeping records in a Y.Doc that codec.bench.ts compares. Each is the simplest
 * faithful version of its idea, not the app's RecordCollection: no zod, no observers, so the numbers
 * show what the encoding itself costs.
 *
 * - json:   one top-level Y.Map, one plain-object value per record id. Yjs stores the object as one
 *           opaque value, so an edit rewrites the whole record and concurrent edits of one record
 *           resolve as last-writer-wins on the whole record.
 * - nested: one top-level Y.Map, a nested Y.Map per record with one key per field (what
 *           src/lib/crdt/codec.ts does). Conflicts resolve per field.
 * - flat:   one top-level Y.Map keyed `${id}.${field}`. Conflicts also resolve per field, without a
 *           Y.Map per record, but every key repeats the 36-character id and listing records means
 *           scanning and grouping every key.
 */
import * as Y from 'yjs';
import type { AppointmentFixture } from './fixtures';

export type Fields = Record<string, string>;

export interface BenchCodec {
	name: 'json' | 'nested' | 'flat';
	/** Writes all records in one transaction. */
	writeAll(doc: Y.Doc, records: readonly AppointmentFixture[]): void;
	/** Reads every record back as a fresh plain object the caller may keep and change. */
	readAll(doc: Y.Doc): Fields[];
	/** Changes one field of one record; the caller decides the transaction. */
	setField(doc: Y.Doc, id: string, field: string, value: string): void;
}

const COLLECTION = 'appointments';

export const jsonCodec: BenchCodec = {
	name: 'json',
	writeAll(doc, records) {
		const map = doc.getMap<Fields>(COLLECTION);
		doc.transact(() => {
			for (const r of records) map.set(r.id, { ...r });
		});
	},
	readAll(doc) {
		const out: Fields[] = [];
		// Yjs hands back the very object it stores; copy it so a caller's change cannot corrupt the doc.
		doc.getMap<Fields>(COLLECTION).forEach((value) => out.push({ ...value }));
		return out;
	},
	setField(doc, id, field, value) {
		const map = doc.getMap<Fields>(COLLECTION);
		const current = map.get(id);
		if (!current) throw new Error(`No record ${id}`);
		map.set(id, { ...current, [field]: value });
	}
};

export const nestedCodec: BenchCodec = {
	name: 'nested',
	writeAll(doc, records) {
		const map = doc.getMap<Y.Map<string>>(COLLECTION);
		doc.transact(() => {
			for (const r of records) {
				// Same order of operations as RecordCollection.insert: fill the prelim map, then attach it.
				const ymap = new Y.Map<string>();
				for (const [k, v] of Object.entries(r)) ymap.set(k, v);
				map.set(r.id, ymap);
			}
		});
	},
	readAll(doc) {
		const out: Fields[] = [];
		doc.getMap<Y.Map<string>>(COLLECTION).forEach((ymap) => out.push(ymap.toJSON() as Fields));
		return out;
	},
	setField(doc, id, field, value) {
		const ymap = doc.getMap<Y.Map<string>>(COLLECTION).get(id);
		if (!ymap) throw new Error(`No record ${id}`);
		ymap.set(field, value);
	}
};

export const flatCodec: BenchCodec = {
	name: 'flat',
	writeAll(doc, records) {
		const map = doc.getMap<string>(COLLECTION);
		doc.transact(() => {
			for (const r of records) for (const [k, v] of Object.entries(r)) map.set(`${r.id}.${k}`, v);
		});
	},
	readAll(doc) {
		const byId = new Map<string, Fields>();
		doc.getMap<string>(COLLECTION).forEach((value, key) => {
			// UUIDs and field names never contain '.', so the first one splits id from field.
			const dot = key.indexOf('.');
			const id = key.slice(0, dot);
			let record = byId.get(id);
			if (!record) byId.set(id, (record = {}));
			record[key.slice(dot + 1)] = value;
		});
		return [...byId.values()];
	},
	setField(doc, id, field, value) {
		doc.getMap<string>(COLLECTION).set(`${id}.${field}`, value);
	}
};

export const codecs: readonly BenchCodec[] = [jsonCodec, nestedCodec, flatCodec];
