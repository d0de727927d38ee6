import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { EncryptedDocStore, deleteWorkspaceDatabase } from './store';
import { DB_NAME, contains, fixture, openTab, patients, readRaw, utf16le } from './test-support';

const DOC = 'patients/a';

describe('EncryptedDocStore: storing and loading', () => {
	it('loads in a new doc the state edited before destroy', async () => {
		const f = await fixture();
		const first = await openTab(f, DOC);
		first.doc.getMap('patients').set('p1', { name: 'Ada', dob: '1980-01-02' });
		first.doc.getMap('patients').set('p2', { name: 'Grace' });
		first.doc.getMap('patients').delete('p2');
		await first.store.destroy();

		const second = await openTab(f, DOC);
		expect(second.store.synced).toBe(true);
		expect(patients(second.doc)).toEqual({ p1: { name: 'Ada', dob: '1980-01-02' } });
		expect(second.store.errors).toEqual([]);
	});

	it('stores no plaintext: neither UTF-8 nor UTF-16LE of a name appears in any stored field', async () => {
		const f = await fixture();
		const name = 'Zebulon Quarrington';
		const tab = await openTab(f, DOC);
		tab.doc.getMap('patients').set('p1', { name });
		tab.doc.getText('notes').insert(0, `${name} called about a refill`);
		await tab.store.flush();
		await tab.store.compact(); // the snapshot record too
		tab.doc.getMap('patients').set('p2', { name: `${name} Jr` });
		await tab.store.destroy();

		const rows = await readRaw(f.idb);
		expect(rows.length).toBeGreaterThanOrEqual(2);
		const needles = [new TextEncoder().encode(name), utf16le(name), new TextEncoder().encode('Quarrington')];
		for (const row of rows) {
			expect(Object.keys(row.value).sort()).toEqual(['ct', 'doc', 'iv']);
			const fields = [
				row.value.iv,
				row.value.ct,
				new TextEncoder().encode(row.value.doc),
				utf16le(row.value.doc)
			];
			for (const field of fields) for (const needle of needles) expect(contains(field, needle)).toBe(false);
		}
		// Sanity check of the detector itself.
		expect(contains(new TextEncoder().encode(`x${name}y`), needles[0] ?? new Uint8Array())).toBe(true);
	});

	it('stores updates made before loading finished', async () => {
		const f = await fixture();
		const seed = await openTab(f, DOC);
		seed.doc.getMap('patients').set('old', 1);
		await seed.store.destroy();

		const doc = new Y.Doc();
		const store = new EncryptedDocStore(doc, DOC, { idb: f.idb, dbName: DB_NAME, key: f.key });
		doc.getMap('patients').set('early', 2);
		expect(store.synced).toBe(false);
		await store.whenSynced;
		expect(patients(doc)).toEqual({ old: 1, early: 2 });
		await store.destroy();

		const reloaded = await openTab(f, DOC);
		expect(patients(reloaded.doc)).toEqual({ old: 1, early: 2 });
	});

	it('stores content the doc already had when the store was attached', async () => {
		const f = await fixture();
		const doc = new Y.Doc();
		doc.getMap('patients').set('before', true);
		const store = new EncryptedDocStore(doc, DOC, { idb: f.idb, dbName: DB_NAME, key: f.key });
		await store.destroy();
		expect(patients((await openTab(f, DOC)).doc)).toEqual({ before: true });
	});

	it('does not re-store what it loaded', async () => {
		const f = await fixture();
		const first = await openTab(f, DOC);
		first.doc.getMap('patients').set('p1', 1);
		await first.store.destroy();
		const before = await readRaw(f.idb);
		const second = await openTab(f, DOC);
		await second.store.flush();
		expect(await readRaw(f.idb)).toHaveLength(before.length);
	});

	it('merges updates that arrive while a write is pending into one record', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC);
		for (let i = 0; i < 20; i++) tab.doc.getMap('patients').set(`p${i}`, i);
		await tab.store.flush();
		expect(tab.store.pendingCount).toBe(0);
		expect((await readRaw(f.idb, DOC)).length).toBeLessThan(20);
		await tab.store.destroy();
		expect(Object.keys(patients((await openTab(f, DOC)).doc))).toHaveLength(20);
	});

	it('with debounceMs, batches a burst of edits into one record and flush writes it early', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { debounceMs: 60_000 });
		for (let i = 0; i < 5; i++) {
			tab.doc.getMap('patients').set(`p${i}`, i);
			await new Promise((r) => setTimeout(r, 1));
		}
		expect(tab.store.pendingCount).toBe(5);
		expect(await readRaw(f.idb, DOC)).toHaveLength(0);
		await tab.store.flush();
		expect(tab.store.pendingCount).toBe(0);
		expect(await readRaw(f.idb, DOC)).toHaveLength(1);
		await tab.store.destroy();
	});

	it('with debounceMs, writes the batch by itself once the delay has passed', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { debounceMs: 10 });
		tab.doc.getMap('patients').set('p1', 1);
		tab.doc.getMap('patients').set('p2', 2);
		expect(tab.store.pendingCount).toBe(2);
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(1));
		expect(tab.store.pendingCount).toBe(0);
		await tab.store.destroy();
	});

	it('lets two tabs append to the same doc and a third load sees both', async () => {
		const f = await fixture();
		const a = await openTab(f, DOC);
		const b = await openTab(f, DOC);
		a.doc.getMap('patients').set('from-a', 'A');
		b.doc.getMap('patients').set('from-b', 'B');
		a.doc.getMap('patients').set('also-a', 'A2');
		await Promise.all([a.store.flush(), b.store.flush()]);

		const c = await openTab(f, DOC);
		expect(patients(c.doc)).toEqual({ 'from-a': 'A', 'from-b': 'B', 'also-a': 'A2' });
		await Promise.all([a.store.destroy(), b.store.destroy(), c.store.destroy()]);
	});

	it('keeps documents apart in the shared workspace database', async () => {
		const f = await fixture();
		const a = await openTab(f, 'patients/a');
		const b = await openTab(f, 'patients/b');
		a.doc.getMap('patients').set('only-a', 1);
		b.doc.getMap('patients').set('only-b', 2);
		await Promise.all([a.store.destroy(), b.store.destroy()]);
		expect(patients((await openTab(f, 'patients/a')).doc)).toEqual({ 'only-a': 1 });
		expect(patients((await openTab(f, 'patients/b')).doc)).toEqual({ 'only-b': 2 });
	});

	it('stops storing after destroy and when the doc is destroyed', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC);
		tab.doc.getMap('patients').set('kept', 1);
		await tab.store.destroy();
		tab.doc.getMap('patients').set('not-kept', 2);
		expect(tab.store.pendingCount).toBe(0);

		const other = await openTab(f, 'patients/b');
		other.doc.destroy();
		other.doc.getMap('patients').set('after-doc-destroy', 3);
		await other.store.flush();
		expect(await readRaw(f.idb, 'patients/b')).toHaveLength(0);
		expect(patients((await openTab(f, DOC)).doc)).toEqual({ kept: 1 });
	});

	it('clearData removes this doc’s records only and stops persisting it', async () => {
		const f = await fixture();
		const a = await openTab(f, 'patients/a');
		const b = await openTab(f, 'patients/b');
		a.doc.getMap('patients').set('x', 1);
		b.doc.getMap('patients').set('y', 2);
		await Promise.all([a.store.flush(), b.store.flush()]);

		await a.store.clearData();
		a.doc.getMap('patients').set('after-clear', 3);
		await a.store.flush();
		expect(await readRaw(f.idb, 'patients/a')).toHaveLength(0);
		expect((await readRaw(f.idb, 'patients/b')).length).toBeGreaterThan(0);
		expect(patients((await openTab(f, 'patients/a')).doc)).toEqual({});
		await b.store.destroy();
	});

	it('deleteWorkspaceDatabase wipes the workspace even with a store open, which then reports', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC);
		tab.doc.getMap('patients').set('p1', 1);
		await tab.store.flush();

		await deleteWorkspaceDatabase(f.idb, DB_NAME);
		expect(tab.store.errors.map((e) => e.kind)).toEqual(['open']);
		tab.doc.getMap('patients').set('p2', 2);
		await expect(tab.store.flush()).rejects.toThrow(/in memory/);
		expect(tab.store.pendingCount).toBe(1);
		expect((await f.idb.databases()).map((d) => d.name)).not.toContain(DB_NAME);
		expect(patients((await openTab(f, DOC)).doc)).toEqual({});
	});
});
