/**
 * Encrypted, append-only IndexedDB persistence for one Y.Doc (the idea of y-indexeddb, with every record sealed).
 *
 * Why append-only: a Yjs update is small and self-contained, so each change (or batch of changes) becomes one
 * sealed record and a crash loses at most what had not been written yet. Loading replays every record; Yjs makes
 * replay order-independent and idempotent, which is also why several tabs may append to the same document
 * without coordination.
 *
 * Why compaction: replaying thousands of tiny records is slow, so past `compactEvery` records the store rewrites
 * the records it has read into one snapshot. The snapshot is the encoded doc state after applying exactly those
 * records (and whatever is in memory, which is harmless to include), so deleted text is garbage-collected out
 * of storage too. The swap is one transaction that deletes only the keys it read and decrypted, so records
 * appended meanwhile by another tab survive, and unreadable records are kept for forensics.
 *
 * Why a single serial queue: loading, writing, compaction and clearing all run one at a time in call order, so
 * compaction never races this store's own appends and `flush()` is simply "wait for the queue, then write the
 * rest". Updates that arrive while a write is in flight are merged into the next record.
 *
 * Why after the next frame: an update, local or from the relay, is applied and shown in the same task; sealing and
 * storing it then would hold the paint back (after-paint.ts). `flush()` and a page being hidden write at once.
 *
 * Failures never throw out of Yjs event handlers: they land in `errors` / `onError`, and unsaved updates stay in
 * `pending` (in memory, like the doc itself) to be retried on the next write or flush.
 */
import * as Y from 'yjs';
import { afterPaint, type Cancel } from './after-paint';
import { recordAad, seal } from './crypto';
import { problem, reportTo, StoreFailure, type Problem, type StoreError } from './errors';
import {
	appendRecord,
	deleteDocRecords,
	openWorkspaceDatabase,
	readDocRecords,
	replaceRecords,
	type RawRecord
} from './records';
import { replay } from './replay';

export { deleteWorkspaceDatabase } from './records';
export { StoreFailure, type StoreError, type StoreErrorKind } from './errors';

const ignore = (): void => undefined;

export interface EncryptedDocStoreOptions {
	idb: IDBFactory;
	/** Workspace database, e.g. `clinicdesk-<uuid>`; must not contain PHI. */
	dbName: string;
	/** Seals new records (and compaction snapshots). */
	key: CryptoKey;
	/** Older key versions still accepted when reading; compaction rewrites their records under `key`. */
	olderKeys?: readonly CryptoKey[];
	/** Compact once this store knows of more than this many records of the doc. Default 300. */
	compactEvery?: number;
	/**
	 * 0 (default): write each update right after the next frame (at most ~100 ms later, at once when
	 * the page is hidden), merging those that arrive meanwhile or during a write. >0: batch for this long.
	 */
	debounceMs?: number;
	/** With `debounceMs` 0: the longest an update waits for the next frame before it is written. Default 100. */
	writeWithinMs?: number;
	onError?: (e: StoreError) => void;
}

export class EncryptedDocStore {
	readonly doc: Y.Doc;
	readonly docName: string;
	/** True once every stored record has been read and applied. */
	synced = false;
	/** Resolves when loading finished; rejects (with StoreFailure) only if the database could not be read. */
	readonly whenSynced: Promise<this>;
	/** Everything that went wrong, oldest first (capped at the most recent 500). */
	readonly errors: StoreError[] = [];

	private readonly opts: EncryptedDocStoreOptions;
	private readonly aad: Uint8Array;
	private readonly compactEvery: number;
	private readonly debounceMs: number;
	private db: IDBDatabase | null = null;
	/** Updates seen but not yet stored, in arrival order. */
	private readonly pending: Uint8Array[] = [];
	private tail: Promise<void>;
	private drainQueued = false;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private cancelAfterPaint: Cancel | undefined;
	private detached = false;
	/** Records of this doc this store knows to exist (loaded, written, or left by compaction). */
	private count = 0;
	private compactAt: number;
	/** Keys of records that failed to decrypt or apply: reported once, never deleted by compaction. */
	private readonly unreadable = new Set<number>();

