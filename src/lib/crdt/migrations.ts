/**
 * Schema versions per document. Each document carries `meta.schemaVersion`. Opening a document runs
 * the migrations from its version up to the current one, in one transaction.
 *
 * Migrations run on every device that opens an old document, possibly on two devices at once before
 * they sync, so each must be deterministic and idempotent: writing the same values twice is harmless
 * in a CRDT, and Yjs picks one winner for each key.
 *
 * A document written by a newer app (version above ours) is opened read-only and reported, so an
 * old workstation never rewrites records it does not understand.
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
