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
 * Append-only records (an appointment's history events) are never edited field by field, so per-field
 * merging buys them nothing while each field costs a Yjs item to write, send and merge. Two layouts
 * store each record as ONE value in the top-level map instead (one item per write):
 *
 * - `json`: a plain JSON object. Yjs encodes it key by key, and every merge decodes it the same way
 *   (`readAny`: one UTF-8 decode per key and per string, 10–25 per history event).
 * - `json-string`: the record as a compact JSON *string*, parsed only when read. Yjs decodes it with one
 *   string read; the map key is the id, so `id` is not repeated inside, and `updatedAt` is left out when
 *   it equals `createdAt` (always, for a record written once) — both are put back before validation.
 *   On the offline merge of 2×5,000 edits with their history events (BENCHMARKS.md "Offline merge",
 *   "After: history events as compact JSON strings"): an event 346 → 263 characters, the two diffs
 *   5.15 → 4.62 MB, content decoding ~33 → ~6 % of applying them, and the merge's CPU time 16–18 % less
 *   than with JSON objects in the same run — within 5–10 % of the app's edits without any history.
 *
 * Records that are edited field by field but mostly written once (appointments: a booking is ~12
 * fields, a later edit 1–3) take a fourth layout, `overlay`: a nested Y.Map as above whose `~base` entry
 * holds the record as first inserted, one compact JSON string (as in `json-string`); later edits set
 * their fields beside it, and a set field wins over the base. A booking is then 2 Yjs items instead of
 * ~13 (the map and its base), and edits still merge field by field. Each field an edit writes is a
 * `[value, updatedAt]` pair (value `null`: the field was removed), and the record's `updatedAt` is read
 * as the latest of these times and the base's — so an edit writes only the fields it changes, not
 * `updatedAt` as one more entry (only a write that changes nothing else stamps `updatedAt` itself).
 * A write that sets `updatedAt` moves it forward — to 1 ms past the record's when the writer's clock is
 * behind — so it never goes back and every edit changes it (the history dialog re-reads on it). On the offline merge of 2×5,000 edits, bookings were ~40 % of the items
 * the app wrote and `updatedAt` ~25 % of the rest (BENCHMARKS.md "Offline merge", "After: bookings as
 * one string, updatedAt in the edited fields"). A plain value beside a base (a foreign or hand-made
 * write) is read as that field's value, with no time — unless it is a two-element array ending in a
 * string or null, which reads as a pair (the codec writes array values as pairs too).
 *
 * Every layout reads every form (nested map with or without a base, JSON object, JSON string), so
 * switching a collection's layout needs no migration: records already written stay readable beside
 * the new values. (An app older than a layout cannot read the new form: it quarantines such records.
 * So writing one raises the document's reader format, and an app that knows that marker but not
 * the format asks to be updated — see migrations.ts.)
 *
 * Reading validates with zod. A record that fails (a bad remote edit, an older client, a bug) is not
 * thrown at the screen: it is returned in `quarantined` with the paths and messages of its issues —
 * never its values, which may be PHI.
 */
import * as Y from 'yjs';
import type { z } from 'zod';
import { requireReaderFormat } from './migrations';

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

/**
 * How a collection writes a record: `nested` (a Y.Map per record, concurrent edits of different
 * fields merge), `overlay` (the same, the first version as one `~base` string: see the header), or one
 * value per record — `json` (a plain JSON object) or `json-string` (a compact
 * JSON string, see the header). In the one-value layouts an update replaces the whole value, so of
 * two concurrent updates of one record only one survives, and no change marks are kept: they are for
 * records that are written once and never edited.
 */
export type RecordLayout = 'nested' | 'overlay' | 'json' | 'json-string';

export interface CollectionOptions {
	layout?: RecordLayout;
}

/** What `patch` wrote: the record, and the fields whose value changed (`updatedAt` left out). */
export interface Patched<T> {
	value: T;
	changed: string[];
}

/** Record keys starting with this are bookkeeping, not fields: schemas never see them. */
const META_PREFIX = '~';
const CHANGED_PREFIX = '~changed.';
/** In the `overlay` layout: the record as inserted, a `json-string` value. */
const BASE_KEY = '~base';
/** In an `overlay` map, a field entry: its value (null: removed) and the `updatedAt` of the edit. */
type Stamped = [value: Json, at: string | null];

export class RecordCollection<S extends z.ZodType<{ id: string }>> {
	/** Values are nested Y.Maps, plain JSON objects or JSON strings (any layout), or anything a bad peer wrote. */
	readonly map: Y.Map<unknown>;
	readonly layout: RecordLayout;

	constructor(
		readonly doc: Y.Doc,
		readonly name: string,
		readonly schema: S,
		options: CollectionOptions = {}
	) {
		this.map = doc.getMap(name);
		this.layout = options.layout ?? 'nested';
	}

	has(id: string): boolean {
		return this.map.has(id);
	}

	get size(): number {
		return this.map.size;
	}

	/** Raw field values, unvalidated (for conflict display and debugging); a copy. */
	raw(id: string): Record<string, unknown> | undefined {
		const fields = fieldsOf(id, this.map.get(id));
		return fields && (toJson(fields) as Record<string, unknown>);
	}

	get(id: string): ReadResult<z.output<S>> | undefined {
		const stored = this.map.get(id);
		if (stored === undefined) return undefined;
		return this.decode(id, stored);
	}

	all(): ReadAll<z.output<S>> {
		const records: z.output<S>[] = [];
		const quarantined: QuarantinedRecord[] = [];
		this.map.forEach((stored, id) => {
			const r = this.decode(id, stored);
			if (r.ok) records.push(r.value);
			else quarantined.push(r.quarantined);
		});
		return { records, quarantined };
	}

	/** Validates and inserts a new record. Throws on invalid input (a local programming or form error). */
	insert(input: z.input<S>, origin: unknown = null): z.output<S> {
		const value = this.schema.parse(input);
		if (this.map.has(value.id)) throw new Error(`Record ${value.id} already exists in ${this.name}`);
		this.doc.transact(() => this.write(value.id, value as Record<string, unknown>), origin);
		return value;
	}

	/**
	 * Changes some fields of a record. Only fields whose value differs are written, so an edit never
	 * overwrites a concurrent change to a field it did not touch. The merged result is validated
	 * before anything is written; `undefined` clears a field. In the `json` layout the whole value is
	 * replaced instead (see `RecordLayout`).
	 */
	update(id: string, patch: Partial<z.input<S>>, origin: unknown = null, change?: ChangeMark): z.output<S> {
		return this.patch(id, patch, origin, change).value;
	}

	/**
	 * `update`, also telling which fields changed (for a history entry that names them). `change`
	 * writes a `~changed.<field>` mark per changed field (nested layout only; see `lastChanges`).
	 */
	patch(
		id: string,
		patch: Partial<z.input<S>>,
		origin: unknown = null,
		change?: ChangeMark
	): Patched<z.output<S>> {
		const stored = this.map.get(id);
		const fields = fieldsOf(id, stored);
		if (!fields) throw new Error(`No record ${id} in ${this.name}`);
		const current = withoutMeta(fields);
		const next = this.schema.parse({ ...current, ...patch, id }) as Record<string, unknown>;
		const base = stored instanceof Y.Map ? baseOf(id, stored) : undefined;
		// An overlay record's `updatedAt` reads as the latest stamp (see the header), so a write that sets
		// it (from a clock behind the record's last change) moves it just past that: every edit changes it.
		const setsUpdatedAt = (patch as { updatedAt?: unknown }).updatedAt !== undefined;
		if (base && setsUpdatedAt && !laterThan(next.updatedAt, current.updatedAt))
			next.updatedAt = justAfter(current.updatedAt) ?? next.updatedAt;
		const changed: string[] = [];
		for (const key of new Set([...Object.keys(current), ...Object.keys(next)])) {
			const v = next[key];
			if (v === undefined ? key in current : JSON.stringify(current[key]) !== JSON.stringify(toJson(v)))
				changed.push(key);
		}
		if (changed.length) {
			this.doc.transact(() => {
				if (!isMapLayout(this.layout) || !(stored instanceof Y.Map)) {
					this.write(id, next);
					return;
				}
				if (base) {
					const at = typeof next.updatedAt === 'string' ? next.updatedAt : null;
					const fields = changed.filter((k) => k !== 'updatedAt');
					// A removed field is [null, at]: deleting the entry would let the base's value show through.
					for (const key of fields.length ? fields : changed)
						stored.set(key, [next[key] === undefined ? null : toJson(next[key]), at] satisfies Stamped);
				} else
					for (const key of changed) {
						const v = next[key];
						if (v === undefined) stored.delete(key);
						else stored.set(key, toJson(v));
					}
				if (change)
					for (const key of changed) if (key !== 'updatedAt') stored.set(CHANGED_PREFIX + key, { ...change });
			}, origin);
		}
		return { value: next as z.output<S>, changed: changed.filter((k) => k !== 'updatedAt') };
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

	/** A whole record in this collection's layout (a new record, or one an update replaces). */
	private write(id: string, value: Record<string, unknown>): void {
		// An app older than these two layouts cannot read them: the document says so (migrations.ts).
		if ((this.layout === 'overlay' || this.layout === 'json-string') && this.map.doc)
			requireReaderFormat(this.map.doc, 1);
		if (this.layout === 'json') {
			this.map.set(id, toJson(value));
			return;
		}
		if (this.layout === 'json-string') {
			this.map.set(id, compactString(value));
			return;
		}
		const ymap = new Y.Map<unknown>();
		if (this.layout === 'overlay') ymap.set(BASE_KEY, compactString(value));
		else for (const [k, v] of Object.entries(value)) if (v !== undefined) ymap.set(k, toJson(v));
		this.map.set(id, ymap);
	}

	private decode(id: string, stored: unknown): ReadResult<z.output<S>> {
		const fields = fieldsOf(id, stored);
		if (!fields)
			return quarantine(this.name, id, [
				stored instanceof Y.Map
					? { path: BASE_KEY, message: 'Record base is not a JSON object string' }
					: { path: '', message: 'Record is not a map, an object or a JSON object string' }
			]);
		// zod returns new objects, so a caller cannot change a stored JSON value through the result.
		const parsed = this.schema.safeParse(fields);
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

const isMapLayout = (layout: RecordLayout) => layout === 'nested' || layout === 'overlay';

/** A record's fields in any layout; undefined for anything else (a bad remote write). */
function fieldsOf(id: string, stored: unknown): Record<string, unknown> | undefined {
	if (stored instanceof Y.Map) return mapFields(id, stored);
	if (typeof stored === 'string') return fromString(id, stored);
	return isPlainObject(stored) ? stored : undefined;
}

/** A nested record's fields: its entries, over its `~base` when it has one (the `overlay` layout). */
function mapFields(id: string, ymap: Y.Map<unknown>): Record<string, unknown> | undefined {
	const own = ymap.toJSON() as Record<string, unknown>;
	if (!(BASE_KEY in own)) return own;
	const base = own[BASE_KEY];
	// A fresh object each read: the entries are laid over it.
	const fields = typeof base === 'string' ? fromString(id, base) : undefined;
	if (!fields) return undefined;
	let updatedAt = fields.updatedAt;
	for (const [k, v] of Object.entries(own)) {
		if (k === BASE_KEY) continue;
		if (k.startsWith(META_PREFIX) || !isStamped(v)) {
			fields[k] = v;
			continue;
		}
		const [value, at] = v;
		if (value === null) delete fields[k];
		else fields[k] = value;
		if (laterThan(at, updatedAt)) updatedAt = at;
	}
	if (laterThan(updatedAt, fields.updatedAt)) fields.updatedAt = updatedAt;
	return fields;
}

function isStamped(v: unknown): v is Stamped {
	return Array.isArray(v) && v.length === 2 && (typeof v[1] === 'string' || v[1] === null);
}

/** The shape of `Date.prototype.toISOString` (yyyy-mm-ddThh:mm:ss.sssZ). */
function isUtcIso(s: string): boolean {
	return s.length === 24 && s[23] === 'Z' && s[10] === 'T' && s[19] === '.' && s[4] === '-';
}

function justAfter(iso: unknown): string | undefined {
	const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
	return Number.isNaN(t) ? undefined : new Date(t + 1).toISOString();
}

/** Whether ISO time `a` is after `b` (anything that is not a time is never later, and `b` missing is earlier). */
function laterThan(a: unknown, b: unknown): boolean {
	if (typeof a !== 'string') return false;
	// Times the app writes (toISOString) compare as strings; Date.parse was ~12 % of a month's read.
	if (typeof b === 'string' && isUtcIso(a) && isUtcIso(b)) return a > b;
	const ta = Date.parse(a);
	if (Number.isNaN(ta)) return false;
	if (typeof b !== 'string') return true;
	const tb = Date.parse(b);
	return Number.isNaN(tb) || ta > tb;
}

/** The record as first inserted, for a map in the `overlay` layout; undefined without one (or a bad one). */
function baseOf(id: string, ymap: Y.Map<unknown>): Record<string, unknown> | undefined {
	const base = ymap.get(BASE_KEY);
	return typeof base === 'string' ? fromString(id, base) : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
	if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
	const proto: unknown = Object.getPrototypeOf(v);
	return proto === Object.prototype || proto === null;
}

/** The `json-string` form: the record without its id (the key) and without an `updatedAt` equal to `createdAt`. */
function compactString(value: Record<string, unknown>): string {
	const { id: _id, ...rest } = value;
	if (rest.updatedAt === rest.createdAt) delete rest.updatedAt;
	return JSON.stringify(rest);
}

function fromString(id: string, stored: string): Record<string, unknown> | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(stored);
	} catch {
		// The parser's message quotes the text, which may be PHI: the caller reports a fixed message.
		return undefined;
	}
	if (!isPlainObject(parsed)) return undefined;
	// An id inside wins, so a value stored under the wrong key is still caught as "Key and id differ".
	const fields: Record<string, unknown> = { id, ...parsed };
	if (!('updatedAt' in parsed) && typeof parsed.createdAt === 'string') fields.updatedAt = parsed.createdAt;
	return fields;
}

function withoutMeta(fields: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(fields).filter(([k]) => !k.startsWith(META_PREFIX)));
}

function toJson(v: unknown): Json {
	// zod output is already JSON-shaped; this drops undefined members of nested objects,
	// which Yjs cannot encode.
	return JSON.parse(JSON.stringify(v)) as Json;
}