	constructor(doc: Y.Doc, docName: string, opts: EncryptedDocStoreOptions) {
		this.doc = doc;
		this.docName = docName;
		this.opts = opts;
		this.aad = recordAad(docName);
		this.compactEvery = Math.max(1, Math.floor(opts.compactEvery ?? 300));
		this.compactAt = this.compactEvery;
		this.debounceMs = Math.max(0, opts.debounceMs ?? 0);

		// Listen before loading so edits made while records are being read are captured too.
		doc.on('update', this.onUpdate);
		doc.on('destroy', this.onDocDestroy);
		// Content the doc had before the store was attached never produces an update event; store it explicitly.
		if (doc.store.clients.size > 0) this.pending.push(Y.encodeStateAsUpdate(doc));

		const loading = this.load();
		this.tail = loading.catch(ignore);
		this.whenSynced = loading.then(() => this);
		// Failure is already reported; this only keeps an unobserved whenSynced from being an unhandled rejection.
		void this.whenSynced.catch(ignore);
		if (this.pending.length > 0) this.scheduleDrain();
		this.scheduleCompactionIfDue();
	}

	/** Updates (or merged batches of updates) not yet stored. */
	get pendingCount(): number {
		return this.pending.length;
	}

	/** Resolves when every update seen so far is stored; rejects with StoreFailure if that is not possible now. */
	async flush(): Promise<void> {
		this.clearTimer();
		await this.exclusive(() => this.drain());
	}

	/** Rewrites this doc's readable records as one snapshot. Pending updates are written first when possible. */
	async compact(): Promise<void> {
		this.clearTimer();
		await this.exclusive(async () => {
			try {
				await this.drain();
			} catch {
				// Reported already; compaction may free the very space the retry needs.
			}
			await this.compactNow();
		});
		if (this.pending.length > 0) this.scheduleDrain();
	}

	/** Stops listening, stores what was seen before this call, closes the connection. Rejects if data was unsaved. */
	async destroy(): Promise<void> {
		this.detach();
		let failure: unknown = null;
		try {
			await this.flush();
		} catch (e) {
			failure = e;
		}
		await this.exclusive(async () => this.closeDb());
		if (failure !== null) throw failure;
	}

	/**
	 * Purges this doc from the device: stops persisting it, drops unsaved updates, deletes all its records
	 * (readable or not) and closes the connection. The in-memory Y.Doc is left alone.
	 */
	async clearData(): Promise<void> {
		this.detach();
		this.pending.length = 0;
		await this.exclusive(async () => {
			const db = this.db ?? (await openWorkspaceDatabase(this.opts.idb, this.opts.dbName, () => undefined));
			try {
				await deleteDocRecords(db, this.docName);
			} finally {
				db.close();
				this.db = null;
			}
			this.count = 0;
			this.unreadable.clear();
		});
	}

