/**
 * The documents resident in the relay's memory. A document is loaded from the store on first use
 * and handed out only once loaded, so nobody is ever served a half-filled doc. Writes to the store
 * are chained per document, which keeps appends in order and lets a compaction's snapshot cover
 * every update appended before it. A document with no subscribers for `idleEvictMs` is compacted
 * and dropped; if the store refused a write, the document stays resident (the snapshot taken at
 * the next attempt covers whatever failed) rather than losing updates by leaving memory.
 *
 * Group commit: the updates a document receives during one turn of the event loop are appended in
 * one transaction at the end of that turn (setImmediate), not in a transaction each. A commit costs
 * more CPU than the rest of an update's handling, so under load this is what keeps the relay's
 * throughput near that of a relay without persistence; with one update per turn, nothing changes.
 * Updates are applied and broadcast at once, before their batch is written; what waits for the
 * write is what a workstation takes as the relay's acknowledgement (SharedDoc's header): the state
 * vector a subscriber is greeted with is that of the stored document (`storedStateVector`), and
 * barriers are answered once everything before them is stored (`afterStored`). A batch the store
 * refuses stays queued, ahead of newer updates, and is tried again with the next batch or after
 * RETRY_MS; acknowledgements wait for it.
 */
import * as Y from 'yjs';
import { benchTrace } from './bench-trace';
import type { SyncLimits } from './config';
import { log } from './log';
import { SharedDoc, type Subscriber } from './shared-doc';
import type { DocStore, UpdateRow } from './store/types';

/** How soon a batch the store refused is tried again if no newer update comes to take it along. */
const RETRY_MS = 1000;

interface Entry {
	name: string;
	doc: SharedDoc;
	loaded: Promise<SharedDoc>;
	refs: number;
	/** Store operations of this document, one after the other: batches of appends and compactions. */
	writes: Promise<void>;
	/** Updates not in the store yet, oldest first: this turn's, and any the store refused. */
	batch: UpdateRow[];
	/** A batch write is scheduled or chained and has not taken `batch` yet. */
	flushQueued: boolean;
	retryTimer?: NodeJS.Timeout;
	/** Updates queued so far, and how many of them (always the oldest) are in the store. */
	queued: number;
	stored: number;
	/** The document's state vector when its last batch was taken for the store (which then wrote it). */
	storedStateVector: Uint8Array;
	/** Callbacks waiting until `stored` reaches `need`, in the order they came (`need` never decreases). */
	waiters: { need: number; run: () => void }[];
	sinceCompaction: number;
	writeFailed: boolean;
	evictTimer?: NodeJS.Timeout;
	closing?: Promise<void>;
}

export type DocOptions = Pick<SyncLimits, 'idleEvictMs' | 'compactEvery'>;

export class DocManager {
	private readonly entries = new Map<string, Entry>();
	private shuttingDown = false;

	constructor(
		private readonly store: DocStore,
		private readonly opts: DocOptions
	) {}

	get resident(): number {
		return this.entries.size;
	}

	has(name: string): boolean {
		return this.entries.has(name);
	}

	/** The loaded document, counted as in use until `release`. Rejects if it cannot be loaded. */
	async acquire(name: string): Promise<SharedDoc> {
		for (;;) {
			if (this.shuttingDown) throw new Error('relay is shutting down');
			const existing = this.entries.get(name);
			if (existing?.closing) {
				await existing.closing;
				continue;
			}
			const entry = existing ?? this.create(name);
			entry.refs += 1;
			clearTimeout(entry.evictTimer);
			entry.evictTimer = undefined;
			try {
				return await entry.loaded;
			} catch (e) {
				entry.refs -= 1;
				throw e;
			}
		}
	}

	release(doc: SharedDoc): void {
		const entry = this.entries.get(doc.name);
		if (!entry || entry.doc !== doc) return;
		entry.refs -= 1;
		if (entry.refs === 0 && !this.shuttingDown) this.scheduleEviction(entry);
	}

