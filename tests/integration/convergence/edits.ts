/**
 * Random edits through the real record codec, and a log of what each one meant to do.
 *
 * Every field a transaction writes (or clears) is logged as a FieldEdit with its author's state
 * vector before the transaction and the author's clock after it. That is enough to decide
 * causality afterwards: edit A happened before edit B when B's author had already integrated all
 * of A's transaction (B.before[A.author] ≥ A.end). Values carry the edit's number so each one is
 * recognisable in the final documents. A read-only workstation's values carry READONLY_MARK.
 */
import * as Y from 'yjs';
import { appointmentsIn, patientsIn } from '../../../src/lib/crdt/collections';
import type { DocName } from '../../../src/lib/crdt/layout';
import type { Random } from './random';
import type { Workstation } from './workstations';

export type CollectionName = 'appointments' | 'patients';

export interface FieldEdit {
	seq: number;
	client: string;
	readOnly: boolean;
	doc: DocName;
	collection: CollectionName;
	record: string;
	field: string;
	/** JSON of the value as stored, or undefined for a cleared field. */
	value: string | undefined;
	author: number;
	end: number;
	before: Map<number, number>;
}

export interface Insert {
	seq: number;
	client: string;
	readOnly: boolean;
	doc: DocName;
	collection: CollectionName;
	record: string;
}

export const READONLY_MARK = 'readonly-edit';

/** Which collection a document holds (see layout.ts). */
export function collectionOf(doc: DocName): CollectionName {
	return doc.startsWith('schedule/') ? 'appointments' : 'patients';
}

const STATUSES = ['booked', 'confirmed', 'no-show', 'completed'] as const;
const APPOINTMENT_FIELDS = ['reason', 'notes', 'status', 'roomId', 'providerId'] as const;
const PATIENT_FIELDS = [
	'givenName',
	'familyName',
	'preferredName',
	'email',
	'phones',
	'alerts',
	'preferredLanguage'
] as const;

export class EditLog {
	readonly fields: FieldEdit[] = [];
	readonly inserts: Insert[] = [];
	/** Edits not made because the record was quarantined (fields missing mid-sync) at that moment. */
	refused = 0;
	private seq = 0;

	constructor(private readonly rand: Random) {}

	/** One random insert, update or soft delete by `ws` in one of its documents; returns a trace line. */
	randomEdit(ws: Workstation): string {
		const docName = this.rand.pick([...ws.docs.keys()]);
		const doc = ws.doc(docName);
		const collection = collectionOf(docName);
		const ids = [...doc.getMap(collection).keys()];
		const seq = ++this.seq;
		const tag = ws.canWrite ? `e${seq}` : `${READONLY_MARK}-${seq}`;
		const op = ids.length < 3 ? 'insert' : this.rand.weighted({ insert: 2, update: 7, delete: 1 });
		if (op === 'insert') {
			const id = this.insert(ws, doc, docName, collection, seq, tag);
			return `${ws.name} inserts ${collection} ${short(id)} (#${seq})`;
		}
		const id = this.pickRecord(docName, collection, ids);
		const current = collection === 'appointments' ? appointmentsIn(doc).get(id) : patientsIn(doc).get(id);
		if (!current?.ok) {
			// Like the app, which shows such a record as quarantined: it cannot be edited until it is whole.
			this.refused += 1;
			return `${ws.name} cannot edit quarantined ${collection} ${short(id)}`;
		}
		const patch: Record<string, unknown> = { updatedAt: timestamp(seq) };
		if (op === 'delete') patch.deletedAt = timestamp(seq);
		else {
			const fields = collection === 'appointments' ? APPOINTMENT_FIELDS : PATIENT_FIELDS;
			for (let i = this.rand.int(1, 3); i > 0; i--) {
				const field = this.rand.pick(fields);
				patch[field] = this.valueFor(field, tag, seq, (current.value as Record<string, unknown>)[field]);
			}
		}
		this.write(ws, doc, docName, collection, id, seq, () => {
			if (collection === 'appointments') appointmentsIn(doc).update(id, patch);
			else patientsIn(doc).update(id, patch);
		});
		return `${ws.name} ${op}s ${collection} ${short(id)} ${Object.keys(patch).join(',')} (#${seq})`;
	}

