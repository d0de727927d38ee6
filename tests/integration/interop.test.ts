import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eventually, provider, token, whenSynced } from './support/clients';
import {
	ensureRelayBuilt,
	health,
	newIdentity,
	startRelay,
	tempDir,
	type RunningRelay,
	removeTempDirs
} from './support/relay';

const identity = newIdentity();
let relay: RunningRelay;
const dataDir = tempDir('interop');

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({ identity, dataDir });
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

describe('a stock y-websocket client and the relay', () => {
	it('syncs two clients, and a third after the relay was killed and restarted on the same data', async () => {
		const jwt = await token(identity);
		const docA = new Y.Doc();
		const docB = new Y.Doc();
		const a = provider(relay.wsUrl, 'schedule/2026-11', docA, jwt);
		const b = provider(relay.wsUrl, 'schedule/2026-11', docB, jwt);
		await Promise.all([whenSynced(a), whenSynced(b)]);
		docA.getMap('appointments').set('a1', 'from A');
		docB.getMap('appointments').set('b1', 'from B');
		await eventually(() => docA.getMap('appointments').size === 2 && docB.getMap('appointments').size === 2);
		expect(docB.getMap('appointments').get('a1')).toBe('from A');
		expect((await health(relay)).documents).toBe(1);
		expect((await health(relay)).connections).toBe(2);
		a.destroy();
		b.destroy();

		// SIGKILL: no shutdown flush; everything must already be in the append log.
		await relay.stop('SIGKILL');
		relay = await startRelay({ identity, dataDir });
		const docC = new Y.Doc();
		const c = provider(relay.wsUrl, 'schedule/2026-11', docC, jwt);
		await whenSynced(c);
		await eventually(() => docC.getMap('appointments').size === 2);
		expect(docC.getMap('appointments').toJSON()).toEqual({ a1: 'from A', b1: 'from B' });
		c.destroy();
	});

	it('passes awareness between clients and echoes it to its sender', async () => {
		const jwt = await token(identity);
		const docA = new Y.Doc();
		const docB = new Y.Doc();
		const a = provider(relay.wsUrl, 'directory', docA, jwt);
		const b = provider(relay.wsUrl, 'directory', docB, jwt);
		await Promise.all([whenSynced(a), whenSynced(b)]);
		let echoes = 0;
		a.ws?.addEventListener('message', () => (echoes += 1));
		a.awareness.setLocalStateField('user', { name: 'Desk 1' });
		await eventually(() => b.awareness.getStates().get(docA.clientID)?.user?.name === 'Desk 1');
		await eventually(() => echoes > 0);
		a.destroy();
		await eventually(() => !b.awareness.getStates().has(docA.clientID));
		b.destroy();
	});

	it('flushes on SIGTERM and exits 0', async () => {
		const jwt = await token(identity);
		const doc = new Y.Doc();
		const p = provider(relay.wsUrl, 'patients/a', doc, jwt);
		await whenSynced(p);
		doc.getMap('patients').set('p1', 'x');
		await eventually(async () => (await health(relay)).documents >= 1);
		const closed = new Promise<number>((resolve) =>
			p.once('connection-close', (e) => resolve(e?.code ?? -1))
		);
		expect(await relay.stop('SIGTERM')).toBe(0);
		expect(await closed).toBe(4500);
		expect(relay.output()).toContain('documents flushed');
		expect(fs.statSync(path.join(dataDir, 'relay.sqlite')).mode & 0o777).toBe(0o600);
		p.destroy();
		relay = await startRelay({ identity, dataDir });
		const again = new Y.Doc();
		const q = provider(relay.wsUrl, 'patients/a', again, jwt);
		await whenSynced(q);
		await eventually(() => again.getMap('patients').get('p1') === 'x');
		q.destroy();
	});
});
