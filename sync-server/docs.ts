/**
 * The documents resident in the relay's memory. A document is loaded from the store on first use
 * and handed out only once loaded, so nobody is ever served a half-filled doc. Writes to the store
 * are chained per document, which keeps appends in order and lets a compaction's snapshot cover
 * every update appended before it. A document with no subscribers for `idleEvictMs` is compacted
 * and dropped; if the store refused a write, the document stays resident (the snapshot taken at
 * the next attempt covers whatever failed) rather than losing updates by leaving memory.
 */
import type { SyncLimits } from './config';
import { log } from './log';
import { SharedDoc, type Subscriber } from './shared-doc';
import type { DocStore } from './store/types';

interface Entry {
	name: string;
	doc: SharedDoc;
	loaded: Promise<SharedDoc>;
	refs: number;
	writes: Promise<void>;
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
				entry.doc.destroy();
				this.entries.delete(entry.name);
			})
		);
	}

	private create(name: string): Entry {
		const doc = new SharedDoc(name, (update, from) => this.append(entry, update, from));
		const entry: Entry = {
			name,
			doc,
			loaded: Promise.resolve(doc),
			refs: 0,
			writes: Promise.resolve(),
			sinceCompaction: 0,
			writeFailed: false
		};
		entry.loaded = this.store.load(name).then(
			(updates) => {
				doc.load(updates);
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
		entry.sinceCompaction += 1;
		entry.writes = entry.writes
			.then(() => this.store.append(entry.name, update, { userId, role, bytes: update.length }))
			.catch((e: unknown) => {
				entry.writeFailed = true;
				log.error('store-append-failed', { doc: entry.name, error: errorName(e) });
			});
		if (entry.sinceCompaction >= this.opts.compactEvery) this.compact(entry);
	}

	private compact(entry: Entry): void {
		entry.sinceCompaction = 0;
		entry.writes = entry.writes.then(async () => {
			if (entry.doc.loadFailures > 0) return;
			try {
				// Taken when the chain reaches it, so it covers every append queued before it.
				await this.store.compact(entry.name, entry.doc.snapshot());
				entry.writeFailed = false;
			} catch (e) {
				entry.writeFailed = true;
				log.error('store-compact-failed', { doc: entry.name, error: errorName(e) });
			}
		});
	}

	private async flush(entry: Entry): Promise<void> {
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
				if (entry.writeFailed) {
					log.warn('doc-kept-unsaved', { doc: entry.name });
				} else {
					entry.doc.destroy();
					this.entries.delete(entry.name);
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
