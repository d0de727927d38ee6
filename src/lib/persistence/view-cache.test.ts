import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { generateDataKey } from './crypto';
import { forgetViews, loadView, openViews, readSealedViews, saveView, viewSlot } from './view-cache';

const W1 = '11111111-1111-4111-8111-111111111111';
const W2 = '22222222-2222-4222-8222-222222222222';
const U = '33333333-3333-4333-8333-333333333333';
const V = '44444444-4444-4444-8444-444444444444';
const value = { day: '2026-11-30', names: { a: 'Testerly, Ombra' } };

describe('view cache', () => {
	it('gives back what was saved, with the key or a later list that holds it', async () => {
		const idb = new FakeIDBFactory();
		const [key, newer] = [await generateDataKey(), await generateDataKey()];
		const slot = viewSlot(W1, U, 'schedule-day');
		expect(await saveView(idb, slot, key, value)).toBe(true);
		expect(await loadView(idb, slot, [key])).toEqual(value);
		expect(await loadView(idb, slot, [newer, key])).toEqual(value);
	});

	it('gives null, never throws, for no entry, a wrong key, altered bytes or an entry moved to another slot', async () => {
		const idb = new FakeIDBFactory();
		const key = await generateDataKey();
		const slot = viewSlot(W1, U, 'schedule-day');
		expect(await loadView(idb, slot, [key])).toBeNull();
		await saveView(idb, slot, key, value);
		expect(await loadView(idb, slot, [await generateDataKey()])).toBeNull();

		// Tamper with the stored bytes, and copy the entry under another slot name.
		const db = await new Promise<IDBDatabase>((r) => {
			const req = idb.open('clinicdesk-view-cache', 1);
			req.onsuccess = () => r(req.result);
		});
		const entry = await new Promise<{ slot: string; iv: Uint8Array; ct: Uint8Array }>((r) => {
			const req = db.transaction('views').objectStore('views').get(slot);
			req.onsuccess = () => r(req.result);
		});
		const other = viewSlot(W1, U, 'other-screen');
		const flipped = new Uint8Array(entry.ct);
		flipped[0] = flipped[0]! ^ 1;
		await new Promise<void>((r) => {
			const tx = db.transaction('views', 'readwrite');
			tx.objectStore('views').put({ ...entry, slot: other });
			tx.objectStore('views').put({ ...entry, ct: flipped });
			tx.oncomplete = () => r();
		});
		db.close();
		expect(await loadView(idb, other, [key])).toBeNull();
		expect(await loadView(idb, slot, [key])).toBeNull();
	});

	it('forgets only the forgotten workspace’s copies', async () => {
		const idb = new FakeIDBFactory();
		const key = await generateDataKey();
		await saveView(idb, viewSlot(W1, U, 'schedule-day'), key, value);
		await saveView(idb, viewSlot(W2, U, 'schedule-day'), key, value);
		await forgetViews(idb, W1);
		expect(await loadView(idb, viewSlot(W1, U, 'schedule-day'), [key])).toBeNull();
		expect(await loadView(idb, viewSlot(W2, U, 'schedule-day'), [key])).toEqual(value);
	});

	it('reads a user’s sealed copies ahead of the keys, and opens them from memory after', async () => {
		const idb = new FakeIDBFactory();
		const key = await generateDataKey();
		const mine = viewSlot(W1, U, 'schedule-day');
		await saveView(idb, mine, key, value);
		await saveView(idb, viewSlot(W1, V, 'schedule-day'), key, { other: 'user' });
		await saveView(idb, viewSlot(W2, U, 'schedule-day'), key, { other: 'workspace' });
		const sealed = await readSealedViews(idb, viewSlot(W1, U, ''));
		expect([...sealed.keys()]).toEqual([mine]);
		// Written after the read: the read copy is what opens (the caller drops it when it writes).
		await saveView(idb, mine, key, { later: true });
		expect(await loadView(idb, mine, [key], sealed)).toEqual(value);
		expect(await loadView(idb, viewSlot(W1, U, 'other-screen'), [key], sealed)).toBeNull();
		expect(await loadView(idb, mine, [await generateDataKey()], sealed)).toBeNull();
		expect((await readSealedViews(idb, viewSlot(W2, V, ''))).size).toBe(0);
		const opened = await openViews(sealed, [await generateDataKey(), key]);
		expect(opened.get(mine)).toEqual(value);
		expect((await openViews(sealed, [await generateDataKey()])).get(mine)).toBeNull();
	});
});
