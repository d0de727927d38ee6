import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, SUBPROTOCOL, subprotocolsFor } from '../../src/lib/domain/sync/mux';
import {
	closeOf,
	eventually,
	provider,
	token,
	tryConnect,
	unsignedToken,
	whenSynced
} from './support/clients';
import { MuxClient } from './support/mux';
import {
	ensureRelayBuilt,
	newIdentity,
	startRelay,
	type RunningRelay,
	removeTempDirs
} from './support/relay';

const identity = newIdentity();
let relay: RunningRelay;

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({ identity, env: { ALLOWED_ORIGINS: 'https://desk.example' } });
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

const refused: [string, () => Promise<string[]>][] = [
	['no token', async () => [SUBPROTOCOL]],
	['no subprotocol at all', async () => []],
	['an expired token', async () => subprotocolsFor(await token(identity, { iatOffsetSeconds: -7200 }))],
	[
		'a token older than the maximum age',
		async () =>
			subprotocolsFor(await token(identity, { iatOffsetSeconds: -25 * 3600, ttlSeconds: 26 * 3600 }))
	],
	['the wrong audience', async () => subprotocolsFor(await token(identity, { audience: 'other-app' }))],
	['the wrong issuer', async () => subprotocolsFor(await token(identity, { issuer: 'someone-else' }))],
	['alg none', async () => subprotocolsFor(unsignedToken(identity))],
	[
		'another algorithm with the right key',
		async () => subprotocolsFor(await token(identity, { alg: 'HS512' }))
	],
	['the wrong key', async () => subprotocolsFor(await token(identity, { secret: 'x'.repeat(40) }))],
	['another clinic', async () => subprotocolsFor(await token(identity, { clinic: 'another-clinic' }))],
	['malformed claims', async () => subprotocolsFor(await token(identity, { extra: { access: 'admin' } }))],
	['no documents', async () => subprotocolsFor(await token(identity, { docs: [] }))],
	['a garbage token', async () => subprotocolsFor('not.a.jwt')]
];

describe('relay authentication at upgrade', () => {
	for (const [what, protocols] of refused) {
		it(`refuses ${what}: 401 on the document endpoint, 4401 before any frame on the multiplexed one`, async () => {
			const p = await protocols();
			expect((await tryConnect(`${relay.wsUrl}/directory`, p)).status).toBe(401);
			// Browsers cannot read a refused handshake's status, so the multiplexed endpoint says it
			// with a close code the app turns into "sign in again".
			const mux = await tryConnect(relay.wsUrl, p);
			const frames: unknown[] = [];
			mux.ws?.on('message', (m) => frames.push(m));
			expect(await mux.closed).toBe(CloseCode.unauthorized);
			expect(frames).toEqual([]);
		});
	}

	it('accepts a valid token and answers with clinicdesk.v1 only', async () => {
		const jwt = await token(identity);
		for (const url of [`${relay.wsUrl}/directory`, relay.wsUrl]) {
			const r = await tryConnect(url, subprotocolsFor(jwt));
			expect(r.status).toBe(101);
			expect(r.protocol).toBe(SUBPROTOCOL);
			r.ws?.close();
		}
	});

	it('refuses a document outside the token prefixes with 403, and a non-document with 404', async () => {
		const jwt = subprotocolsFor(await token(identity, { docs: ['schedule/'] }));
		expect((await tryConnect(`${relay.wsUrl}/patients/a`, jwt)).status).toBe(403);
		expect((await tryConnect(`${relay.wsUrl}/directory`, jwt)).status).toBe(403);
		expect((await tryConnect(`${relay.wsUrl}/schedule/2026-13`, jwt)).status).toBe(404);
		expect((await tryConnect(`${relay.wsUrl}/..%2Fetc`, jwt)).status).toBe(404);
		const ok = await tryConnect(`${relay.wsUrl}/schedule/2026-11`, jwt);
		expect(ok.status).toBe(101);
		ok.ws?.close();
	});

	it('checks Origin: own host and allow-listed origins pass, others get 403', async () => {
		const p = subprotocolsFor(await token(identity));
		const url = `${relay.wsUrl}/directory`;
		const own = await tryConnect(url, p, { Origin: relay.httpUrl });
		expect(own.status).toBe(101);
		own.ws?.close();
		const listed = await tryConnect(url, p, { Origin: 'https://desk.example' });
		expect(listed.status).toBe(101);
		listed.ws?.close();
		expect((await tryConnect(url, p, { Origin: 'https://evil.example' })).status).toBe(403);
		expect((await tryConnect(relay.wsUrl, p, { Origin: 'null' })).status).toBe(403);
	});
});