	/** Compacts every resident document and drops it; the store is left open for the caller. */
	async closeAll(): Promise<void> {
		this.shuttingDown = true;
		const all = [...this.entries.values()];
		await Promise.all(
			all.map(async (entry) => {
				clearTimeout(entry.evictTimer);
				await entry.closing;
				if (!this.entries.has(entry.name)) return;
				try {
					await entry.loaded;
				} catch {
					return;
				}
				await this.flush(entry);
				if (entry.batch.length > 0) {
					log.error('store-updates-unsaved', { doc: entry.name, updates: entry.batch.length });
				}
				this.drop(entry);
			})
		);
	}

	private create(name: string): Entry {
		const doc = new SharedDoc(name, {
			persist: (update, from) => this.append(entry, update, from),
			afterStored: (then) => this.afterStored(entry, then),
			storedStateVector: () => (entry.stored < entry.queued ? entry.storedStateVector : null)
		});
		const entry: Entry = {
			name,
			doc,
			loaded: Promise.resolve(doc),
			refs: 0,
			writes: Promise.resolve(),
			batch: [],
			flushQueued: false,
			queued: 0,
			stored: 0,
			storedStateVector: new Uint8Array([0]),
			waiters: [],
			sinceCompaction: 0,
			writeFailed: false
		};
		entry.loaded = this.store.load(name).then(
			(updates) => {
				doc.load(updates);
				entry.storedStateVector = Y.encodeStateVector(doc.doc);
				entry.sinceCompaction = updates.length > 1 ? updates.length : 0;
				if (doc.loadFailures > 0) {
					log.warn('doc-load-failures', { doc: name, failed: doc.loadFailures, rows: updates.length });
				}
				if (entry.sinceCompaction >= this.opts.compactEvery) this.compact(entry);
				return doc;
			},
			(e: unknown) => {
				this.entries.delete(name);
				doc.destroy();
				log.error('doc-load-failed', { doc: name, error: errorName(e) });
				throw new Error(`could not load ${name}`);
			}
		);
		// Callers await `loaded`; this handler only keeps a rejection that nobody awaits from being
		// reported as unhandled.
		entry.loaded.catch(() => undefined);
		this.entries.set(name, entry);
		return entry;
	}

	private append(entry: Entry, update: Uint8Array, from: Subscriber): void {
		const { userId, role } = from.identity();
		entry.batch.push({ update, meta: { userId, role, bytes: update.length } });
		entry.queued += 1;
		entry.sinceCompaction += 1;
		if (!entry.flushQueued) {
			entry.flushQueued = true;
			setImmediate(() => this.chainBatch(entry));
		}
		if (entry.sinceCompaction >= this.opts.compactEvery) this.compact(entry);
	}

	/** Runs `then` once every update queued so far is in the store: at once if it already is. */
	private afterStored(entry: Entry, then: () => void): void {
		if (entry.stored >= entry.queued) then();
		else entry.waiters.push({ need: entry.queued, run: then });
	}

	private chainBatch(entry: Entry): void {
		entry.flushQueued = true;
		entry.writes = entry.writes.then(() => this.writeBatch(entry));
	}

	/** Appends every queued update (one transaction if the store can); never rejects. */
	private async writeBatch(entry: Entry): Promise<void> {
		entry.flushQueued = false;
		const rows = entry.batch;
		if (rows.length === 0) return;
		entry.batch = [];
		// Every update applied so far is stored already or in `rows` (persist runs as each is applied).
		const stateVector = Y.encodeStateVector(entry.doc.doc);
		let written = 0;
		const start = benchTrace.enabled ? benchTrace.now() : 0;
		try {
			if (this.store.appendMany) {
				await this.store.appendMany(entry.name, rows);
				written = rows.length;
			} else {
				for (const { update, meta } of rows) {
					await this.store.append(entry.name, update, meta);
					written += 1;
				}
			}
		} catch (e) {
			entry.writeFailed = true;
			log.error('store-append-failed', {
				doc: entry.name,
				updates: rows.length - written,
				error: errorName(e)
			});
		}
		if (benchTrace.enabled) benchTrace.record('store', start, rows.length, entry.doc.traceNo);
		entry.stored += written;
		if (written === rows.length) entry.storedStateVector = stateVector;
		else {
			// Ahead of anything newer, so what is stored is always the oldest updates.
			entry.batch = rows.slice(written).concat(entry.batch);
			this.scheduleRetry(entry);
		}
		this.releaseWaiters(entry);
	}

