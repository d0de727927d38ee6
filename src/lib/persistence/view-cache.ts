/**
 * A sealed copy of what a screen showed last, so the next cold open can paint it at once — before
 * the documents it came from are read, decrypted and applied (for a large clinic that takes seconds;
 * issue "Performance": an offline cold open should show today's schedule within 300 ms). The
 * documents stay the truth: the screen replaces the copy as soon as they are loaded.
 *
 * The copy holds PHI (names on today's schedule), so it is sealed like every stored record
 * (AES-GCM, a scope key of the session, the slot's name bound in as associated data) and lives in
 * its own small IndexedDB database, one entry per workspace, user and screen. Anything wrong with
 * an entry — a key that no longer opens it, altered bytes, a full disk — only means no early paint:
 * it is a cache, and never the reason a screen fails.
 */
import { seal, unseal } from './crypto';
import { openDatabase, transactionDone } from './idb';

const DB_NAME = 'clinicdesk-view-cache';
const STORE = 'views';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Entry {
	slot: string;
	iv: Uint8Array;
	ct: Uint8Array;
}

/** The entry's name: workspace, user and screen (ids and fixed words only, never PHI). */
export function viewSlot(workspaceId: string, userId: string, screen: string): string {
	return `${workspaceId}/${userId}/${screen}`;
}

const aad = (slot: string) => encoder.encode(`clinicdesk/view-cache/v1\u0000${slot}`);

async function withStore<T>(
	idb: IDBFactory,
	mode: IDBTransactionMode,
	fn: (s: IDBObjectStore) => IDBRequest<T> | void
): Promise<T | undefined> {
	const db = await openDatabase(idb, DB_NAME, 1, (d) => d.createObjectStore(STORE, { keyPath: 'slot' }));
	try {
		const tx = db.transaction(STORE, mode);
		const req = fn(tx.objectStore(STORE));
		await transactionDone(tx);
		return req ? req.result : undefined;
	} finally {
		db.close();
	}
}

/** Seals `value` (JSON) under `key` and keeps it as the slot's copy. Resolves false when it could not. */
export async function saveView(
	idb: IDBFactory,
	slot: string,
	key: CryptoKey,
	value: unknown
): Promise<boolean> {
	try {
		const sealed = await seal(key, encoder.encode(JSON.stringify(value)), aad(slot));
		const entry: Entry = { slot, iv: sealed.iv, ct: sealed.ct };
		await withStore(idb, 'readwrite', (s) => s.put(entry));
		return true;
	} catch {
		return false;
	}
}

/**
 * The sealed copies whose slots start with `prefix` (a workspace and user: `viewSlot(ws, user, '')`),
 * still sealed. An unlock starts this before deriving the passphrase key (hundreds of milliseconds
 * of PBKDF2), so the first screen only has to open what is already in memory. Never rejects.
 */
export async function readSealedViews(
	idb: IDBFactory,
	prefix: string
): Promise<ReadonlyMap<string, unknown>> {
	const out = new Map<string, unknown>();
	try {
		// One small entry per workspace, user and screen: reading them all is one request.
		const all = await withStore<unknown[]>(idb, 'readonly', (s) => s.getAll());
		for (const e of all ?? []) if (isEntry(e) && e.slot.startsWith(prefix)) out.set(e.slot, e);
	} catch {
		// no early paint, that is all
	}
	return out;
}

/**
 * The slot's copy, opened with the first key that fits; null when there is none or it cannot be read.
 * `sealed`: what `readSealedViews` read for this slot's workspace and user, if it ran.
 */
export async function loadView(
	idb: IDBFactory,
	slot: string,
	keys: readonly CryptoKey[],
	sealed?: ReadonlyMap<string, unknown>
): Promise<unknown> {
	let entry: unknown;
	if (sealed) entry = sealed.get(slot);
	else {
		try {
			entry = await withStore<unknown>(idb, 'readonly', (s) => s.get(slot));
		} catch {
			return null;
		}
	}
	return openView(entry, slot, keys);
}

/** Every copy `readSealedViews` read, opened (null where one does not open), by slot. */
export async function openViews(
	sealed: ReadonlyMap<string, unknown>,
	keys: readonly CryptoKey[]
): Promise<ReadonlyMap<string, unknown>> {
	const slots = [...sealed.keys()];
	const opened = await Promise.all(slots.map((slot) => openView(sealed.get(slot), slot, keys)));
	return new Map(slots.map((slot, i) => [slot, opened[i]]));
}

async function openView(entry: unknown, slot: string, keys: readonly CryptoKey[]): Promise<unknown> {
	if (!isEntry(entry) || entry.slot !== slot) return null;
	for (const key of keys) {
		try {
			const plain = await unseal(key, { iv: entry.iv, ct: entry.ct }, aad(slot));
			return JSON.parse(decoder.decode(plain)) as unknown;
		} catch {
			// an older key, altered bytes, or not JSON: try the next key, then give up quietly
		}
	}
	return null;
}

/** Drops every copy kept for a workspace (when this workstation forgets it). */
export async function forgetViews(idb: IDBFactory, workspaceId: string): Promise<void> {
	try {
		await withStore(idb, 'readwrite', (s) => {
			// Deletes issued from the request's callback keep the transaction alive until they finish.
			const keys = s.getAllKeys();
			keys.onsuccess = () => {
				for (const k of keys.result) if (String(k).startsWith(`${workspaceId}/`)) s.delete(k);
			};
		});
	} catch {
		// Nothing to forget, or the database is unavailable: the copies are sealed either way.
	}
}

function isEntry(v: unknown): v is Entry {
	if (typeof v !== 'object' || v === null) return false;
	const e = v as Record<string, unknown>;
	return typeof e.slot === 'string' && e.iv instanceof Uint8Array && e.ct instanceof Uint8Array;
}
