/**
 * What must hold once a run has settled. Each check returns problems as sentences (empty: fine),
 * so a failure names the document, record, field and edit numbers involved.
 *
 * - Same documents: every replica (writers, the relay, the store) has the same Yjs snapshot
 *   (state vector and delete set) and the same record content.
 * - Every edit present: every inserted record exists, every field holds a value some edit of that
 *   very field wrote, and that edit is causally maximal — no other edit of the field was made
 *   after seeing it. So an edit may lose only to a later or concurrent edit of the same field of
 *   the same record, never to an edit of another field, and never vanish.
 * - Read-only: nothing a read-only workstation wrote reaches anyone else, while it still receives
 *   everything the writers wrote.
 */
import * as Y from 'yjs';
import { appointmentsIn, patientsIn } from '../../../src/lib/crdt/collections';
import type { DocName } from '../../../src/lib/crdt/layout';
import {
	canonical,
	collectionOf,
	READONLY_MARK,
	recordJson,
	short,
	type EditLog,
	type FieldEdit
} from './edits';

export interface Replica {
	label: string;
	doc: Y.Doc;
}

export function sameDocuments(name: DocName, reference: Replica, others: Replica[]): string[] {
	const problems: string[] = [];
	const collection = collectionOf(name);
	const refJson = reference.doc.getMap(collection).toJSON();
	const refText = canonical(refJson);
	const refSnapshot = Y.snapshot(reference.doc);
	for (const r of others) {
		if (!Y.equalSnapshots(refSnapshot, Y.snapshot(r.doc))) {
			problems.push(
				`${name}: ${r.label} differs from ${reference.label} in state ` +
					`(${svText(r.doc)} vs ${svText(reference.doc)})`
			);
		}
		const json = r.doc.getMap(collection).toJSON();
		if (canonical(json) === refText) continue;
		const diff = firstDifference(refJson, json);
		if (diff) problems.push(`${name}: ${r.label} differs from ${reference.label} at ${diff}`);
	}
	return problems;
}

export function everyEditPresent(log: EditLog, name: DocName, doc: Y.Doc): string[] {
	const problems: string[] = [];
	const collection = collectionOf(name);
	const records = doc.getMap(collection);
	const { quarantined } = (collection === 'appointments' ? appointmentsIn(doc) : patientsIn(doc)).all();
	for (const q of quarantined) {
		problems.push(
			`${name}: record ${short(q.id)} ends quarantined: ${JSON.stringify(q.issues).slice(0, 120)}`
		);
	}
	for (const ins of log.inserts) {
		if (ins.doc !== name || ins.readOnly) continue;
		if (!records.has(ins.record)) {
			problems.push(
				`${name}: record ${short(ins.record)} inserted by ${ins.client} (#${ins.seq}) is missing`
			);
		}
	}
	const groups = new Map<string, FieldEdit[]>();
	for (const e of log.fields) {
		if (e.doc !== name || e.readOnly) continue;
		const key = `${e.record}\u0000${e.field}`;
		const group = groups.get(key) ?? [];
		group.push(e);
		groups.set(key, group);
	}
	for (const id of records.keys()) {
		for (const field of Object.keys(recordJson(doc, collection, id))) {
			if (!groups.has(`${id}\u0000${field}`)) {
				problems.push(`${name}: ${short(id)}.${field} has a value no edit of that field wrote`);
			}
		}
	}
	const finals = new Map<string, Record<string, string>>();
	for (const edits of groups.values()) {
		const { record, field } = edits[0]!;
		if (!finals.has(record)) finals.set(record, recordJson(doc, collection, record));
		const final = finals.get(record)![field];
		const winners = edits.filter((e) => e.value === final);
		const shown = final === undefined ? 'cleared' : final.slice(0, 60);
		if (winners.length === 0) {
			const tried = edits.map((e) => `#${e.seq} ${e.client}`).join(', ');
			problems.push(
				`${name}: ${short(record)}.${field} is ${shown}, written by none of its edits (${tried})`
			);
			continue;
		}
		if (winners.some((w) => isMaximal(w, edits))) continue;
		const w = winners[0]!;
		const later = edits.find((e) => e !== w && happenedBefore(w, e))!;
		problems.push(
			`${name}: ${short(record)}.${field} kept #${w.seq} by ${w.client} (${shown}) although ` +
				`#${later.seq} by ${later.client} edited that field after seeing it`
		);
	}
	return problems;
}

/**
 * The read-only workstation's edits reached nobody (no replica holds its Yjs client id or any of
 * its values), and it holds everything the writers agreed on wherever it did not edit itself.
 */
export function readOnlyContained(
	log: EditLog,
	name: DocName,
	reader: Replica,
	consensus: Y.Doc,
	replicas: Replica[]
): string[] {
	const problems: string[] = [];
	const collection = collectionOf(name);
	// Every Yjs client id the reader wrote under (a reload gives it a new one).
	const readerIds = new Set([reader.doc.clientID]);
	for (const e of log.fields) if (e.readOnly && e.doc === name) readerIds.add(e.author);
	for (const r of replicas) {
		const sv = Y.decodeStateVector(Y.encodeStateVector(r.doc));
		if ([...readerIds].some((id) => sv.has(id))) {
			problems.push(`${name}: ${r.label} holds changes made by read-only ${reader.label}`);
		}
		if (JSON.stringify(r.doc.getMap(collection).toJSON()).includes(READONLY_MARK)) {
			problems.push(`${name}: ${r.label} holds a value written by read-only ${reader.label}`);
		}
	}
	const touched = new Set<string>();
	for (const e of log.fields) if (e.readOnly && e.doc === name) touched.add(`${e.record}\u0000${e.field}`);
	const mine = new Set(log.inserts.filter((i) => i.readOnly && i.doc === name).map((i) => i.record));
	const readerSv = Y.decodeStateVector(Y.encodeStateVector(reader.doc));
	for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(consensus))) {
		if ((readerSv.get(client) ?? 0) !== clock) {
			problems.push(`${name}: read-only ${reader.label} is missing changes of Yjs client ${client}`);
		}
	}
	for (const id of consensus.getMap(collection).keys()) {
		const want = recordJson(consensus, collection, id);
		const got = recordJson(reader.doc, collection, id);
		for (const field of new Set([...Object.keys(want), ...Object.keys(got)])) {
			if (touched.has(`${id}\u0000${field}`) || mine.has(id) || want[field] === got[field]) continue;
			problems.push(`${name}: read-only ${reader.label} has ${short(id)}.${field} = ${got[field]}`);
		}
	}
	return problems;
}

export function happenedBefore(a: FieldEdit, b: FieldEdit): boolean {
	return (b.before.get(a.author) ?? 0) >= a.end;
}

function isMaximal(e: FieldEdit, edits: FieldEdit[]): boolean {
	return !edits.some((o) => o !== e && happenedBefore(e, o));
}

function svText(doc: Y.Doc): string {
	return [...Y.decodeStateVector(Y.encodeStateVector(doc))].map(([c, n]) => `${c}:${n}`).join(' ');
}

function firstDifference(a: unknown, b: unknown, path = ''): string | null {
	if (canonical(a) === canonical(b)) return null;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
		return `${path || '(root)'}: ${canonical(a).slice(0, 60)} vs ${canonical(b).slice(0, 60)}`;
	}
	const ao = a as Record<string, unknown>;
	const bo = b as Record<string, unknown>;
	for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
		const d = firstDifference(ao[k], bo[k], path ? `${path}.${k.slice(0, 8)}` : k.slice(0, 8));
		if (d) return d;
	}
	return path || '(root)';
}
