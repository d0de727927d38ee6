/**
 * The app's own sync client (src/lib/sync, one multiplexed socket per workstation) against the
 * real relay process: the two sides of the wire format were written separately, so this is where
 * a disagreement between them would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import type { DocName } from '../../src/lib/domain/sync/docnames';
import { SyncClient } from '../../src/lib/sync/client';
import { eventually, provider, token, whenSynced } from './support/clients';
import {
	ensureRelayBuilt,
	newIdentity,
	startRelay,
	type RunningRelay,
	removeTempDirs
} from './support/relay';

const identity = newIdentity();
let relay: RunningRelay;
const names: DocName[] = ['directory', 'schedule/2026-11', 'patients/a'];

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({ identity });
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

async function workstation(jwt: string) {
	const client = new SyncClient({
		baseUrl: `ws://127.0.0.1:${relay.port}`,
		token: jwt,
		WebSocketImpl: WebSocket,
		crossTab: false,
		confirmDelayMs: 20
	});
	const docs = new Map(names.map((n) => [n, new Y.Doc()] as const));
	for (const [n, d] of docs) client.attach(n, d);
	return { client, doc: (n: DocName) => docs.get(n) as Y.Doc };
}

describe('the app sync client and the relay', () => {
	it('converge every document over one socket per workstation, with stock clients alongside', async () => {
		const jwt = await token(identity);
		const a = await workstation(jwt);
		const b = await workstation(jwt);
		const inStep = (c: SyncClient) => c.status.docs === 3 && c.status.syncedDocs === 3;
		await eventually(() => inStep(a.client) && inStep(b.client));
		a.doc('directory').getMap('rooms').set('r1', 'Room 1');
		b.doc('schedule/2026-11').getMap('appointments').set('x', 'booked');
		await eventually(
			() =>
				b.doc('directory').getMap('rooms').get('r1') === 'Room 1' &&
				a.doc('schedule/2026-11').getMap('appointments').get('x') === 'booked'
		);
		const stock = new Y.Doc();
		const p = provider(relay.wsUrl, 'schedule/2026-11', stock, jwt);
		await whenSynced(p);
		expect(stock.getMap('appointments').get('x')).toBe('booked');
		p.destroy();
		await eventually(() => a.client.status.unsyncedChanges === 0);
		expect(a.client.mux.openChannels).toBe(3);
		a.client.destroy();
		b.client.destroy();
	});

	it('reports documents outside the token as blocked while the rest sync', async () => {
		const c = await workstation(await token(identity, { docs: ['directory'] }));
		await eventually(() => c.client.status.blockedDocs.length === 2 && c.client.status.syncedDocs === 1);
		expect([...c.client.status.blockedDocs].sort()).toEqual(['patients/a', 'schedule/2026-11']);
		c.client.destroy();
	});

	it('downloads each document once on first sync', async () => {
		const jwt = await token(identity);
		const a = await workstation(jwt);
		const big = a.doc('patients/a').getMap('patients');
		for (let i = 0; i < 2000; i++)
			big.set(`p-${i}`, { note: `synthetic record number ${i}`, status: 'active' });
		await eventually(() => a.client.status.syncedDocs === 3 && a.client.status.unsyncedChanges === 0);
		const size = Y.encodeStateAsUpdate(a.doc('patients/a')).length;

		const b = await workstation(jwt);
		await eventually(() => b.client.status.syncedDocs === 3 && b.client.status.unsyncedChanges === 0);
		expect(b.doc('patients/a').getMap('patients').size).toBe(2000);
		// Sync step 1s, awareness and framing are small next to the document: it must not come twice.
		expect(b.client.mux.stats.bytesIn).toBeLessThan(size * 1.3);
		a.client.destroy();
		b.client.destroy();
	});
});
