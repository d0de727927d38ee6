import { IDBObjectStore } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { generateDataKey, recordAad, seal } from './crypto';
import { EncryptedDocStore, StoreFailure, type StoreError } from './store';
import { DB_NAME, fixture, openTab, patients, readRaw, writeRaw, type Fixture } from './test-support';

const DOC = 'patients/a';
const SECRET = 'Zebulon Quarrington';

afterEach(() => {
	vi.restoreAllMocks();
});

/**
 * Stores three records for DOC holding p1, p2, p3. By default each comes from its own Y.Doc (its own Yjs client),
 * so the records do not depend on each other; with `sameClient` one doc writes all three in sequence.
 */
async function seedThree(f: Fixture, sameClient = false): Promise<number[]> {
	const shared = sameClient ? await openTab(f, DOC) : null;
	for (const id of ['p1', 'p2', 'p3']) {
		const tab = shared ?? (await openTab(f, DOC));
		tab.doc.getMap('patients').set(id, { name: `${SECRET} ${id}` });
		await tab.store.flush();
		if (shared === null) await tab.store.destroy();
	}
	await shared?.store.destroy();
	const keys = (await readRaw(f.idb, DOC)).map((r) => r.key);
	expect(keys).toHaveLength(3);
	return keys;
}

async function corruptRecord(f: Fixture, index: number): Promise<number> {
	const victim = (await readRaw(f.idb, DOC))[index];
	if (victim === undefined) throw new Error('seed missing');
	const ct = victim.value.ct.slice();
	ct[ct.length - 1] = (ct[ct.length - 1] ?? 0) ^ 0xff;
	await writeRaw(f.idb, { ...victim.value, ct }, victim.key);
	return victim.key;
}

function expectNoContents(errors: StoreError[]): void {
	for (const e of errors) expect(JSON.stringify(e)).not.toContain('Quarrington');
}

describe('EncryptedDocStore: unreadable records', () => {
	it('reports and skips a record with corrupted ciphertext, loads the rest and keeps it stored', async () => {
		const f = await fixture();
		const keys = await seedThree(f);
		await corruptRecord(f, 1);

		const seen: StoreError[] = [];
		const tab = await openTab(f, DOC, { onError: (e) => seen.push(e) });
		expect(Object.keys(patients(tab.doc)).sort()).toEqual(['p1', 'p3']);
		expect(tab.store.errors).toEqual([
			expect.objectContaining({ kind: 'decrypt', docName: DOC, recordKey: keys[1] })
		]);
		expect(seen).toEqual(tab.store.errors);
		expectNoContents(tab.store.errors);
		await tab.store.destroy();
		expect((await readRaw(f.idb, DOC)).map((r) => r.key)).toEqual(keys);
	});

	it('holds back later edits of the same client behind a lost record, keeps them, and recovers via sync', async () => {
		const f = await fixture();
		const writer = await openTab(f, DOC);
		const sent: Uint8Array[] = []; // what a sync provider would have sent to the relay
		writer.doc.on('update', (u: Uint8Array) => sent.push(u));
		for (const id of ['p1', 'p2', 'p3']) {
			writer.doc.getMap('patients').set(id, id);
			await writer.store.flush();
		}
		await writer.store.destroy();
		await corruptRecord(f, 1);

		// Yjs cannot integrate p3 while p2 (earlier in the same client's history) is missing; it stays pending
		// inside the doc. That is Yjs causality, not this store: "the rest loads" means the rest is not lost.
		const tab = await openTab(f, DOC);
		expect(Object.keys(patients(tab.doc))).toEqual(['p1']);
		expect(tab.store.errors.map((e) => e.kind)).toEqual(['decrypt']);
		await tab.store.compact(); // the snapshot must carry the held-back update (encodeStateAsUpdate does)
		await tab.store.destroy();

		const reloaded = await openTab(f, DOC);
		expect(Object.keys(patients(reloaded.doc))).toEqual(['p1']);
		const p2 = sent[1];
		if (p2 === undefined) throw new Error('update not captured');
		Y.applyUpdate(reloaded.doc, p2, 'sync'); // the relay re-delivers the lost update
		expect(patients(reloaded.doc)).toEqual({ p1: 'p1', p2: 'p2', p3: 'p3' });
		await reloaded.store.destroy();
		expect(patients((await openTab(f, DOC)).doc)).toEqual({ p1: 'p1', p2: 'p2', p3: 'p3' });
	});

	it('refuses a record copied into another document (AAD binds the doc name)', async () => {
		const f = await fixture();
		await seedThree(f);
		const rows = await readRaw(f.idb, DOC);
		for (const row of rows) await writeRaw(f.idb, { ...row.value, doc: 'patients/b' });

		const b = await openTab(f, 'patients/b');
		expect(patients(b.doc)).toEqual({});
		expect(b.store.errors.map((e) => e.kind)).toEqual(['decrypt', 'decrypt', 'decrypt']);
		expectNoContents(b.store.errors);
	});

	it('with the wrong key reports every record, loads nothing and does not crash', async () => {
		const f = await fixture();
		await seedThree(f);
		const tab = await openTab({ idb: f.idb, key: await generateDataKey() }, DOC);
		expect(tab.store.synced).toBe(true);
		expect(patients(tab.doc)).toEqual({});
		expect(tab.store.errors.map((e) => e.kind)).toEqual(['decrypt', 'decrypt', 'decrypt']);
		expectNoContents(tab.store.errors);
		tab.doc.getMap('patients').set('new', 1);
		await tab.store.destroy();
	});

	it('reports a record that decrypts but is not a Yjs update as an apply error and loads the rest', async () => {
		const f = await fixture();
		await seedThree(f);
		const junk = await seal(f.key, new Uint8Array([1, 2, 3]), recordAad(DOC));
		const junkKey = await writeRaw(f.idb, { doc: DOC, ...junk });

		const tab = await openTab(f, DOC);
		expect(Object.keys(patients(tab.doc)).sort()).toEqual(['p1', 'p2', 'p3']);
		expect(tab.store.errors).toEqual([expect.objectContaining({ kind: 'apply', recordKey: junkKey })]);
	});

	it('reports a record of unexpected shape', async () => {
		const f = await fixture();
		await seedThree(f);
		await writeRaw(f.idb, { doc: DOC, iv: 'nope', ct: 42 });
		const tab = await openTab(f, DOC);
		expect(Object.keys(patients(tab.doc))).toHaveLength(3);
		expect(tab.store.errors.map((e) => e.kind)).toEqual(['decrypt']);
	});
});

