/**
 * Promise wrappers for the handful of IndexedDB operations this layer needs.
 *
 * The factory is always passed in rather than read from `globalThis.indexedDB`, so tests can hand each case a
 * fresh in-memory factory and the app can decide which factory (or none) a workspace gets.
 *
 * IndexedDB transactions commit on their own as soon as no request is pending at the end of a task, so callers
 * must issue every request of a transaction synchronously and only then `await transactionDone(tx)`; awaiting
 * anything else (WebCrypto in particular) in between makes later requests fail with TransactionInactiveError.
 */

/** Resolves when the transaction commits; rejects with its error when it aborts or fails. */
export function transactionDone(tx: IDBTransaction): Promise<void> {
	return new Promise((resolve, reject) => {
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error ?? new DOMException('Transaction failed', 'UnknownError'));
		tx.onabort = () => reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
	});
}

/** Resolves with a request's result; for requests outside a transaction (open, deleteDatabase). */
function requestDone<T>(req: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error ?? new DOMException('Request failed', 'UnknownError'));
	});
}

/**
 * Opens `name` at `version`, running `upgrade` when the database is new or older. The connection closes itself
 * when another context wants to delete or upgrade the database, so that a wipe is never blocked by an open tab;
 * `onClosedByOthers` lets the owner stop using the connection.
 */
export async function openDatabase(
	idb: IDBFactory,
	name: string,
	version: number,
	upgrade: (db: IDBDatabase) => void,
	onClosedByOthers?: () => void
): Promise<IDBDatabase> {
	const req = idb.open(name, version);
	req.onupgradeneeded = () => upgrade(req.result);
	const db = await requestDone(req);
	db.onversionchange = () => {
		db.close();
		onClosedByOthers?.();
	};
	return db;
}

export async function deleteDatabase(idb: IDBFactory, name: string): Promise<void> {
	// Other connections receive `versionchange` and close themselves (see openDatabase), so `blocked` is only
	// transient and the request completes once they have.
	await requestDone(idb.deleteDatabase(name));
}

/**
 * The DOMException/Error name only. Messages are deliberately not surfaced: some engines put parts of the
 * offending value into DataCloneError and similar messages, and values here may hold PHI.
 */
export function errorName(e: unknown): string {
	if (typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string') return e.name;
	return 'UnknownError';
}
