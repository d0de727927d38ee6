import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { DocManager } from './docs';
import type { Subscriber } from './shared-doc';
import { MemoryStore } from './store/memory';
import type { UpdateMeta } from './store/types';

const writer: Subscriber = {
	canWrite: () => true,
	identity: () => ({ userId: 'u1', role: 'front-desk' }),
	send: () => undefined
};

function edit(key: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('m').set(key, key);
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc));
	return encoding.toUint8Array(e);
}

/** The (empty) sync step 2 every y-websocket client sends after the relay's step 1. */
function catchUp(): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	syncProtocol.writeSyncStep2(e, new Y.Doc());
	return encoding.toUint8Array(e);
}

const until = async (check: () => boolean, ms = 2000) => {
	const end = Date.now() + ms;
	while (!check()) {
		if (Date.now() > end) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 5));
	}
};

class SlowStore extends MemoryStore {
	loads = 0;
	gate: Promise<void> = Promise.resolve();
	override async load(doc: string) {
		this.loads += 1;
		await this.gate;
		return super.load(doc);
	}
}

class FlakyStore extends MemoryStore {
	failing = false;
	override async append(doc: string, update: Uint8Array, meta: UpdateMeta) {
		if (this.failing) throw new Error('disk full');
		return super.append(doc, update, meta);
	}
	override async compact(doc: string, snapshot: Uint8Array) {
		if (this.failing) throw new Error('disk full');
		return super.compact(doc, snapshot);
	}
}

describe('document manager', () => {
	it('serves a document only once it has loaded, and loads it once', async () => {
		const store = new SlowStore();
		await store.append('directory', Y.encodeStateAsUpdate(docWith('k')), {
			userId: 'u',
			role: 'r',
			bytes: 1
		});
		let open!: () => void;
		store.gate = new Promise((r) => (open = r));
		const docs = new DocManager(store, { idleEvictMs: 1000, compactEvery: 500 });
		let served = 0;
		const first = docs.acquire('directory').then((d) => {
			served += 1;
			return d;
		});
		const second = docs.acquire('directory').then((d) => {
			served += 1;
			return d;
		});
		await new Promise((r) => setTimeout(r, 20));
		expect(served).toBe(0);
		open();
		const [a, b] = await Promise.all([first, second]);
		expect(a).toBe(b);
		expect(a.doc.getMap('m').get('k')).toBe('k');
		expect(store.loads).toBe(1);
		await docs.closeAll();
	});

	it('compacts and evicts a document nobody uses, and loads it again on demand', async () => {
		const store = new MemoryStore();
		const docs = new DocManager(store, { idleEvictMs: 30, compactEvery: 500 });
		const doc = await docs.acquire('schedule/2026-11');
		doc.subscribe(writer);
		doc.receive(writer, catchUp());
		for (const k of ['a', 'b', 'c']) expect(doc.receive(writer, edit(k))).toBe('ok');
		await until(() => store.rowCount('schedule/2026-11') === 3);
		doc.unsubscribe(writer);
		docs.release(doc);
		await until(() => docs.resident === 0);
		expect(store.rowCount('schedule/2026-11')).toBe(1);
		const again = await docs.acquire('schedule/2026-11');
		expect(again).not.toBe(doc);
		expect(again.doc.getMap('m').toJSON()).toEqual({ a: 'a', b: 'b', c: 'c' });
		await docs.closeAll();
	});

	it('keeps a document that is acquired again before its idle time is up', async () => {
		const docs = new DocManager(new MemoryStore(), { idleEvictMs: 30, compactEvery: 500 });
		const doc = await docs.acquire('directory');
		docs.release(doc);
		expect(await docs.acquire('directory')).toBe(doc);
		await new Promise((r) => setTimeout(r, 60));
		expect(docs.resident).toBe(1);
		await docs.closeAll();
		expect(docs.resident).toBe(0);
	});

	it('compacts the log every compactEvery updates', async () => {
		const store = new MemoryStore();
		const docs = new DocManager(store, { idleEvictMs: 1000, compactEvery: 3 });
		const doc = await docs.acquire('directory');
		doc.subscribe(writer);
		doc.receive(writer, catchUp());
		for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) doc.receive(writer, edit(k));
		await docs.closeAll();
		expect(store.rowCount('directory')).toBe(1);
		expect((await store.audit('directory')).length).toBe(7);
	});

	it('keeps a document resident while the store refuses writes, and lets go once it accepts', async () => {
		const store = new FlakyStore();
		const docs = new DocManager(store, { idleEvictMs: 20, compactEvery: 500 });
		const doc = await docs.acquire('patients/1');
		doc.subscribe(writer);
		doc.receive(writer, catchUp());
		store.failing = true;
		doc.receive(writer, edit('lost-on-disk'));
		doc.unsubscribe(writer);
		docs.release(doc);
		await new Promise((r) => setTimeout(r, 80));
		expect(docs.resident).toBe(1);
		store.failing = false;
		await until(() => docs.resident === 0);
		const fresh = await docs.acquire('patients/1');
		expect(fresh.doc.getMap('m').get('lost-on-disk')).toBe('lost-on-disk');
		await docs.closeAll();
	});

	it('rejects when a document cannot be loaded, and tries again next time', async () => {
		const store = new SlowStore();
		store.gate = Promise.reject(new Error('io'));
		store.gate.catch(() => undefined);
		const docs = new DocManager(store, { idleEvictMs: 1000, compactEvery: 500 });
		await expect(docs.acquire('directory')).rejects.toThrow(/could not load/);
		expect(docs.resident).toBe(0);
		store.gate = Promise.resolve();
		await expect(docs.acquire('directory')).resolves.toBeDefined();
		await docs.closeAll();
	});
});

function docWith(key: string): Y.Doc {
	const d = new Y.Doc();
	d.getMap('m').set(key, key);
	return d;
}