	private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
		// Our own replays are already stored.
		if (origin === this || this.detached) return;
		this.pending.push(update);
		if (this.debounceMs === 0) {
			// The frame and the timers are asked for after this task's other work (`requestLater`): this
			// listener runs before the sync provider's (the store is attached first), whose send to the
			// relay should not wait behind them.
			this.cancelAfterPaint ??= afterPaint(
				() => {
					this.cancelAfterPaint = undefined;
					this.scheduleDrain();
				},
				this.opts.writeWithinMs,
				{ requestLater: true }
			);
		} else if (this.timer === undefined) {
			this.timer = setTimeout(() => {
				this.timer = undefined;
				this.scheduleDrain();
			}, this.debounceMs);
		}
	};

	private readonly onDocDestroy = (): void => {
		void this.destroy().catch(ignore); // failures are in `errors`
	};

	private async load(): Promise<void> {
		try {
			this.db = await openWorkspaceDatabase(this.opts.idb, this.opts.dbName, () => this.closedByOthers());
			const records = await readDocRecords(this.db, this.docName);
			this.count = records.length;
			await this.ingest(records);
			this.synced = true;
		} catch (e) {
			throw this.fail(problem.open(e));
		}
	}

	/** Replays records not already known to be unreadable; returns the keys that were applied. */
	private async ingest(records: RawRecord[]): Promise<number[]> {
		const fresh = records.filter((r) => !this.unreadable.has(r.key));
		const ctx = {
			doc: this.doc,
			docName: this.docName,
			key: this.opts.key,
			olderKeys: this.opts.olderKeys,
			aad: this.aad,
			origin: this,
			listener: this.onUpdate
		};
		const { applied, failed } = await replay(ctx, fresh);
		// Reported after the Yjs transaction so handlers may safely touch the doc.
		for (const failure of failed) {
			this.unreadable.add(failure.key);
			this.report(failure.problem);
		}
		return applied;
	}

	/** Writes pending updates until none are left; runs only inside `exclusive`. */
	private async drain(): Promise<void> {
		while (this.pending.length > 0) {
			const db = this.requireDb();
			const n = this.pending.length;
			const update = n === 1 ? (this.pending[0] as Uint8Array) : Y.mergeUpdates(this.pending.slice(0, n));
			// Sealed before the transaction opens: awaiting WebCrypto inside it would let it auto-commit.
			const sealed = await seal(this.opts.key, update, this.aad);
			try {
				await appendRecord(db, { doc: this.docName, iv: sealed.iv, ct: sealed.ct });
			} catch (e) {
				// Keep the batch as one merged update so retries do not re-merge it every time.
				this.pending.splice(0, n, update);
				throw this.fail(problem.write(e));
			}
			this.pending.splice(0, n);
			this.count++;
			if (this.count - this.unreadable.size > this.compactAt) {
				try {
					await this.compactNow();
				} catch {
					// Reported; the update itself is stored, which is what drain promises.
				}
			}
		}
	}

	/** Runs only inside `exclusive`. */
	private async compactNow(): Promise<void> {
		const db = this.requireDb();
		const records = await readDocRecords(db, this.docName);
		const applied = await this.ingest(records);
		this.count = records.length;
		if (applied.length <= 1) return;
		const snapshot = Y.encodeStateAsUpdate(this.doc);
		const sealed = await seal(this.opts.key, snapshot, this.aad);
		try {
			await replaceRecords(db, applied, { doc: this.docName, iv: sealed.iv, ct: sealed.ct });
		} catch (e) {
			// Back off so a full disk does not trigger a costly compaction attempt on every keystroke.
			this.compactAt = this.count - this.unreadable.size + this.compactEvery;
			throw this.fail(problem.write(e));
		}
		this.count = records.length - applied.length + 1;
		this.compactAt = this.compactEvery;
	}

	private scheduleCompactionIfDue(): void {
		void this.exclusive(async () => {
			if (this.db !== null && this.count - this.unreadable.size > this.compactAt) await this.compactNow();
		}).catch(ignore); // reported
	}

	private scheduleDrain(): void {
		if (this.drainQueued) return;
		this.drainQueued = true;
		void this.exclusive(async () => {
			// Cleared first: updates arriving during this drain either join it or queue the next one.
			this.drainQueued = false;
			await this.drain();
		}).catch(ignore); // reported; updates stay pending for the next attempt
	}

	/** Runs `task` after everything queued before it, whether that succeeded or not. */
	private exclusive<T>(task: () => Promise<T>): Promise<T> {
		const run = this.tail.then(task);
		this.tail = run.then(ignore, ignore);
		return run;
	}

	private requireDb(): IDBDatabase {
		if (this.db !== null) return this.db;
		throw this.fail(problem.noConnection(this.pending.length));
	}

	private closedByOthers(): void {
		if (this.db === null) return;
		this.db = null;
		this.report(problem.closed());
	}

	private closeDb(): void {
		this.db?.close();
		this.db = null;
	}

	private detach(): void {
		if (this.detached) return;
		this.detached = true;
		this.clearTimer();
		this.doc.off('update', this.onUpdate);
		this.doc.off('destroy', this.onDocDestroy);
	}

	private clearTimer(): void {
		this.cancelAfterPaint?.();
		this.cancelAfterPaint = undefined;
		if (this.timer === undefined) return;
		clearTimeout(this.timer);
		this.timer = undefined;
	}

	private report(p: Problem): StoreError {
		return reportTo(this.errors, this.docName, this.opts.onError, p);
	}

	private fail(p: Problem): StoreFailure {
		return new StoreFailure(this.report(p));
	}
}