	private scheduleRetry(entry: Entry): void {
		if (entry.retryTimer) return;
		entry.retryTimer = setTimeout(() => {
			entry.retryTimer = undefined;
			if (this.entries.get(entry.name) === entry && entry.batch.length > 0) this.chainBatch(entry);
		}, RETRY_MS);
		entry.retryTimer.unref();
	}

	private releaseWaiters(entry: Entry): void {
		let ready = 0;
		while (ready < entry.waiters.length && entry.waiters[ready]!.need <= entry.stored) ready += 1;
		if (ready === 0) return;
		for (const { run } of entry.waiters.splice(0, ready)) {
			try {
				run();
			} catch (e) {
				// A waiter only sends to its subscriber; a failure there must not stop the others.
				log.error('doc-waiter-failed', { doc: entry.name, error: errorName(e) });
			}
		}
	}

	private drop(entry: Entry): void {
		clearTimeout(entry.retryTimer);
		entry.waiters.length = 0;
		entry.doc.destroy();
		this.entries.delete(entry.name);
	}

	private compact(entry: Entry): void {
		entry.sinceCompaction = 0;
		entry.writes = entry.writes.then(async () => {
			if (entry.doc.loadFailures > 0) return;
			const start = benchTrace.enabled ? benchTrace.now() : 0;
			try {
				// Taken when the chain reaches it, so it covers every append queued before it.
				await this.store.compact(entry.name, entry.doc.snapshot());
				if (benchTrace.enabled) benchTrace.record('compact', start, 0, entry.doc.traceNo);
				entry.writeFailed = false;
			} catch (e) {
				entry.writeFailed = true;
				log.error('store-compact-failed', { doc: entry.name, error: errorName(e) });
			}
		});
	}

	/** Writes whatever is queued and compacts; resolves when the store has finished both. */
	private async flush(entry: Entry): Promise<void> {
		clearTimeout(entry.retryTimer);
		entry.retryTimer = undefined;
		if (entry.batch.length > 0) this.chainBatch(entry);
		if (entry.sinceCompaction > 0 || entry.writeFailed) this.compact(entry);
		await entry.writes;
	}

	private scheduleEviction(entry: Entry): void {
		clearTimeout(entry.evictTimer);
		entry.evictTimer = setTimeout(() => this.evict(entry), this.opts.idleEvictMs);
		entry.evictTimer.unref();
	}

	private evict(entry: Entry): void {
		entry.evictTimer = undefined;
		if (entry.refs > 0 || entry.closing || this.shuttingDown) return;
		entry.closing = (async () => {
			try {
				await this.flush(entry);
				if (entry.writeFailed || entry.batch.length > 0) {
					log.warn('doc-kept-unsaved', { doc: entry.name });
				} else {
					this.drop(entry);
					log.debug('doc-evicted', { doc: entry.name });
					return;
				}
			} catch (e) {
				log.error('doc-evict-failed', { doc: entry.name, error: errorName(e) });
			}
			// Still resident: waiters use it as it is, and eviction is tried again later.
			entry.closing = undefined;
			if (entry.refs === 0) this.scheduleEviction(entry);
		})();
	}
}

function errorName(e: unknown): string {
	return e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : 'unknown';
}
