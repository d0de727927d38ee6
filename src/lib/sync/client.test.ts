import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import type { DocName } from '../crdt/layout';
import { CloseCode } from '../domain/sync/mux';
import { SyncClient, type SyncClientOptions } from './client';
import type { RetryInfo } from './mux-connection';
import { RelayAck } from './relay-ack';
import { TestRelay, waitFor } from './test-relay';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
	for (const fn of cleanup.splice(0).reverse()) await fn();
});

const NAMES: DocName[] = ['directory', 'schedule/2026-11', 'patients/a'];

async function relay(opts: Parameters<typeof TestRelay.start>[0] = {}): Promise<TestRelay> {
	const r = await TestRelay.start(opts);
	cleanup.push(() => r.destroy());
	return r;
}

/** A workstation: a client with its own docs, attached to every name. */
function workstation(r: TestRelay, opts: Partial<SyncClientOptions> = {}, names = NAMES) {
	const client = new SyncClient({
		baseUrl: r.url,
		token: 'good',
		WebSocketImpl: WebSocket,
		crossTab: false,
		confirmDelayMs: 20,
		random: () => 0.1,
		...opts
	});
	cleanup.push(() => client.destroy());
	const docs = new Map(names.map((n) => [n, new Y.Doc()] as const));
	for (const [n, d] of docs) client.attach(n, d);
	const doc = (n: DocName) => docs.get(n) as Y.Doc;
	return { client, doc };
}

const inStep = (c: SyncClient) => c.status.syncedDocs === c.status.docs && c.status.unsyncedChanges === 0;

function sameState(a: Y.Doc, b: Y.Doc): boolean {
	return Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b)));
}