describe('EncryptedDocStore: write failures', () => {
	/** The next `add` on any object store throws like a full disk would; later calls reach the real `add`. */
	function failNextAdd(name: string, times = 1): void {
		const spy = vi.spyOn(IDBObjectStore.prototype, 'add');
		for (let i = 0; i < times; i++) {
			spy.mockImplementationOnce(() => {
				throw new DOMException('simulated', name);
			});
		}
	}

	it('keeps an update pending on QuotaExceededError and stores it on the next write', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC);
		failNextAdd('QuotaExceededError');
		tab.doc.getMap('patients').set('p1', { name: SECRET });
		await vi.waitFor(() => expect(tab.store.errors).toHaveLength(1));

		const [error] = tab.store.errors;
		expect(error).toMatchObject({ kind: 'quota', docName: DOC });
		expect(error?.message).toMatch(/^Local storage is full/);
		expectNoContents(tab.store.errors);
		expect(tab.store.pendingCount).toBe(1);
		expect(await readRaw(f.idb, DOC)).toHaveLength(0);

		tab.doc.getMap('patients').set('p2', 2); // the next write retries the pending update with it
		await vi.waitFor(() => expect(tab.store.pendingCount).toBe(0));
		await tab.store.destroy();
		expect(patients((await openTab(f, DOC)).doc)).toEqual({ p1: { name: SECRET }, p2: 2 });
	});

	it('retries pending updates on flush, and flush rejects while they cannot be stored', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC);
		failNextAdd('QuotaExceededError');
		tab.doc.getMap('patients').set('p1', 1);
		await vi.waitFor(() => expect(tab.store.errors).toHaveLength(1));

		failNextAdd('QuotaExceededError');
		const failure = await tab.store.flush().catch((e: unknown) => e);
		expect(failure).toBeInstanceOf(StoreFailure);
		expect((failure as StoreFailure).storeError.kind).toBe('quota');
		expect(tab.store.pendingCount).toBe(1);

		await tab.store.flush();
		expect(tab.store.pendingCount).toBe(0);
		expect(patients((await openTab(f, DOC)).doc)).toEqual({ p1: 1 });
	});

	it('reports other write errors as kind write, without record contents', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC);
		failNextAdd('UnknownError', 2);
		tab.doc.getMap('patients').set('p1', { name: SECRET });
		// The store's own attempt (shortly after the update), then flush's retry.
		await vi.waitFor(() => expect(tab.store.errors).toHaveLength(1));
		await expect(tab.store.flush()).rejects.toBeInstanceOf(StoreFailure);
		expect(tab.store.errors.map((e) => e.kind)).toEqual(['write', 'write']);
		expect(tab.store.errors[0]?.message).toContain('UnknownError');
		expectNoContents(tab.store.errors);
		await tab.store.destroy();
		expect(tab.store.pendingCount).toBe(0);
	});

	it('survives an onError handler that throws', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, {
			onError: () => {
				throw new Error('handler bug');
			}
		});
		failNextAdd('QuotaExceededError');
		tab.doc.getMap('patients').set('p1', 1);
		await vi.waitFor(() => expect(tab.store.errors).toHaveLength(1));
		await tab.store.flush();
		expect(tab.store.pendingCount).toBe(0);
	});

	it('rejects whenSynced with an open error when the database cannot be opened, keeping edits in memory', async () => {
		const f = await fixture();
		vi.spyOn(f.idb, 'open').mockImplementation(() => {
			throw new DOMException('simulated', 'InvalidStateError');
		});
		const doc = new Y.Doc();
		const store = new EncryptedDocStore(doc, DOC, { idb: f.idb, dbName: DB_NAME, key: f.key });
		doc.getMap('patients').set('p1', { name: SECRET });
		await expect(store.whenSynced).rejects.toBeInstanceOf(StoreFailure);
		expect(store.synced).toBe(false);
		expect(store.errors[0]).toMatchObject({ kind: 'open', docName: DOC });
		await expect(store.flush()).rejects.toBeInstanceOf(StoreFailure);
		expect(store.pendingCount).toBe(1);
		await expect(store.destroy()).rejects.toBeInstanceOf(StoreFailure);
		expectNoContents(store.errors);
	});
});
