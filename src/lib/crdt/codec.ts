/**
 * Record codec: how a record lives inside a Y.Doc.
 *
 * A collection is a top-level Y.Map keyed by record UUID; each record is a nested Y.Map with one
 * entry per field. Yjs resolves concurrent writes per map key, so two workstations that change
 * different fields of the same record (one moves the time, the other fixes the phone) both keep
 * their change; only writes to the *same* field pick one winner, deterministically on every device.
 * Field values are plain JSON (arrays such as phone lists are one value).
 *
 * The alternatives — one JSON value per record, or flat `id.field` keys in one map — were measured
 * in bench/codec.bench.ts; see BENCHMARKS.md for why this one was chosen.
 *
 * Reading validates with zod. A record that fails (a bad remote edit, an older client, a bug) is not
 * thrown at the screen: it is returned in `quarantined` with the paths and messages of its issues —
 * never its values, which may be PHI.
 */
import * as Y from 'yjs';
import type { z } from 'zod';

export interface QuarantinedRecord {
	collection: string;
	id: string;
	issues: { path: string; message: string }[];
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; quarantined: QuarantinedRecord };

export interface ReadAll<T> {
	records: T[];
	quarantined: QuarantinedRecord[];
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Who changed a field and when: a staff user id (never a name) and an ISO time. */
export interface ChangeMark {
	by: string;
	at: string;
}

/** Record keys starting with this are bookkeeping, not fields: schemas never see them. */
const META_PREFIX = '~';
const CHANGED_PREFIX = '~changed.';

export class RecordCollection<S extends z.ZodType<{ id: string }>> {
	readonly map: Y.Map<Y.Map<unknown>>;

	constructor(
		readonly doc: Y.Doc,
		readonly name: string,
		readonly schema: S
	) {
		this.map = doc.getMap(name);
	}

	has(id: string): boolean {
		return this.map.has(id);
	}

	get size(): number {
		return this.map.size;
	}

	/** Raw field values, unvalidated (for conflict display and debugging). */
	raw(id: string): Record<string, unknown> | undefined {
		return this.map.get(id)?.toJSON();
	}

	get(id: string): ReadResult<z.output<S>> | undefined {
		const ymap = this.map.get(id);
		if (!ymap) return undefined;
		return this.decode(id, ymap);
	}

	all(): ReadAll<z.output<S>> {
		const records: z.output<S>[] = [];
		const quarantined: QuarantinedRecord[] = [];
		this.map.forEach((ymap, id) => {
			const r = this.decode(id, ymap);
			if (r.ok) records.push(r.value);
			else quarantined.push(r.quarantined);
		});
		return { records, quarantined };
	}

	/** Validates and inserts a new record. Throws on invalid input (a local programming or form error). */
	insert(input: z.input<S>, origin: unknown = null): z.output<S> {
		const value = this.schema.parse(input);
		if (this.map.has(value.id)) throw new Error(`Record ${value.id} already exists in ${this.name}`);
		this.doc.transact(() => {
			const ymap = new Y.Map<unknown>();
			for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
				if (v !== undefined) ymap.set(k, toJson(v));
			}
			this.map.set(value.id, ymap);
		}, origin);
		return value;
	}

	/**
	 * Changes some fields of a record. Only fields whose value differs are written, so an edit never
	 * overwrites a concurrent change to a field it did not touch. The merged result is validated
	 * before anything is written; `undefined` clears a field.
	 */
	update(id: string, patch: Partial<z.input<S>>, origin: unknown = null, change?: ChangeMark): z.output<S> {
		const ymap = this.map.get(id);
		if (!ymap) throw new Error(`No record ${id} in ${this.name}`);
		const current = ymap.toJSON() as Record<string, unknown>;
		const next = this.schema.parse({ ...current, ...patch, id }) as Record<string, unknown>;
		this.doc.transact(() => {
			const changed: string[] = [];
			for (const key of new Set([...Object.keys(current), ...Object.keys(next)])) {
				if (key.startsWith(META_PREFIX)) continue;
				const v = next[key];
				if (v === undefined) {
					if (ymap.has(key)) {
						ymap.delete(key);
						changed.push(key);
					}
				} else if (JSON.stringify(current[key]) !== JSON.stringify(toJson(v))) {
					ymap.set(key, toJson(v));
					changed.push(key);
				}
			}
			if (change) {
				for (const key of changed) if (key !== 'updatedAt') ymap.set(CHANGED_PREFIX + key, { ...change });
			}
		}, origin);
		return next as z.output<S>;
	}

	/**
	 * Who last changed each field of a record and when, as written by `update(…, change)`. Each mark is
	 * its own key in the record's map (`~changed.<field>`), written in the same transaction as the
	 * value, so concurrent edits of different fields each keep their mark (no shared nested map that
	 * two replicas could both create).
	 */
	lastChanges(id: string): Record<string, ChangeMark> {
		const ymap = this.map.get(id);
		const out: Record<string, ChangeMark> = {};
		if (!(ymap instanceof Y.Map)) return out;
		ymap.forEach((v, k) => {
			if (!k.startsWith(CHANGED_PREFIX)) return;
			const m = v as Partial<ChangeMark> | null;
			if (m && typeof m.by === 'string' && typeof m.at === 'string')
				out[k.slice(CHANGED_PREFIX.length)] = { by: m.by, at: m.at };
		});
		return out;
	}

	observe(fn: (changedIds: Set<string>, tx: Y.Transaction) => void): () => void {
		const handler = (events: Y.YEvent<Y.AbstractType<unknown>>[], tx: Y.Transaction) => {
			const ids = new Set<string>();
			for (const e of events) {
				if (e.target === this.map) for (const k of e.changes.keys.keys()) ids.add(k);
				else if (typeof e.path[0] === 'string') ids.add(e.path[0]); // path is relative to this.map
			}
			if (ids.size) fn(ids, tx);
		};
		this.map.observeDeep(handler);
		return () => this.map.unobserveDeep(handler);
	}

	private decode(id: string, ymap: Y.Map<unknown> | unknown): ReadResult<z.output<S>> {
		if (!(ymap instanceof Y.Map)) {
			return quarantine(this.name, id, [{ path: '', message: 'Record is not a map' }]);
		}
		const parsed = this.schema.safeParse(ymap.toJSON());
		if (!parsed.success) {
			return quarantine(
				this.name,
				id,
				parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
			);
		}
		if (parsed.data.id !== id)
			return quarantine(this.name, id, [{ path: 'id', message: 'Key and id differ' }]);
		return { ok: true, value: parsed.data };
	}
}

function quarantine<T>(collection: string, id: string, issues: QuarantinedRecord['issues']): ReadResult<T> {
	return { ok: false, quarantined: { collection, id: id.slice(0, 64), issues } };
}

function toJson(v: unknown): Json {
	// zod output is already JSON-shaped; this drops undefined members of nested objects,
	// which Yjs cannot encode.
	return JSON.parse(JSON.stringify(v)) as Json;
}
