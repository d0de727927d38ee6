/**
 * Shared fixtures for the persistence tests: a fresh in-memory IndexedDB per test and raw access to what the
 * store wrote, so tests can inspect and tamper with stored bytes the way an attacker or a bad disk would.
 * Imported only by *.test.ts files.
 */
import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import * as Y from 'yjs';
import { generateDataKey } from './crypto';
import { transactionDone } from './idb';
import { EncryptedDocStore, type EncryptedDocStoreOptions } from './store';

export const DB_NAME = 'clinicdesk-00000000-0000-4000-8000-000000000001';

export interface Fixture {
	idb: IDBFactory;
	key: CryptoKey;
}

export async function fixture(): Promise<Fixture> {
	return { idb: new FakeIDBFactory(), key: await generateDataKey() };
}

export interface Tab {
	doc: Y.Doc;
	store: EncryptedDocStore;
}

/** A new Y.Doc with a store attached, loaded. */
export async function openTab(
	f: Fixture,
	docName: string,
	opts: Partial<EncryptedDocStoreOptions> = {}
): Promise<Tab> {
	const doc = new Y.Doc();
	const store = new EncryptedDocStore(doc, docName, { idb: f.idb, dbName: DB_NAME, key: f.key, ...opts });
	await store.whenSynced;
	return { doc, store };
}

export interface RawRow {
	key: number;
	value: { doc: string; iv: Uint8Array; ct: Uint8Array };
}

function openRaw(idb: IDBFactory): Promise<IDBDatabase> {
	return new Promise((resolve, reject) => {
		const req = idb.open(DB_NAME);
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error ?? new Error('open failed'));
	});
}

/** Every record in the workspace database, all documents, in key order. */
export async function readRaw(idb: IDBFactory, docName?: string): Promise<RawRow[]> {
	const db = await openRaw(idb);
	try {
		const tx = db.transaction('updates', 'readonly');
		const store = tx.objectStore('updates');
		const values = store.getAll();
		const keys = store.getAllKeys();
		await transactionDone(tx);
		const rows = keys.result.map((key, i) => ({
			key: key as number,
			value: values.result[i] as RawRow['value']
		}));
		return docName === undefined ? rows : rows.filter((r) => r.value.doc === docName);
	} finally {
		db.close();
	}
}

/** Writes a raw value, at `key` when given (overwriting), else appended. Returns the key used. */
export async function writeRaw(idb: IDBFactory, value: unknown, key?: number): Promise<number> {
	const db = await openRaw(idb);
	try {
		const tx = db.transaction('updates', 'readwrite');
		const req = tx.objectStore('updates').put(value, key);
		await transactionDone(tx);
		return req.result as number;
	} finally {
		db.close();
	}
}

export function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
	outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
		for (let j = 0; j < needle.length; j++) {
			if (haystack[i + j] !== needle[j]) continue outer;
		}
		return true;
	}
	return false;
}

export function utf16le(text: string): Uint8Array {
	const out = new Uint8Array(text.length * 2);
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		out[2 * i] = unit & 0xff;
		out[2 * i + 1] = unit >> 8;
	}
	return out;
}

/** Plain-data view of a doc's `patients` map, for state comparisons. */
export function patients(doc: Y.Doc): Record<string, unknown> {
	return doc.getMap('patients').toJSON();
}
