import { IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixture, openTab, patients, readRaw, writeRaw, type Fixture, type Tab } from './test-support';

const DOC = 'schedule/2025-03';

afterEach(() => {
	vi.restoreAllMocks();
});

/** One stored record per edit: flushing after each keeps them from being merged. */
async function editSeparately(tab: Tab, count: number, prefix = 'a'): Promise<void> {
	for (let i = 0; i < count; i++) {
		tab.doc.getMap('patients').set(`${prefix}${i}`, i);
		await tab.store.flush();
	}
}

async function reload(f: Fixture): Promise<Record<string, unknown>> {
	const tab = await openTab(f, DOC);
	const state = patients(tab.doc);
	await tab.store.destroy();
	return state;
}

describe('EncryptedDocStore: compaction', () => {
	it('compact() rewrites the doc as one record with the same state, leaving other docs alone', async () => {
		const f = await fixture();
		const other = await openTab(f, 'schedule/2025-04');
		await editSeparately(other, 3, 'o');
		const tab = await openTab(f, DOC);
		await editSeparately(tab, 10);
		tab.doc.getMap('patients').delete('a3');
		const expected = patients(tab.doc);
		expect((await readRaw(f.idb, DOC)).length).toBeGreaterThanOrEqual(10);

		await tab.store.compact();
		expect(await readRaw(f.idb, DOC)).toHaveLength(1);
		expect(await readRaw(f.idb, 'schedule/2025-04')).toHaveLength(3);
		await tab.store.destroy();
		await other.store.destroy();
		expect(await reload(f)).toEqual(expected);
	});

	it('compacts on its own once the doc has more than compactEvery records', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { compactEvery: 5 });
		await editSeparately(tab, 12);
		expect((await readRaw(f.idb, DOC)).length).toBeLessThanOrEqual(6);
		await tab.store.destroy();
		expect(Object.keys(await reload(f))).toHaveLength(12);
	});

	it('compacts after loading a doc that already has too many records', async () => {
		const f = await fixture();
		const writer = await openTab(f, DOC);
		await editSeparately(writer, 8);
		await writer.store.destroy();

		const tab = await openTab(f, DOC, { compactEvery: 5 });
		await tab.store.flush(); // queued behind the load-time compaction
		expect(await readRaw(f.idb, DOC)).toHaveLength(1);
		expect(Object.keys(patients(tab.doc))).toHaveLength(8);
	});

	it('keeps a record another tab appends between reading and swapping', async () => {
		const f = await fixture();
		const a = await openTab(f, DOC);
		const b = await openTab(f, DOC);
		await editSeparately(a, 5);

		// The snapshot's encryption is the last await before the swap transaction: slip tab B's write in there.
		const encrypt = crypto.subtle.encrypt.bind(crypto.subtle);
		let bKey: number | undefined;
		vi.spyOn(crypto.subtle, 'encrypt').mockImplementationOnce(async (...args) => {
			b.doc.getMap('patients').set('from-b', 'B');
			await b.store.flush();
			bKey = (await readRaw(f.idb, DOC)).at(-1)?.key;
			return encrypt(...args);
		});
		await a.store.compact();

		const rows = await readRaw(f.idb, DOC);
		expect(bKey).toBeDefined();
		expect(rows.map((r) => r.key)).toContain(bKey);
		expect(rows).toHaveLength(2);
		expect(patients(a.doc)).not.toHaveProperty('from-b'); // A never saw it; storage still has it
		await Promise.all([a.store.destroy(), b.store.destroy()]);
		expect(await reload(f)).toMatchObject({ a0: 0, a4: 4, 'from-b': 'B' });
	});

	it('includes records other tabs stored before compaction started', async () => {
		const f = await fixture();
		const a = await openTab(f, DOC);
		const b = await openTab(f, DOC);
		await editSeparately(a, 3);
		b.doc.getMap('patients').set('from-b', 'B');
		await b.store.flush();

		await a.store.compact();
		expect(await readRaw(f.idb, DOC)).toHaveLength(1);
		await Promise.all([a.store.destroy(), b.store.destroy()]);
		expect(await reload(f)).toEqual({ a0: 0, a1: 1, a2: 2, 'from-b': 'B' });
	});

	it('never deletes undecryptable records, and does not report them twice', async () => {
		const f = await fixture();
		const writer = await openTab(f, DOC);
		await editSeparately(writer, 4);
		await writer.store.destroy();
		const rows = await readRaw(f.idb, DOC);
		const victim = rows[0];
		if (victim === undefined) throw new Error('seed missing');
		const ct = victim.value.ct.slice();
		ct[0] = (ct[0] ?? 0) ^ 1;
		await writeRaw(f.idb, { ...victim.value, ct }, victim.key);

		const tab = await openTab(f, DOC, { compactEvery: 2 });
		await tab.store.compact();
		await editSeparately(tab, 4, 'b'); // enough to trigger automatic compaction again
		const after = await readRaw(f.idb, DOC);
		expect(after.map((r) => r.key)).toContain(victim.key);
		expect(after.find((r) => r.key === victim.key)?.value.ct).toEqual(ct);
		expect(after.length).toBeLessThanOrEqual(4);
		expect(tab.store.errors.filter((e) => e.recordKey === victim.key)).toHaveLength(1);
		await tab.store.destroy();
	});

	it('leaves storage untouched and keeps the state when the swap hits a full disk', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC);
		await editSeparately(tab, 4);
		const before = (await readRaw(f.idb, DOC)).map((r) => r.key);
		vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementationOnce(() => {
			throw new DOMException('simulated', 'QuotaExceededError');
		});
		await expect(tab.store.compact()).rejects.toThrow(/Local storage is full/);
		expect((await readRaw(f.idb, DOC)).map((r) => r.key)).toEqual(before);
		await tab.store.destroy();
		expect(Object.keys(await reload(f))).toHaveLength(4);
	});
});
