import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import type { DocName } from '../crdt/layout';
import { SyncClient } from './client';
import { firstSyncPriority } from './first-sync-order';
import { TestRelay, waitFor } from './test-relay';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
	for (const fn of cleanup.splice(0).reverse()) await fn();
});

const NOW = new Date(2026, 10, 28, 12);
// Attached in the worst order: the past year first, the directory last.
const NAMES: DocName[] = [
	'schedule/2026-02',
	'schedule/2026-06',
	'patients/1',
	'schedule/2026-12',
	'patients/0',
	'schedule/2026-11',
	'schedule/common',
	'directory'
];

async function clinicRelay(): Promise<TestRelay> {
	const r = await TestRelay.start();
	cleanup.push(() => r.destroy());
	for (const n of NAMES) {
		const records = r.doc(n).getMap('records');
		for (let i = 0; i < 50; i++) records.set(`${n}-${i}`, `record ${i} of ${n}`);
	}
	return r;
}

function newWorkstation(r: TestRelay, window?: number) {
	const client = new SyncClient({
		baseUrl: r.url,
		token: 'good',
		WebSocketImpl: WebSocket,
		crossTab: false,
		confirmDelayMs: 20,
		random: () => 0.1,
		priority: (n) => firstSyncPriority(n, NOW),
		...(window === undefined ? {} : { firstSyncWindow: window })
	});
	cleanup.push(() => client.destroy());
	// Documents in their first sync: asked for (a channel set up) and not answered yet.
	let most = 0;
	const loading = () => NAMES.filter((n) => client.provider(n)?.ws && !client.provider(n)?.synced).length;
	client.onStatus(() => (most = Math.max(most, loading())));
	const docs = new Map(NAMES.map((n) => [n, new Y.Doc()] as const));
	for (const [n, d] of docs) {
		client.attach(n, d);
		most = Math.max(most, loading());
	}
	return { client, docs, most: () => most };
}

describe('first sync of a new workstation', () => {
	it('asks for at most `firstSyncWindow` documents at once, the first screen’s first', async () => {
		const r = await clinicRelay();
		const ws = newWorkstation(r, 2);
		// "Synced" only once every document, including those that waited, has the relay's content.
		let earlySynced = false;
		ws.client.onStatus((s) => {
			if (s.pendingDocs.length === 0 && s.syncedDocs === s.docs) {
				for (const d of ws.docs.values()) if (d.getMap('records').size !== 50) earlySynced = true;
			}
		});
		await waitFor(() => ws.client.status.syncedDocs === NAMES.length, 5000, 'every document in step');
		expect(earlySynced).toBe(false);
		expect(ws.most()).toBe(2);
		for (const d of ws.docs.values()) expect(d.getMap('records').size).toBe(50);
		expect(r.opened.slice(0, NAMES.length)).toEqual([
			'schedule/common',
			'directory',
			'schedule/2026-11',
			'patients/1',
			'patients/0',
			'schedule/2026-12',
			'schedule/2026-06',
			'schedule/2026-02'
		]);
	});

	it('picks up where it stopped when the tab closed mid-join (what arrived is kept, the rest follows)', async () => {
		const r = await clinicRelay();
		const first = newWorkstation(r, 1);
		await waitFor(() => first.client.status.syncedDocs >= 2, 5000, 'two documents in');
		first.client.destroy();
		const kept = [...first.docs].filter(([, d]) => d.getMap('records').size === 50).map(([n]) => n);
		expect(kept.length).toBeGreaterThanOrEqual(2);
		expect(kept.length).toBeLessThan(NAMES.length);
		// Reopened with what was stored (the same documents), on a new connection.
		const again = new SyncClient({
			baseUrl: r.url,
			token: 'good',
			WebSocketImpl: WebSocket,
			crossTab: false,
			firstSyncWindow: 1
		});
		cleanup.push(() => again.destroy());
		for (const [n, d] of first.docs) again.attach(n, d);
		await waitFor(() => again.status.syncedDocs === NAMES.length, 5000, 'every document in step');
		for (const d of first.docs.values()) expect(d.getMap('records').size).toBe(50);
	});

	it('without a window every document would be asked for at once (the test can tell)', async () => {
		const r = await clinicRelay();
		const ws = newWorkstation(r, 100);
		await waitFor(() => ws.client.status.syncedDocs === NAMES.length, 5000, 'every document in step');
		expect(ws.most()).toBe(NAMES.length);
	});
});

describe('firstSyncPriority', () => {
	it('puts what every screen reads first, then this month, the patients, then months by distance', () => {
		const p = (n: DocName) => firstSyncPriority(n, NOW);
		expect(p('keyring')).toBe(0);
		expect(p('directory')).toBe(0);
		expect(p('schedule/common')).toBe(0);
		expect(p('schedule/2026-11')).toBe(1);
		expect(p('patients/f')).toBe(2);
		expect(p('schedule/2026-12')).toBe(3);
		expect(p('schedule/2026-10')).toBe(3);
		expect(p('schedule/2025-11')).toBe(14);
		expect(p('schedule/2027-01')).toBeLessThan(p('schedule/2026-06'));
	});
});
