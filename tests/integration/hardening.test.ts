import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode, subprotocolsFor } from '../../src/lib/domain/sync/mux';
import { closeOf, eventually, provider, token, tryConnect, whenSynced } from './support/clients';
import { MuxClient } from './support/mux';
import {
	ensureRelayBuilt,
	health,
	newIdentity,
	startRelay,
	type RunningRelay,
	removeTempDirs
} from './support/relay';

const identity = newIdentity();
let relay: RunningRelay;

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({
		identity,
		env: { SYNC_MAX_PAYLOAD: String(64 * 1024), SYNC_IDLE_EVICT_MS: '200', SYNC_MAX_CHANNELS: '8' }
	});
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

async function open(path = '/directory'): Promise<WebSocket> {
	const r = await tryConnect(`${relay.wsUrl}${path}`, subprotocolsFor(await token(identity)));
	if (!r.ws) throw new Error(`not admitted: ${r.status}`);
	return r.ws;
}

describe('relay hardening', () => {
	it('closes a connection that sends a text frame with 1003', async () => {
		const ws = await open();
		ws.send('hello');
		expect(await closeOf(ws)).toBe(1003);
	});

	it('closes a connection whose message is over maxPayload with 1009', async () => {
		const ws = await open();
		ws.send(new Uint8Array(65 * 1024));
		expect(await closeOf(ws)).toBe(1009);
	});

	it('closes a connection that sends an undecodable message with 4400', async () => {
		const ws = await open();
		ws.send(new Uint8Array([0, 2, 0xff, 0xff, 0xff]));
		expect(await closeOf(ws)).toBe(CloseCode.badRequest);
		const mux = new MuxClient(relay.wsUrl, await token(identity));
		await mux.opened;
		mux.ws.send(new Uint8Array([7, 7, 7]));
		expect(await mux.closed).toBe(CloseCode.badRequest);
	});

	it('rate-limits a flooding connection with 4529', async () => {
		const ws = await open();
		for (let i = 0; i < 3000; i++) ws.send(new Uint8Array([3]));
		expect(await closeOf(ws)).toBe(CloseCode.rateLimited);
	});

	it('counts pings against the rate limit too', async () => {
		const ws = await open();
		const closed = closeOf(ws);
		// One ping per pong, so ws's own cap on unanswered pongs never applies; only our limit can.
		for (let i = 0; i < 2000 && ws.readyState === ws.OPEN; i++) {
			ws.ping();
			await new Promise((r) => ws.once('pong', r).once('close', r));
		}
		expect(await closed).toBe(CloseCode.rateLimited);
	});

	it('refuses channels past the limit and a second OPEN of an open channel', async () => {
		const mux = new MuxClient(relay.wsUrl, await token(identity));
		await mux.opened;
		for (let c = 1; c <= 9; c++) mux.send({ type: 'open', channel: c, docName: 'directory' });
		expect(await mux.waitFor((f) => f.type === 'close' && f.channel === 9)).toMatchObject({
			code: CloseCode.tooLarge
		});
		expect(mux.frames.filter((f) => f.type === 'close')).toHaveLength(1);
		mux.send({ type: 'open', channel: 1, docName: 'directory' });
		expect(await mux.closed).toBe(CloseCode.badRequest);
	});

	it('reports resident documents and connections on /healthz and evicts idle documents', async () => {
		const jwt = await token(identity);
		const doc = new Y.Doc();
		const p = provider(relay.wsUrl, 'patients/7', doc, jwt);
		await whenSynced(p);
		doc.getMap('patients').set('x', 1);
		await eventually(async () => {
			const h = await health(relay);
			return h.connections >= 1 && h.documents >= 1;
		});
		p.destroy();
		await eventually(async () => (await health(relay)).documents === 0);
		const again = new Y.Doc();
		const q = provider(relay.wsUrl, 'patients/7', again, jwt);
		await whenSynced(q);
		expect(again.getMap('patients').get('x')).toBe(1);
		q.destroy();
	});

	it('answers plain HTTP on /sync with 426 instead of the app', async () => {
		const res = await fetch(`${relay.httpUrl}/sync/directory`);
		expect(res.status).toBe(426);
		await res.arrayBuffer();
	});
});
