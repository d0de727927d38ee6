import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { recordAad, seal, unseal } from './crypto';
import { deleteDeviceKey, loadOrCreateDeviceKey } from './keys';

const aad = recordAad('directory');
const plaintext = new TextEncoder().encode('front desk roster');

async function sealsForEachOther(a: CryptoKey, b: CryptoKey): Promise<boolean> {
	const sealed = await seal(a, plaintext, aad);
	try {
		return (await unseal(b, sealed, aad)).length === plaintext.length;
	} catch {
		return false;
	}
}

describe('device key', () => {
	it('is non-extractable', async () => {
		const key = await loadOrCreateDeviceKey(new FakeIDBFactory(), 'ws-1');
		expect(key.extractable).toBe(false);
		await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
		await expect(crypto.subtle.exportKey('jwk', key)).rejects.toThrow();
	});

	it('is the same key on a later load, still non-extractable', async () => {
		const idb = new FakeIDBFactory();
		const first = await loadOrCreateDeviceKey(idb, 'ws-1');
		const second = await loadOrCreateDeviceKey(idb, 'ws-1');
		expect(second).not.toBe(first); // a structured clone, not the cached object
		expect(second.extractable).toBe(false);
		expect(await sealsForEachOther(first, second)).toBe(true);
		expect(await sealsForEachOther(second, first)).toBe(true);
	});

	it('differs between workspaces', async () => {
		const idb = new FakeIDBFactory();
		const a = await loadOrCreateDeviceKey(idb, 'ws-a');
		const b = await loadOrCreateDeviceKey(idb, 'ws-b');
		expect(await sealsForEachOther(a, b)).toBe(false);
	});

	it('agrees when two tabs create it at the same time', async () => {
		const idb = new FakeIDBFactory();
		const [a, b] = await Promise.all([
			loadOrCreateDeviceKey(idb, 'ws-1'),
			loadOrCreateDeviceKey(idb, 'ws-1')
		]);
		expect(await sealsForEachOther(a, b)).toBe(true);
		const later = await loadOrCreateDeviceKey(idb, 'ws-1');
		expect(await sealsForEachOther(a, later)).toBe(true);
	});

	it('is replaced by a new key after deletion, so old records become unreadable', async () => {
		const idb = new FakeIDBFactory();
		const old = await loadOrCreateDeviceKey(idb, 'ws-1');
		await deleteDeviceKey(idb, 'ws-1');
		const fresh = await loadOrCreateDeviceKey(idb, 'ws-1');
		expect(await sealsForEachOther(old, fresh)).toBe(false);
	});

	it('refuses an empty workspace id', async () => {
		await expect(loadOrCreateDeviceKey(new FakeIDBFactory(), '')).rejects.toThrow(/workspaceId/);
	});

	it('refuses a stored value that is not an AES-GCM key instead of silently replacing it', async () => {
		const idb = new FakeIDBFactory();
		await loadOrCreateDeviceKey(idb, 'ws-1');
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = idb.open('clinicdesk-keys');
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error ?? new Error('open failed'));
		});
		const tx = db.transaction('keys', 'readwrite');
		tx.objectStore('keys').put({ not: 'a key' }, 'ws-1');
		await new Promise<void>((resolve) => (tx.oncomplete = () => resolve()));
		db.close();
		await expect(loadOrCreateDeviceKey(idb, 'ws-1')).rejects.toThrow(/not a usable AES-GCM key/);
	});
});
