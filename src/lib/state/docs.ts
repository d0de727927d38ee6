/**
 * The open documents of one workspace. Each Y.Doc is paired with its encrypted local store; the
 * sync layer will attach to the same docs. Opening is synchronous (the doc fills in when its store
 * has loaded), `ready()` waits for the stored state, `close()` drops everything held in memory.
 */
import * as Y from 'yjs';
import { EncryptedDocStore, type StoreError } from '../persistence/store';
import { migrate, type MigrationOutcome } from '../crdt/migrations';
import type { DocName } from '../crdt/layout';

export interface DocHubOptions {
	idb: IDBFactory;
	dbName: string;
	key: CryptoKey;
	onStoreError?: (e: StoreError) => void;
	onNewerSchema?: (name: DocName, outcome: MigrationOutcome) => void;
}

interface Entry {
	doc: Y.Doc;
	store: EncryptedDocStore;
	ready: Promise<Y.Doc>;
}

export class DocHub {
	private readonly entries = new Map<DocName, Entry>();
	private readonly openListeners = new Set<(name: DocName, doc: Y.Doc) => void>();

	constructor(private readonly opts: DocHubOptions) {}

	open(name: DocName): Y.Doc {
		return this.entry(name).doc;
	}

	ready(name: DocName): Promise<Y.Doc> {
		return this.entry(name).ready;
	}

	/** Calls `fn` for every document open now and every one opened later (the sync layer attaches here). */
	onOpen(fn: (name: DocName, doc: Y.Doc) => void): () => void {
		for (const [name, e] of this.entries) fn(name, e.doc);
		this.openListeners.add(fn);
		return () => this.openListeners.delete(fn);
	}

	isOpen(name: DocName): boolean {
		return this.entries.has(name);
	}

	names(): DocName[] {
		return [...this.entries.keys()];
	}

	async flush(): Promise<void> {
		await Promise.all([...this.entries.values()].map((e) => e.store.flush()));
	}

	pendingWrites(): number {
		let n = 0;
		for (const e of this.entries.values()) n += e.store.pendingCount;
		return n;
	}

	/** Flushes and closes every document; the hub can be reused afterwards. */
	async close(): Promise<void> {
		const all = [...this.entries.values()];
		this.entries.clear();
		this.openListeners.clear();
		await Promise.all(
			all.map(async (e) => {
				await e.store.destroy();
				e.doc.destroy();
			})
		);
	}

	private entry(name: DocName): Entry {
		let e = this.entries.get(name);
		if (e) return e;
		// gc stays on: deleted content is not kept, which also means PHI removed from a record
		// does not linger in the document's history.
		const doc = new Y.Doc({ gc: true });
		const store = new EncryptedDocStore(doc, name, {
			idb: this.opts.idb,
			dbName: this.opts.dbName,
			key: this.opts.key,
			onError: this.opts.onStoreError
		});
		const ready = store.whenSynced.then(() => {
			const outcome = migrate(doc, name);
			if (outcome.kind === 'newer') this.opts.onNewerSchema?.(name, outcome);
			return doc;
		});
		e = { doc, store, ready };
		this.entries.set(name, e);
		for (const fn of this.openListeners) fn(name, doc);
		return e;
	}
}
