/**
 * The open documents of one workspace. Each Y.Doc is paired with its encrypted local store; the
 * sync layer will attach to the same docs. Opening is synchronous (the doc fills in when its store
 * has loaded), `ready()` waits for the stored state, `close()` drops everything held in memory.
 */
import * as Y from 'yjs';
import { EncryptedDocStore, type StoreError } from '../persistence/store';
import { migrate, READER_FORMAT, watchReaderFormat, type MigrationOutcome } from '../crdt/migrations';
import type { DocName } from '../crdt/layout';

export interface DocHubOptions {
	idb: IDBFactory;
	dbName: string;
	/** The keys that seal a document (current first), or none if this session may not open it. */
	keysFor: (name: DocName) => readonly CryptoKey[] | undefined;
	onStoreError?: (e: StoreError) => void;
	/** A document needs a newer app: its schema version, or the reader format of its records (`version`). */
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

	/** Whether this session holds the key to open `name`. */
	canOpen(name: DocName): boolean {
		return (this.opts.keysFor(name)?.length ?? 0) > 0;
	}

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
		this.openListeners.clear();
		await this.closeWhere(() => true);
	}

	/** Flushes, closes and forgets the documents `pred` picks (e.g. every scope document at lock). */
	async closeWhere(pred: (name: DocName) => boolean): Promise<void> {
		const all: Entry[] = [];
		for (const [name, e] of [...this.entries]) {
			if (!pred(name)) continue;
			this.entries.delete(name);
			all.push(e);
		}
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
		const [key, ...olderKeys] = this.opts.keysFor(name) ?? [];
		if (!key) throw new NoKeyError(name);
		const doc = new Y.Doc({ gc: true });
		const store = new EncryptedDocStore(doc, name, {
			idb: this.opts.idb,
			dbName: this.opts.dbName,
			key,
			olderKeys,
			onError: this.opts.onStoreError
		});
		const ready = store.whenSynced.then(() => {
			const outcome = migrate(doc, name);
			if (outcome.kind === 'newer') this.opts.onNewerSchema?.(name, outcome);
			// Records in a layout this version cannot read: now, or when a colleague's newer app writes one.
			else
				watchReaderFormat(doc, (version) =>
					this.opts.onNewerSchema?.(name, { kind: 'newer', version, supported: READER_FORMAT })
				);
			return doc;
		});
		e = { doc, store, ready };
		this.entries.set(name, e);
		for (const fn of this.openListeners) fn(name, doc);
		return e;
	}
}

/** The session holds no key for this document's scope (its role does not include it). */
export class NoKeyError extends Error {
	override name = 'NoKeyError';
	constructor(readonly docName: DocName) {
		super(`This account cannot open ${docName.split('/')[0]} documents`);
	}
}
