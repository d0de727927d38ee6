import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStore } from './memory';
import { SqliteStore } from './sqlite';
import type { DocStore } from './types';

const meta = { userId: 'u1', role: 'front-desk', bytes: 0 };

function update(key: string, value: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getMap('m').set(key, value);
	return Y.encodeStateAsUpdate(doc);
}

function replay(updates: Uint8Array[]): Record<string, unknown> {
	const doc = new Y.Doc();
	for (const u of updates) Y.applyUpdate(doc, u);
	return doc.getMap('m').toJSON();
}

const dirs: string[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sqliteFile(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-store-'));
	dirs.push(dir);
	return path.join(dir, 'relay.sqlite');
}

const stores: [string, () => DocStore][] = [
	['memory', () => new MemoryStore()],
	['sqlite', () => new SqliteStore(sqliteFile())]
];

describe.each(stores)('%s store', (_name, make) => {
	it('appends, loads in order, keeps documents apart, and compacts into one snapshot', async () => {
		const store = make();
		await store.append('schedule/2026-11', update('a', '1'), { ...meta, bytes: 10 });
		await store.append('schedule/2026-11', update('b', '2'), { ...meta, bytes: 20 });
		await store.append('directory', update('c', '3'), meta);
		const loaded = await store.load('schedule/2026-11');
		expect(loaded).toHaveLength(2);
		expect(replay(loaded)).toEqual({ a: '1', b: '2' });
		expect(await store.load('patients/0')).toEqual([]);

		const doc = new Y.Doc();
		for (const u of loaded) Y.applyUpdate(doc, u);
		await store.compact('schedule/2026-11', Y.encodeStateAsUpdate(doc));
		await store.append('schedule/2026-11', update('d', '4'), meta);
		const after = await store.load('schedule/2026-11');
		expect(after).toHaveLength(2);
		expect(replay(after)).toEqual({ a: '1', b: '2', d: '4' });
		expect(replay(await store.load('directory'))).toEqual({ c: '3' });

		const audit = await store.audit('schedule/2026-11');
		expect(audit.map((e) => [e.userId, e.role, e.bytes])).toEqual([
			['u1', 'front-desk', 10],
			['u1', 'front-desk', 20],
			['u1', 'front-desk', 0]
		]);
		expect(audit[0]!.updateId).toBeLessThan(audit[1]!.updateId);
		await store.close();
	});
});

describe.each(stores)('%s store, group commit', (_name, make) => {
	it('appends a batch in order, with an audit entry per update', async () => {
		const store = make();
		await store.append('directory', update('a', '1'), meta);
		await store.appendMany!('directory', [
			{ update: update('b', '2'), meta: { ...meta, bytes: 2 } },
			{ update: update('c', '3'), meta: { userId: 'u2', role: 'nurse', bytes: 3 } }
		]);
		await store.appendMany!('directory', []);
		const loaded = await store.load('directory');
		expect(loaded).toHaveLength(3);
		expect(replay(loaded)).toEqual({ a: '1', b: '2', c: '3' });
		const audit = await store.audit('directory');
		expect(audit.map((e) => [e.userId, e.bytes])).toEqual([
			['u1', 0],
			['u1', 2],
			['u2', 3]
		]);
		expect(audit[1]!.updateId).toBeGreaterThan(audit[0]!.updateId);
		expect(audit[2]!.updateId).toBeGreaterThan(audit[1]!.updateId);
		await store.close();
	});
	it('keeps a large batch in order, each audit entry with its own update', async () => {
		const store = make();
		const rows = Array.from({ length: 123 }, (_, i) => ({
			update: update(`k${i}`, String(i)),
			meta: { userId: `u${i % 3}`, role: 'front-desk', bytes: i }
		}));
		await store.appendMany!('schedule/2026-11', rows);
		const loaded = await store.load('schedule/2026-11');
		expect(loaded.map((u) => Object.keys(replay([u]))[0])).toEqual(rows.map((_, i) => `k${i}`));
		const audit = await store.audit('schedule/2026-11');
		expect(audit.map((e) => [e.userId, e.bytes])).toEqual(rows.map((r) => [r.meta.userId, r.meta.bytes]));
		const ids = audit.map((e) => e.updateId);
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		expect(new Set(ids).size).toBe(ids.length);
		await store.close();
	});
});

describe('sqlite store on disk', () => {
	it('keeps updates and the audit across reopening, and never reuses update ids', async () => {
		const file = sqliteFile();
		const first = new SqliteStore(file);
		await first.append('patients/a', update('p', 'x'), { userId: 'u7', role: 'nurse', bytes: 5 });
		await first.compact('patients/a', update('p', 'x'));
		await first.close();

		const second = new SqliteStore(file);
		expect(replay(await second.load('patients/a'))).toEqual({ p: 'x' });
		await second.append('patients/a', update('q', 'y'), { userId: 'u8', role: 'front-desk', bytes: 6 });
		const audit = await second.audit('patients/a');
		expect(audit.map((e) => e.userId)).toEqual(['u7', 'u8']);
		// The snapshot row took an id too: ids grow past anything compaction deleted.
		expect(audit[1]!.updateId).toBeGreaterThan(audit[0]!.updateId + 1);
		await second.close();
	});

	it('points each audit entry of a batch at its own update row', async () => {
		const file = sqliteFile();
		const store = new SqliteStore(file);
		const rows = Array.from({ length: 77 }, (_, i) => ({
			update: update(`k${i}`, String(i)),
			meta: { userId: 'u1', role: 'front-desk', bytes: i }
		}));
		await store.appendMany('directory', rows);
		await store.close();
		const Database = (await import('better-sqlite3')).default;
		const db = new Database(file, { readonly: true });
		const joined = db
			.prepare<[], { bytes: number; data: Buffer }>(
				'SELECT a.bytes, u.data FROM audit a JOIN updates u ON u.id = a.update_id ORDER BY a.id'
			)
			.all();
		db.close();
		expect(joined).toHaveLength(77);
		for (const { bytes, data } of joined)
			expect(replay([new Uint8Array(data)])).toEqual({ [`k${bytes}`]: String(bytes) });
	});

	it('uses WAL and refuses a database from a newer relay', async () => {
		const file = sqliteFile();
		const store = new SqliteStore(file);
		await store.close();
		expect(fs.existsSync(`${file}-wal`) || fs.existsSync(file)).toBe(true);
		const Database = (await import('better-sqlite3')).default;
		const db = new Database(file);
		expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
		db.pragma('user_version = 99');
		db.close();
		expect(() => new SqliteStore(file)).toThrow(/newer relay/);
	});
});
