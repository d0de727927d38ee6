/**
 * Schema versions per document. Each document carries `meta.schemaVersion`. Opening a document runs
 * the migrations from its version up to the current one, in one transaction.
 *
 * Migrations run on every device that opens an old document, possibly on two devices at once before
 * they sync, so each must be deterministic and idempotent: writing the same values twice is harmless
 * in a CRDT, and Yjs picks one winner for each key.
 *
 * A document written by a newer app (version above ours) is reported (Admin → Data health, and a
 * banner on every screen asking to reload and update). It is not made read-only: records this
 * version cannot read are set aside unread (codec.ts), never rewritten.
 *
 * Record layouts are versioned apart from migrations, because a new layout needs no migration (every
 * layout reads every older form) but an OLDER app cannot read it. The reader format is the lowest
 * version of the record layouts a document needs (its highest `meta` key `readerFormat:<n>`). The
 * codec raises it in the same transaction as the first record it writes in a newer layout; a
 * workstation whose `READER_FORMAT` is lower reports the document as newer as soon as it opens it or
 * the raise arrives by sync, so the person is asked to update before wondering where a booking went.
 */
import type * as Y from 'yjs';
import type { DocName } from './layout';
import { scopeOf, type DocKind } from './layout';

export type Migration = (doc: Y.Doc) => void;

/** migrations[scope][i] upgrades a document of that scope from version i to i + 1. */
export const migrations: Partial<Record<DocKind, Migration[]>> = {};

export function currentVersion(scope: DocKind, table = migrations): number {
	return table[scope]?.length ?? 0;
}

export type MigrationOutcome =
	| { kind: 'current'; version: number }
	| { kind: 'migrated'; from: number; to: number }
	| { kind: 'newer'; version: number; supported: number };

export const MIGRATION_ORIGIN = Symbol('migration');

export function readVersion(doc: Y.Doc): number {
	const v = doc.getMap('meta').get('schemaVersion');
	return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

/**
 * The record layouts this version reads: 0 — nested maps and JSON objects; 1 — also `overlay` records
 * and JSON-string records (codec.ts). Raise it with a new layout, and write the new level from the
 * codec where that layout is written.
 */
export const READER_FORMAT = 1;
/**
 * One key per level (`readerFormat:1` = true), not one number: two workstations raising the format
 * at once would write one key, and Yjs keeps one of the two values by client id — possibly the lower.
 */
const FORMAT_PREFIX = 'readerFormat:';

export function readerFormat(doc: Y.Doc): number {
	let max = 0;
	for (const key of doc.getMap('meta').keys()) {
		if (!key.startsWith(FORMAT_PREFIX)) continue;
		const level = Number(key.slice(FORMAT_PREFIX.length));
		if (Number.isInteger(level) && level > max) max = level;
	}
	return max;
}

/** Marks `doc` as needing at least `level` to read (inside the writer's transaction: one write per document). */
export function requireReaderFormat(doc: Y.Doc, level: number): void {
	const meta = doc.getMap('meta');
	if (!meta.has(FORMAT_PREFIX + level) && readerFormat(doc) < level) meta.set(FORMAT_PREFIX + level, true);
}

/**
 * Calls `onNewer` once, now or when a sync brings it, if `doc` needs a newer reader than `supported`.
 * Returns a function that stops watching.
 */
export function watchReaderFormat(
	doc: Y.Doc,
	onNewer: (format: number) => void,
	supported = READER_FORMAT
): () => void {
	const meta = doc.getMap('meta');
	const check = () => {
		const format = readerFormat(doc);
		if (format <= supported) return false;
		onNewer(format);
		return true;
	};
	if (check()) return () => undefined;
	const handler = () => {
		if (check()) meta.unobserve(handler);
	};
	meta.observe(handler);
	return () => meta.unobserve(handler);
}

export function migrate(doc: Y.Doc, name: DocName, table = migrations): MigrationOutcome {
	const scope = scopeOf(name);
	const target = currentVersion(scope, table);
	const from = readVersion(doc);
	if (from > target) return { kind: 'newer', version: from, supported: target };
	if (from === target) return { kind: 'current', version: from };
	const steps = table[scope] ?? [];
	doc.transact(() => {
		for (let v = from; v < target; v++) steps[v]!(doc);
		doc.getMap('meta').set('schemaVersion', target);
	}, MIGRATION_ORIGIN);
	return { kind: 'migrated', from, to: target };
}