describe('relay authorization on a multiplexed connection', () => {
	it('closes a channel outside the prefixes with forbidden and keeps the connection', async () => {
		const mux = new MuxClient(relay.wsUrl, await token(identity, { docs: ['schedule/'] }));
		await mux.opened;
		mux.send({ type: 'open', channel: 1, docName: 'patients/3' });
		expect(await mux.waitFor((f) => f.type === 'close' && f.channel === 1)).toMatchObject({
			code: CloseCode.forbidden
		});
		mux.send({ type: 'open', channel: 2, docName: 'not a doc' });
		expect(await mux.waitFor((f) => f.type === 'close' && f.channel === 2)).toMatchObject({
			code: CloseCode.badRequest
		});
		mux.send({ type: 'open', channel: 3, docName: 'schedule/2026-10' });
		await mux.waitFor((f) => f.type === 'message' && f.channel === 3);
		// A client's CLOSE is answered, so it knows when the channel id is free again.
		mux.send({ type: 'close', channel: 3, code: 1000, reason: '' });
		expect(await mux.waitFor((f) => f.type === 'close' && f.channel === 3)).toMatchObject({
			code: CloseCode.normal
		});
		mux.close();
	});

	it('syncs a stock provider through a channel', async () => {
		const jwt = await token(identity);
		const mux = new MuxClient(relay.wsUrl, jwt);
		const viaMux = new Y.Doc();
		const direct = new Y.Doc();
		const m = new WebsocketProvider(relay.wsUrl, 'schedule/2027-01', viaMux, {
			WebSocketPolyfill: mux.polyfill(),
			disableBc: true
		});
		const d = provider(relay.wsUrl, 'schedule/2027-01', direct, jwt);
		await Promise.all([whenSynced(m), whenSynced(d)]);
		viaMux.getMap('appointments').set('m', 1);
		direct.getMap('appointments').set('d', 2);
		await eventually(
			() => viaMux.getMap('appointments').size === 2 && direct.getMap('appointments').size === 2
		);
		m.destroy();
		d.destroy();
		mux.close();
	});

	it('AUTH replaces the claims: channels no longer granted close; a bad token closes with 4401', async () => {
		const mux = new MuxClient(relay.wsUrl, await token(identity, { docs: ['directory', 'schedule/'] }));
		await mux.opened;
		mux.send({ type: 'open', channel: 1, docName: 'directory' });
		mux.send({ type: 'open', channel: 2, docName: 'schedule/2026-01' });
		await mux.waitFor((f) => f.type === 'message' && f.channel === 2);
		mux.send({ type: 'auth', token: await token(identity, { docs: ['directory'] }) });
		expect(await mux.waitFor((f) => f.type === 'close' && f.channel === 2)).toMatchObject({
			code: CloseCode.forbidden
		});
		mux.send({ type: 'open', channel: 3, docName: 'schedule/2026-02' });
		expect(await mux.waitFor((f) => f.type === 'close' && f.channel === 3)).toMatchObject({
			code: CloseCode.forbidden
		});
		mux.send({ type: 'auth', token: await token(identity, { secret: 'y'.repeat(40) }) });
		expect(await mux.closed).toBe(CloseCode.unauthorized);
	});

	it('closes a connection with 4401 when its token expires', async () => {
		const mux = new MuxClient(relay.wsUrl, await token(identity, { ttlSeconds: 1 }));
		await mux.opened;
		const started = Date.now();
		expect(await mux.closed).toBe(CloseCode.unauthorized);
		expect(Date.now() - started).toBeLessThan(3000);
		const r = await tryConnect(
			`${relay.wsUrl}/directory`,
			subprotocolsFor(await token(identity, { ttlSeconds: 1 }))
		);
		expect(r.ws && (await closeOf(r.ws))).toBe(CloseCode.unauthorized);
	});
});
