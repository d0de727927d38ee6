import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { DocManager } from './docs';
import type { Subscriber } from './shared-doc';
import { MemoryStore } from './store/memory';
import type { UpdateMeta, UpdateRow } from './store/types';

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

/** A subscriber that keeps what the relay sends it. */
function inbox(): Subscriber & { sent: Uint8Array[]; kinds(): string[] } {
	const sent: Uint8Array[] = [];
	return {
		sent,
		canWrite: () => true,
		identity: () => ({ userId: 'u2', role: 'front-desk' }),
		send: (m) => void sent.push(m),
		kinds: () => sent.map((m) => (m[0] === 0 ? ['step1', 'step2', 'update'][m[1]!]! : `type${m[0]}`))
	};
}

function step1(doc: Y.Doc): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	syncProtocol.writeSyncStep1(e, doc);
	return encoding.toUint8Array(e);
}

const turn = () => new Promise((r) => setImmediate(r));

/** Counts group commits; `gate` holds them until it resolves. */
class BatchingStore extends MemoryStore {
	batches: number[] = [];
	gate: Promise<void> = Promise.resolve();
	override async appendMany(doc: string, rows: readonly UpdateRow[]) {
		this.batches.push(rows.length);
		await super.appendMany(doc, rows);
		await this.gate;
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

	it('appends the updates of one turn of the event loop in one batch, in order', async () => {
		const store = new BatchingStore();
		const docs = new DocManager(store, { idleEvictMs: 1000, compactEvery: 500 });
		const doc = await docs.acquire('directory');
		doc.subscribe(writer);
		doc.receive(writer, catchUp());
		for (let i = 0; i < 50; i++) doc.receive(writer, edit(`k${i}`));
		await until(() => store.rowCount('directory') === 50);
		expect(store.batches).toEqual([50]);
		doc.receive(writer, edit('later'));
		await until(() => store.rowCount('directory') === 51);
		expect(store.batches).toEqual([50, 1]);
		const replayed = new Y.Doc();
		for (const u of await store.load('directory')) Y.applyUpdate(replayed, u);
		expect(replayed.getMap('m').size).toBe(51);
		expect((await store.audit('directory')).length).toBe(51);
		await docs.closeAll();
	});

	it('acknowledges (state vector, barriers) only what is in the store; broadcasts at once', async () => {
		const store = new BatchingStore();
		let open!: () => void;
		store.gate = new Promise((r) => (open = r));
		const docs = new DocManager(store, { idleEvictMs: 1000, compactEvery: 500 });
		const doc = await docs.acquire('directory');
		const other = inbox();
		doc.subscribe(writer);
		doc.subscribe(other);
		doc.receive(writer, catchUp());
		doc.receive(other, catchUp());
		doc.receive(other, step1(new Y.Doc()));
		expect(other.kinds()).toEqual(['step1', 'step2']);
		doc.receive(writer, edit('a'));
		// The other workstation sees the edit at once…
		expect(other.kinds()).toEqual(['step1', 'step2', 'update']);
		// …but its barrier waits until the edit is stored, and a newcomer is greeted with the
		// state vector of the store, which does not have the edit yet.
		expect(doc.receive(other, step1(new Y.Doc()))).toBe('ok');
		const newcomer = inbox();
		doc.subscribe(newcomer);
		expect(newcomer.kinds()).toEqual(['step1']);
		expect(Y.decodeStateVector(newcomer.sent[0]!.subarray(3)).size).toBe(0);
		await turn();
		await turn();
		expect(store.rowCount('directory')).toBe(1);
		expect(other.kinds()).toEqual(['step1', 'step2', 'update']);
		open();
		await until(() => other.sent.length === 4);
		expect(other.kinds().at(-1)).toBe('step2');
		// Stored now: greeted with the state vector that has the edit; barriers answered at once.
		const late = inbox();
		doc.subscribe(late);
		expect([...Y.decodeStateVector(late.sent[0]!.subarray(3)).values()]).toEqual([1]);
		doc.receive(other, step1(new Y.Doc()));
		expect(other.sent).toHaveLength(5);
		await docs.closeAll();
	});

	it('tries a refused batch again, ahead of newer updates, and acknowledges once it is stored', async () => {
		const store = new FlakyStore();
		const docs = new DocManager(store, { idleEvictMs: 1000, compactEvery: 500 });
		const doc = await docs.acquire('patients/1');
		const other = inbox();
		doc.subscribe(writer);
		doc.subscribe(other);
		doc.receive(writer, catchUp());
		doc.receive(other, step1(new Y.Doc()));
		store.failing = true;
		doc.receive(writer, edit('first'));
		doc.receive(other, step1(new Y.Doc()));
		await turn();
		await turn();
		expect(other.kinds()).toEqual(['step1', 'step2', 'update']);
		store.failing = false;
		doc.receive(writer, edit('second'));
		await until(() => other.sent.length === 5);
		expect(other.kinds()).toEqual(['step1', 'step2', 'update', 'update', 'step2']);
		const stored = await store.load('patients/1');
		const keys = stored.map((u) => {
			const d = new Y.Doc();
			Y.applyUpdate(d, u);
			return [...d.getMap('m').keys()].join();
		});
		expect(keys).toEqual(['first', 'second']);
		expect((await store.audit('patients/1')).length).toBe(2);
		await docs.closeAll();
	});

	it('tries a refused batch again after a while when no newer update comes', async () => {
		const store = new FlakyStore();
		const docs = new DocManager(store, { idleEvictMs: 1000, compactEvery: 500 });
		const doc = await docs.acquire('patients/2');
		doc.subscribe(writer);
		doc.receive(writer, catchUp());
		store.failing = true;
		doc.receive(writer, edit('late'));
		await turn();
		await turn();
		store.failing = false;
		expect(store.rowCount('patients/2')).toBe(0);
		await until(() => store.rowCount('patients/2') === 1, 3000);
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
