/**
 * Layout of a workspace database and the transactions the store runs against it.
 *
 * One database per workspace holds the records of all its documents in a single `updates` store with
 * auto-increment keys and an index on the document name. Sharing one store means primary keys of different
 * documents interleave, so deletions always name exact keys, never key ranges. The only plaintext is the document
 * name (built from fixed words, months and random ids, never from anything a person typed), the IV and the
 * ciphertext.
 */
import type { Sealed } from './crypto';
import { deleteDatabase, openDatabase, transactionDone } from './idb';

const UPDATES = 'updates';
const BY_DOC = 'doc';
const VERSION = 1;

export interface StoredRecord extends Sealed {
	doc: string;
}

/** A record as read back; the value is unchecked because storage is outside our control. */
export interface RawRecord {
	key: number;
	value: unknown;
}

export function isStoredRecord(value: unknown): value is StoredRecord {
	if (typeof value !== 'object' || value === null) return false;
	const r = value as Record<string, unknown>;
	return typeof r.doc === 'string' && r.iv instanceof Uint8Array && r.ct instanceof Uint8Array;
}

export function openWorkspaceDatabase(
	idb: IDBFactory,
	dbName: string,
	onClosedByOthers: () => void
): Promise<IDBDatabase> {
	return openDatabase(
		idb,
		dbName,
		VERSION,
		(db) => {
			if (!db.objectStoreNames.contains(UPDATES)) {
				db.createObjectStore(UPDATES, { autoIncrement: true }).createIndex(BY_DOC, 'doc');
			}
		},
		onClosedByOthers
	);
}

/** Deletes a whole workspace database; open stores of that workspace close their connections and stop writing. */
export function deleteWorkspaceDatabase(idb: IDBFactory, dbName: string): Promise<void> {
	return deleteDatabase(idb, dbName);
}

/** All records of one document, in key order, from one consistent snapshot. */
export async function readDocRecords(db: IDBDatabase, docName: string): Promise<RawRecord[]> {
	const tx = db.transaction(UPDATES, 'readonly');
	const index = tx.objectStore(UPDATES).index(BY_DOC);
	// Both lists are ordered by (index key, primary key) within the same transaction, so they line up.
	const values = index.getAll(docName);
	const keys = index.getAllKeys(docName);
	await transactionDone(tx);
	const out: RawRecord[] = [];
	keys.result.forEach((key, i) => {
		if (typeof key === 'number') out.push({ key, value: values.result[i] });
	});
	return out;
}

export async function appendRecord(db: IDBDatabase, record: StoredRecord): Promise<number> {
	const tx = db.transaction(UPDATES, 'readwrite');
	let req: IDBRequest<IDBValidKey>;
	try {
		req = tx.objectStore(UPDATES).add(record);
	} catch (e) {
		// A synchronous throw leaves the transaction open with nothing in it; end it before reporting.
		tx.abort();
		throw e;
	}
	await transactionDone(tx);
	return req.result as number;
}

/**
 * Atomically swaps the records `replaced` for `record`: either the snapshot is stored and they are gone, or
 * nothing changed. Records not listed (other documents, later appends from other tabs, unreadable records kept
 * for forensics) are untouched.
 */
export async function replaceRecords(
	db: IDBDatabase,
	replaced: number[],
	record: StoredRecord
): Promise<void> {
	const tx = db.transaction(UPDATES, 'readwrite');
	try {
		const store = tx.objectStore(UPDATES);
		for (const key of replaced) store.delete(key);
		store.add(record);
	} catch (e) {
		tx.abort();
		throw e;
	}
	await transactionDone(tx);
}

/** Deletes every record of one document, readable or not. */
export async function deleteDocRecords(db: IDBDatabase, docName: string): Promise<void> {
	const tx = db.transaction(UPDATES, 'readwrite');
	const store = tx.objectStore(UPDATES);
	const keys = store.index(BY_DOC).getAllKeys(docName);
	keys.onsuccess = () => {
		for (const key of keys.result) store.delete(key);
	};
	await transactionDone(tx);
}