describe('SyncClient', () => {
	it('converges two workstations over one real socket each, carrying every document', async () => {
		const r = await relay();
		const a = workstation(r);
		const b = workstation(r);
		await waitFor(() => inStep(a.client) && inStep(b.client), 5000, 'initial sync');
		a.doc('directory').getMap('rooms').set('r1', 'Room 1');
		b.doc('schedule/2026-11').getMap('appointments').set('x', 'booked');
		a.doc('patients/a').getMap('patients').set('p', 'record');
		b.doc('patients/a').getMap('patients').set('q', 'record');
		await waitFor(() => NAMES.every((n) => sameState(a.doc(n), b.doc(n))), 5000, 'convergence');
		expect(b.doc('patients/a').getMap('patients').toJSON()).toEqual({ p: 'record', q: 'record' });
		expect(r.connectionsAccepted).toBe(2);
		expect(a.client.mux.openChannels).toBe(3);
		await waitFor(() => inStep(a.client) && inStep(b.client), 5000, 'confirmed');
		expect(a.client.status).toMatchObject({ connection: 'open', docs: 3, syncedDocs: 3, pendingDocs: [] });
		expect(a.client.status.lastSyncedAt).not.toBeNull();
	});

	it('gives a new workstation’s update listeners the relay’s bytes, not a second encoding of them', async () => {
		const r = await relay();
		const a = workstation(r);
		await waitFor(() => inStep(a.client), 5000, 'a in step');
		a.doc('patients/a').transact(() => {
			const map = a.doc('patients/a').getMap('patients');
			for (let i = 0; i < 200; i++) map.set(`p${i}`, { familyName: `Family ${i}`, givenName: `Given ${i}` });
		});
		await waitFor(() => inStep(a.client), 5000, 'a confirmed');
		const client = new SyncClient({
			baseUrl: r.url,
			token: 'good',
			WebSocketImpl: WebSocket,
			crossTab: false
		});
		cleanup.push(() => client.destroy());
		const doc = new Y.Doc();
		const received: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => received.push(u));
		client.attach('patients/a', doc);
		await waitFor(() => doc.getMap('patients').size === 200, 5000, 'b has the shard');
		// A view into the received frame: Yjs's own update for the listener would be a new array.
		const big = received.filter((u) => u.length > 1024);
		expect(big).toHaveLength(1);
		expect(big[0]!.buffer.byteLength).toBeGreaterThan(big[0]!.byteLength);
		const copy = new Y.Doc();
		for (const u of received) Y.applyUpdate(copy, u);
		expect(copy.getMap('patients').toJSON()).toEqual(a.doc('patients/a').getMap('patients').toJSON());
	});

	it('reconnects with jittered backoff after a relay restart and merges edits made while apart', async () => {
		const r = await relay();
		const randoms = [0.5, 0.25, 1, 0.75];
		let i = 0;
		const a = workstation(r, { random: () => randoms[i++ % 4] ?? 0, backoff: { baseMs: 50, capMs: 150 } });
		const b = workstation(r, { random: () => 0.3, backoff: { baseMs: 50, capMs: 150 } });
		const retries: RetryInfo[] = [];
		a.client.mux.on('retry', (x) => retries.push(x));
		await waitFor(() => inStep(a.client) && inStep(b.client));
		await r.stop();
		await waitFor(() => a.client.status.connection === 'closed' && retries.length >= 3, 5000, 'retrying');
		expect(a.client.status.error?.code).toBe('unreachable');
		a.doc('schedule/2026-11').getMap('appointments').set('from-a', 'booked');
		b.doc('schedule/2026-11').getMap('appointments').set('from-b', 'booked');
		b.doc('directory').getMap('rooms').set('r2', 'Room 2');
		expect(a.client.status.unsyncedChanges).toBe(1);
		expect(b.client.status.unsyncedChanges).toBe(2);
		await r.restart();
		await waitFor(() => inStep(a.client) && inStep(b.client), 8000, 'resynced');
		for (const n of NAMES) expect(sameState(a.doc(n), b.doc(n))).toBe(true);
		expect(a.doc('schedule/2026-11').getMap('appointments').size).toBe(2);
		expect(a.client.status.error).toBeNull();
		retries.forEach((x, n) => {
			expect(x.ceilingMs).toBe(Math.min(150, 50 * 2 ** n));
			expect(x.delayMs).toBe(Math.floor((randoms[n % 4] ?? 0) * x.ceilingMs));
		});
	});

	it('stops only the document whose channel the relay closes with 4403', async () => {
		const r = await relay({ mayOpen: (doc) => doc !== 'billing/2026-11' });
		const a = workstation(r, {}, [...NAMES, 'billing/2026-11']);
		await waitFor(() => a.client.status.syncedDocs === 3, 5000, 'allowed docs synced');
		await waitFor(() => a.client.status.blockedDocs.length === 1, 5000, 'blocked');
		expect(a.client.status).toMatchObject({
			blockedDocs: ['billing/2026-11'],
			pendingDocs: [],
			error: { code: 'documents-blocked' }
		});
		r.closeChannels('schedule/2026-11', CloseCode.forbidden, 'access withdrawn');
		await waitFor(() => a.client.status.blockedDocs.length === 2);
		a.doc('directory').getMap('rooms').set('r3', 'Room 3');
		await waitFor(() => r.doc('directory').getMap('rooms').get('r3') === 'Room 3');
		expect(a.client.status.connection).toBe('open');
	});

	it("goes 'unauthorized' on a 4401, stops retrying, and resumes every document with a new token", async () => {
		const r = await relay({ acceptToken: (t) => t !== 'expired' });
		const a = workstation(r);
		await waitFor(() => inStep(a.client));
		a.client.setToken('expired');
		await waitFor(() => a.client.status.connection === 'unauthorized', 5000, 'unauthorized');
		expect(a.client.status.error).toEqual({
			code: 'sign-in-expired',
			message: 'Sign-in to the clinic server expired. Your changes are kept on this workstation.',
			action: 'Sign in again'
		});
		a.doc('directory').getMap('rooms').set('r4', 'Room 4');
		await new Promise((res) => setTimeout(res, 400));
		expect(r.connectionsAccepted).toBe(1);
		expect(a.client.status.unsyncedChanges).toBe(1);
		a.client.setToken('fresh');
		await waitFor(() => inStep(a.client), 5000, 'back in step');
		expect(r.doc('directory').getMap('rooms').get('r4')).toBe('Room 4');
		expect(r.connectionsAccepted).toBe(2);
	});

	it('counts unsynced local changes while offline and returns to zero once the relay confirms them', async () => {
		const r = await relay();
		const a = workstation(r);
		await waitFor(() => inStep(a.client));
		const rooms = a.doc('directory').getMap('rooms');
		rooms.set('keep', 'Room 5');
		// Online: counted at once, confirmed by a barrier shortly after.
		expect(a.client.unsyncedChanges('directory')).toBe(1);
		await waitFor(() => a.client.status.unsyncedChanges === 0, 5000, 'live edit confirmed');
		a.client.pause();
		rooms.set('r6', 'Room 6');
		rooms.set('r7', 'Room 7');
		a.doc('patients/a').getMap('patients').set('p', 'record');
		rooms.delete('keep');
		expect(a.client.status).toMatchObject({ connection: 'idle', unsyncedChanges: 4 });
		expect(a.client.unsyncedChanges('directory')).toBe(3);
		a.client.resume();
		await waitFor(() => inStep(a.client), 5000, 'confirmed after reconnect');
		expect(r.doc('directory').getMap('rooms').toJSON()).toEqual({ r6: 'Room 6', r7: 'Room 7' });
	});

	it('treats changes as unsynced again when the relay comes back without them', async () => {
		const r = await relay();
		const a = workstation(r, {}, ['directory']);
		a.doc('directory').getMap('rooms').set('r8', 'Room 8');
		await waitFor(() => inStep(a.client));
		a.client.pause();
		// A relay that lost its data (fresh database): its state vector is empty.
		r.doc('directory').destroy();
		await r.destroy();
		const fresh = await TestRelay.start({ port: Number(new URL(r.url).port) });
		cleanup.push(() => fresh.destroy());
		a.client.resume();
		await waitFor(() => fresh.doc('directory').getMap('rooms').get('r8') === 'Room 8', 5000, 're-uploaded');
		await waitFor(() => inStep(a.client));
	});

	it('keeps the unsynced count equal to the state-vector difference through random offline work', async () => {
		const r = await relay();
		const a = workstation(r, {}, ['directory']);
		const b = workstation(r, {}, ['directory']);
		await waitFor(() => inStep(a.client) && inStep(b.client));
		const da = a.doc('directory');
		const rooms = da.getMap<string>('rooms');
		// What the relay has of every client, against what A has: the count the status must show.
		const expected = () => {
			const relaySv = Y.decodeStateVector(Y.encodeStateVector(r.doc('directory')));
			let n = 0;
			for (const [c, clock] of Y.decodeStateVector(Y.encodeStateVector(da)))
				n += Math.max(0, clock - (relaySv.get(c) ?? 0));
			return n;
		};
		let seed = 7;
		const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
		for (let round = 0; round < 3; round++) {
			a.client.pause();
			for (let i = 0; i < 25; i++) {
				const op = rand(4);
				if (op === 0) rooms.set(`a${rand(6)}`, `Room ${i}`);
				else if (op === 1)
					b.doc('directory')
						.getMap('rooms')
						.set(`b${rand(6)}`, `Room ${i}`);
				else if (op === 2) {
					// Another tab's (or the store's) update: a client the relay has never seen.
					const other = new Y.Doc();
					Y.applyUpdate(other, Y.encodeStateAsUpdate(da));
					other.getMap('rooms').set(`o${i}`, 'Room');
					Y.applyUpdate(da, Y.encodeStateAsUpdate(other, Y.encodeStateVector(da)), 'elsewhere');
				} else rooms.set(`a${rand(6)}`, `Room ${i}b`);
				expect(a.client.unsyncedChanges('directory')).toBe(expected());
			}
			expect(expected()).toBeGreaterThan(0);
			a.client.resume();
			await waitFor(() => inStep(a.client) && inStep(b.client), 5000, `round ${round} confirmed`);
			expect(expected()).toBe(0);
		}
	});

	it('emits no status for remote updates that leave it unchanged', async () => {
		const r = await relay();
		const a = workstation(r, {}, ['directory']);
		const b = workstation(r, {}, ['directory']);
		await waitFor(() => inStep(a.client) && inStep(b.client));
		await new Promise((res) => setTimeout(res, 50));
		const seen: unknown[] = [];
		a.client.onStatus((s) => seen.push(s));
		for (let i = 0; i < 5; i++) b.doc('directory').getMap('rooms').set(`r${i}`, `Room ${i}`);
		await waitFor(() => a.doc('directory').getMap('rooms').size === 5, 5000, 'remote edits arrived');
		await waitFor(() => inStep(b.client), 5000, 'b confirmed');
		await new Promise((res) => setTimeout(res, 50));
		expect(seen).toEqual([]);
		// A change of its own still shows.
		a.doc('directory').getMap('rooms').set('mine', 'Room 9');
		await waitFor(() => seen.length > 0, 5000, 'own change emitted');
		expect(seen[0]).toMatchObject({ unsyncedChanges: 1 });
	});

	it('stays quiet with a relay that answers every step 1 with its own step 1', async () => {
		const r = await relay({ chattyStep1: true });
		const a = workstation(r);
		await waitFor(() => inStep(a.client));
		a.doc('directory').getMap('rooms').set('r10', 'Room 10');
		await waitFor(() => inStep(a.client));
		const frames = a.client.mux.stats.framesOut;
		await new Promise((res) => setTimeout(res, 300));
		expect(a.client.mux.stats.framesOut).toBe(frames);
	});

	it('spreads the periodic resync over tasks, one document each', async () => {
		const r = await relay();
		const a = workstation(r, { resyncIntervalMs: 100 });
		await waitFor(() => inStep(a.client));
		let calls = 0;
		let sameRun = 0;
		let settled = true;
		const original = RelayAck.prototype.sendStep1;
		const spy = vi.spyOn(RelayAck.prototype, 'sendStep1').mockImplementation(function (this: RelayAck) {
			calls++;
			// A call before the previous call's microtask ran is in the same synchronous run.
			if (!settled) sameRun++;
			settled = false;
			queueMicrotask(() => (settled = true));
			return original.call(this);
		});
		cleanup.push(() => spy.mockRestore());
		await waitFor(() => calls >= 2 * NAMES.length, 5000, 'two resync rounds');
		expect(sameRun).toBe(0);
		await waitFor(() => inStep(a.client), 5000, 'still in step');
	});

	it('syncNow asks every document again and skips a pending backoff wait', async () => {
		const r = await relay();
		const a = workstation(r, { random: () => 0.99, backoff: { baseMs: 20_000, capMs: 30_000 } });
		await waitFor(() => inStep(a.client));
		await r.restart();
		await waitFor(() => a.client.status.connection === 'closed');
		expect(a.client.status.retryAt).toBeGreaterThan(Date.now() + 10_000);
		a.client.syncNow();
		await waitFor(() => inStep(a.client), 5000, 'synced without waiting out the backoff');
	});

	it('destroy leaves no sockets, timers or listeners behind', async () => {
		// Let sockets and timers of earlier tests finish closing first.
		await new Promise((res) => setTimeout(res, 200));
		const before = activeHandles();
		const r = await relay();
		const a = workstation(r);
		const b = workstation(r);
		await waitFor(() => inStep(a.client) && inStep(b.client));
		a.doc('directory').getMap('rooms').set('r9', 'Room 9');
		const statuses: unknown[] = [];
		a.client.onStatus((s) => statuses.push(s));
		a.client.destroy();
		b.client.destroy();
		await waitFor(() => r.openConnections === 0, 5000, 'relay saw both go');
		await r.destroy();
		await new Promise((res) => setTimeout(res, 20));
		expect(activeHandles()).toEqual(before);
		expect(statuses).toEqual([]);
		expect(a.client.mux.status).toBe('idle');
	});
});

/** Sockets, servers and timers alive in this process. */
function activeHandles(): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
	// y-websocket registers a process 'exit' handler per provider in node.
	counts['exit listeners'] = process.listenerCount('exit');
	return counts;
}
