import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode } from '../domain/sync/mux';
import { MuxConnection } from './mux-connection';
import { TestRelay, waitFor } from './test-relay';
import { createMuxPolyfill, docNameFromUrl, VirtualSocket } from './virtual-socket';

type Polyfill = NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill'];

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
	for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(opts: Parameters<typeof TestRelay.start>[0] = {}) {
	const relay = await TestRelay.start(opts);
	cleanup.push(() => relay.destroy());
	const mux = new MuxConnection({
		baseUrl: relay.url,
		token: 't',
		WebSocketImpl: WebSocket,
		random: () => 0
	});
	cleanup.push(() => mux.destroy());
	mux.connect();
	return { relay, mux };
}

/** A stock y-websocket provider, exactly as an outside application would build it. */
function stockProvider(mux: MuxConnection, room: string, doc: Y.Doc): WebsocketProvider {
	const p = new WebsocketProvider(mux.url, room, doc, {
		WebSocketPolyfill: createMuxPolyfill(mux) as unknown as Polyfill,
		disableBc: true
	});
	cleanup.push(() => {
		p.maxBackoffTime = 0;
		p.destroy();
		p.awareness.destroy();
	});
	return p;
}

describe('VirtualSocket', () => {
	it('lets a stock WebsocketProvider sync a document and awareness through the mux', async () => {
		const { relay, mux } = await setup();
		const a = new Y.Doc();
		const b = new Y.Doc();
		const pa = stockProvider(mux, 'schedule/2026-11', a);
		const pb = stockProvider(mux, 'schedule/2026-11', b);
		await waitFor(() => pa.synced && pb.synced, 5000, 'both synced');
		a.getMap('appointments').set('a1', 'booked');
		b.getMap('appointments').set('b1', 'booked');
		await waitFor(() => a.getMap('appointments').size === 2 && b.getMap('appointments').size === 2);
		expect(relay.doc('schedule/2026-11').getMap('appointments').toJSON()).toEqual({
			a1: 'booked',
			b1: 'booked'
		});
		pa.awareness.setLocalStateField('screen', 'schedule');
		await waitFor(() => pb.awareness.getStates().get(a.clientID)?.screen === 'schedule', 5000, 'awareness');
		expect(relay.connectionsAccepted).toBe(1);
	});

	it('waits while connecting, refuses to send, then delivers ArrayBuffers', async () => {
		const relay = await TestRelay.start();
		cleanup.push(() => relay.destroy());
		const mux = new MuxConnection({ baseUrl: relay.url, token: 't', WebSocketImpl: WebSocket });
		cleanup.push(() => mux.destroy());
		const s = mux.openChannel('directory');
		expect(s.readyState).toBe(VirtualSocket.CONNECTING);
		expect(() => s.send(new Uint8Array([0, 0, 0]))).toThrow(/connecting/i);
		const data: unknown[] = [];
		s.binaryType = 'arraybuffer';
		s.onmessage = (e) => data.push(e.data);
		let opened = 0;
		s.onopen = () => (opened += 1);
		mux.connect();
		// The relay greets every channel with sync step 1.
		await waitFor(() => data.length > 0, 5000, 'first message');
		expect(opened).toBe(1);
		expect(data[0]).toBeInstanceOf(ArrayBuffer);
		expect(new Uint8Array(data[0] as ArrayBuffer)[0]).toBe(0);
	});

	it('takes the document name from the url tail the provider builds', () => {
		const base = 'wss://clinic.example/sync';
		expect(docNameFromUrl(base, `${base}/schedule/2026-11`)).toBe('schedule/2026-11');
		expect(docNameFromUrl(base, `${base}/directory?x=1`)).toBe('directory');
		expect(() => docNameFromUrl(base, 'wss://elsewhere/sync/directory')).toThrow(TypeError);
	});

	it('closes with 4500 when the real socket drops, and the provider comes back through a new one', async () => {
		const { relay, mux } = await setup();
		const doc = new Y.Doc();
		const p = stockProvider(mux, 'directory', doc);
		const codes: (number | undefined)[] = [];
		p.on('connection-close', (e) => codes.push(e?.code));
		await waitFor(() => p.synced);
		await relay.restart();
		await waitFor(() => codes.length === 1, 5000, 'channel closed');
		expect(codes).toEqual([CloseCode.goingAway]);
		doc.getMap('clinic').set('name', 'Northside');
		await waitFor(() => p.synced && relay.doc('directory').getMap('clinic').get('name') === 'Northside');
		expect(relay.connectionsAccepted).toBe(2);
	});

	it('stops the provider for good when the relay closes its channel with 4403', async () => {
		const { relay, mux } = await setup();
		const p = stockProvider(mux, 'billing/2026-11', new Y.Doc());
		const other = stockProvider(mux, 'directory', new Y.Doc());
		const closed: { code: number; reason: string }[] = [];
		p.on('closed', (e) => closed.push(e));
		await waitFor(() => p.synced && other.synced);
		relay.closeChannels('billing/2026-11', CloseCode.forbidden, 'no access');
		await waitFor(() => closed.length === 1, 5000, 'terminal close');
		expect(closed).toEqual([{ code: 4403, reason: 'no access' }]);
		expect(p.shouldConnect).toBe(false);
		await new Promise((r) => setTimeout(r, 300));
		expect(p.ws).toBeNull();
		expect(other.wsconnected).toBe(true);
	});
});
