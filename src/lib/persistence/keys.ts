/**
 * Per-device, per-workspace key, kept as a non-extractable CryptoKey object in IndexedDB. Since users and
 * roles arrived it seals only the documents that must open before anyone logs in and hold no PHI: the
 * keyring (staff accounts, wrapped keys) and this workstation's audit logs (crdt/layout.ts usesDeviceKey).
 * Clinic data is sealed with per-scope keys that only a passphrase unwraps (keywrap.ts).
 *
 * What it gives: those records are never plaintext in IndexedDB, and page script can use the key but never
 * export it. What it does NOT give: the browser stores the key material in the same profile, so anyone with a
 * copy of the profile can read the keyring and audit logs (staff names, wrapped keys, action codes — no PHI;
 * the wrapped keys still need a passphrase).
 *
 * Two tabs opening the same workspace for the first time may both generate a key; the check-and-insert runs in a
 * single readwrite transaction (IndexedDB serialises those per store), so exactly one key wins and both tabs
 * return it.
 */
import { generateDataKey } from './crypto';
import { openDatabase, transactionDone } from './idb';

const KEYS_DB = 'clinicdesk-keys';
const KEYS_STORE = 'keys';
const KEYS_VERSION = 1;

function openKeysDb(idb: IDBFactory): Promise<IDBDatabase> {
	return openDatabase(idb, KEYS_DB, KEYS_VERSION, (db) => {
		if (!db.objectStoreNames.contains(KEYS_STORE)) db.createObjectStore(KEYS_STORE);
	});
}

function requireWorkspaceId(workspaceId: string): void {
	if (workspaceId.length === 0) throw new Error('workspaceId must not be empty');
}

function asDataKey(value: unknown): CryptoKey {
	const usable =
		value instanceof CryptoKey &&
		value.type === 'secret' &&
		value.algorithm.name === 'AES-GCM' &&
		value.usages.includes('encrypt') &&
		value.usages.includes('decrypt');
	// Silently replacing an unusable key would make every stored record unreadable for good; surface it instead.
	if (!usable) throw new Error('The stored device key for this workspace is not a usable AES-GCM key');
	return value;
}

async function readKey(db: IDBDatabase, workspaceId: string): Promise<unknown> {
	const tx = db.transaction(KEYS_STORE, 'readonly');
	const req = tx.objectStore(KEYS_STORE).get(workspaceId);
	await transactionDone(tx);
	return req.result;
}

export async function loadOrCreateDeviceKey(idb: IDBFactory, workspaceId: string): Promise<CryptoKey> {
	requireWorkspaceId(workspaceId);
	const db = await openKeysDb(idb);
	try {
		const existing = await readKey(db, workspaceId);
		if (existing !== undefined) return asDataKey(existing);

		// Generated before the write transaction: awaiting WebCrypto inside it would let it auto-commit.
		const fresh = await generateDataKey();
		const tx = db.transaction(KEYS_STORE, 'readwrite');
		const store = tx.objectStore(KEYS_STORE);
		const req = store.get(workspaceId);
		req.onsuccess = () => {
			if (req.result === undefined) store.add(fresh, workspaceId);
		};
		await transactionDone(tx);
		const winner: unknown = req.result;
		return winner === undefined ? fresh : asDataKey(winner);
	} finally {
		db.close();
	}
}

/** Forgets the key; every record encrypted under it becomes permanently unreadable (crypto-shredding). */
export async function deleteDeviceKey(idb: IDBFactory, workspaceId: string): Promise<void> {
	requireWorkspaceId(workspaceId);
	const db = await openKeysDb(idb);
	try {
		const tx = db.transaction(KEYS_STORE, 'readwrite');
		tx.objectStore(KEYS_STORE).delete(workspaceId);
		await transactionDone(tx);
	} finally {
		db.close();
	}
}