	private insert(
		ws: Workstation,
		doc: Y.Doc,
		docName: DocName,
		collection: CollectionName,
		seq: number,
		tag: string
	): string {
		const now = timestamp(seq);
		const id = this.rand.uuid(collection === 'patients' ? docName.slice(-1) : undefined);
		this.write(ws, doc, docName, collection, id, seq, () => {
			if (collection === 'appointments') {
				const start = new Date(Date.UTC(2026, 10, this.rand.int(1, 30), this.rand.int(8, 17))).toISOString();
				appointmentsIn(doc).insert({
					id,
					patientId: this.rand.uuid(),
					providerId: this.rand.uuid(),
					typeId: this.rand.uuid(),
					start,
					end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
					reason: `reason ${tag}`,
					createdAt: now,
					updatedAt: now
				});
			} else {
				patientsIn(doc).insert({
					id,
					mrn: `MRN-${tag}`,
					familyName: `Family ${tag}`,
					givenName: `Given ${tag}`,
					dateOfBirth: `19${this.rand.int(30, 99)}-0${this.rand.int(1, 9)}-1${this.rand.int(0, 9)}`,
					createdAt: now,
					updatedAt: now
				});
			}
		});
		this.inserts.push({ seq, client: ws.name, readOnly: !ws.canWrite, doc: docName, collection, record: id });
		return id;
	}

	/** Runs one codec call and logs every field it changed, with the causal context it ran in. */
	private write(
		ws: Workstation,
		doc: Y.Doc,
		docName: DocName,
		collection: CollectionName,
		id: string,
		seq: number,
		edit: () => void
	): void {
		const before = Y.decodeStateVector(Y.encodeStateVector(doc));
		const old = recordJson(doc, collection, id);
		edit();
		const now = recordJson(doc, collection, id);
		const end = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0;
		for (const field of new Set([...Object.keys(old), ...Object.keys(now)])) {
			if (old[field] === now[field]) continue;
			this.fields.push({
				seq,
				client: ws.name,
				readOnly: !ws.canWrite,
				doc: docName,
				collection,
				record: id,
				field,
				value: now[field],
				author: doc.clientID,
				end,
				before
			});
		}
	}

	/** Mostly one of the few newest records anyone inserted here, so workstations collide on them. */
	private pickRecord(docName: DocName, collection: CollectionName, ids: string[]): string {
		const local = new Set(ids);
		const hot = this.inserts
			.filter((i) => i.doc === docName && i.collection === collection && local.has(i.record))
			.slice(-4)
			.map((i) => i.record);
		return hot.length > 0 && this.rand.chance(0.7) ? this.rand.pick(hot) : this.rand.pick(ids);
	}

	private valueFor(field: string, tag: string, seq: number, current: unknown): unknown {
		switch (field) {
			case 'status':
				return this.rand.pick(STATUSES.filter((s) => s !== current));
			case 'roomId':
			case 'preferredName':
				// Clearing a field is an edit too (a delete in the record's map).
				if (current !== undefined && this.rand.chance(0.3)) return undefined;
				return field === 'roomId' ? this.rand.uuid() : `Pref ${tag}`;
			case 'providerId':
				return this.rand.uuid();
			case 'email':
				return `${tag}@example.test`;
			case 'phones':
				return [{ type: 'mobile', number: `555${String(seq).padStart(7, '0')}` }];
			case 'alerts':
				return [`alert ${tag}`];
			default:
				return `${field} ${tag}`;
		}
	}
}

/** A record's fields as JSON strings (what the edit log and the checks compare). */
export function recordJson(doc: Y.Doc, collection: CollectionName, id: string): Record<string, string> {
	const ymap = doc.getMap(collection).get(id);
	if (!(ymap instanceof Y.Map)) return {};
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(ymap.toJSON())) out[k] = canonical(v);
	return out;
}

function timestamp(seq: number): string {
	return new Date(Date.UTC(2026, 10, 2, 8) + seq * 1000).toISOString();
}

export function short(id: string): string {
	return id.slice(0, 8);
}

/** JSON with object keys sorted: replicas may hold the same map entries in another order. */
export function canonical(v: unknown): string {
	if (v === undefined) return 'undefined';
	if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
	if (typeof v === 'object' && v !== null) {
		const o = v as Record<string, unknown>;
		return `{${Object.keys(o)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(v);
}
