import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { SyncClient } from './client';
import { MuxConnection } from './mux-connection';
import { ClinicPresence, PresenceError, presenceState, type Peer, type PresenceUser } from './presence';
import { TestRelay, waitFor } from './test-relay';
import { createMuxPolyfill } from './virtual-socket';

type Polyfill = NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill'];

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
	for (const fn of cleanup.splice(0).reverse()) await fn();
});

const ana: PresenceUser = {
	id: '3f8a1c2e-7b4d-4e1a-9c3b-2d5e6f708192',
	name: 'Ana Quill',
	color: '#0f4c5c',
	deviceId: 'ws-1a2b3c4d-5e6f'
};
const ben: PresenceUser = {
	id: 'front-desk-2',
	name: "Ben O'Tarro",
	color: '#aa3300',
	deviceId: 'ws-9f8e7d6c-5b4a'
};

async function setup() {
	const relay = await TestRelay.start();
	cleanup.push(() => relay.destroy());
	const station = (user: PresenceUser) => {
		const client = new SyncClient({
			baseUrl: relay.url,
			token: 't',
			WebSocketImpl: WebSocket,
			crossTab: false
		});
		const doc = new Y.Doc();
		const presence = new ClinicPresence(doc, user, { screen: 'schedule' });
		client.attach('directory', doc, { awareness: presence.awareness });
		cleanup.push(() => {
			presence.destroy();
			client.destroy();
		});
		return { client, presence };
	};
	return { relay, station };
}

describe('ClinicPresence', () => {
	it('shows other workstations and what they are looking at, not oneself', async () => {
		const { station } = await setup();
		const a = station(ana);
		const b = station(ben);
		const seen: Peer[][] = [];
		b.presence.onChange((p) => seen.push(p));
		await waitFor(() => a.presence.peers().length === 1 && b.presence.peers().length === 1, 5000, 'peers');
		expect(a.presence.peers()[0]).toMatchObject({ user: ben, view: { screen: 'schedule' } });
		a.presence.setView({
			screen: 'patients',
			doc: 'patients/3',
			recordId: '3c1d2e4f-0a9b-4c8d-9e7f-112233445566'
		});
		await waitFor(() => b.presence.peers()[0]?.view.screen === 'patients', 5000, 'view change');
		expect(b.presence.peers()[0]).toMatchObject({
			clientId: a.presence.awareness.clientID,
			user: ana,
			view: { doc: 'patients/3', recordId: '3c1d2e4f-0a9b-4c8d-9e7f-112233445566' }
		});
		expect(seen.length).toBeGreaterThan(0);
		a.client.detach('directory');
		await waitFor(() => b.presence.peers().length === 0, 5000, 'peer left');
	});

	it('refuses to announce anything shaped like patient data', () => {
		const p = new ClinicPresence(new Y.Doc(), ana);
		cleanup.push(() => p.destroy());
		expect(() => p.setView({ screen: 'patients', recordId: 'Jane Roe' })).toThrow(PresenceError);
		expect(() => p.setView({ screen: 'patients', doc: 'patients/Jane Roe' })).toThrow(PresenceError);
		expect(() => p.setView({ screen: 'chart of Jane Roe' } as never)).toThrow(PresenceError);
		expect(() => new ClinicPresence(new Y.Doc(), { ...ana, name: 'Ana (555-0134)' })).toThrow(PresenceError);
		try {
			p.setView({ screen: 'patients', recordId: 'Jane Roe' });
		} catch (e) {
			expect(String(e)).not.toContain('Jane');
		}
		expect(p.local?.view).toEqual({ screen: 'welcome' });
	});

	it('sends an unchanged view no more, and coalesces quick changes into the last one', async () => {
		const p = new ClinicPresence(new Y.Doc(), ana, { screen: 'schedule' }, { minIntervalMs: 40 });
		cleanup.push(() => p.destroy());
		const sent: unknown[] = [];
		p.awareness.on('update', (_: unknown, origin: unknown) => {
			if (origin === 'local') sent.push(p.awareness.getLocalState()?.view);
		});
		for (let i = 0; i < 5; i++) p.setView({ screen: 'schedule' });
		expect(sent).toEqual([]);
		p.setView({ screen: 'schedule', date: '2026-11-27' });
		p.setView({ screen: 'schedule', date: '2026-11-28' });
		p.setView({ screen: 'schedule', date: '2026-11-29' });
		expect(sent).toEqual([{ screen: 'schedule', date: '2026-11-27' }]);
		await waitFor(() => sent.length === 2, 2000, 'trailing view');
		expect(sent[1]).toEqual({ screen: 'schedule', date: '2026-11-29' });
		await new Promise((res) => setTimeout(res, 100));
		expect(sent).toHaveLength(2);
		expect(p.local?.view).toEqual({ screen: 'schedule', date: '2026-11-29' });
	});

	it("sends only this workstation's own presence, not the states it receives", async () => {
		const { station } = await setup();
		const a = station(ana);
		const b = station(ben);
		await waitFor(() => a.presence.peers().length === 1 && b.presence.peers().length === 1, 5000, 'peers');
		await new Promise((res) => setTimeout(res, 100));
		const sentByA = a.client.mux.stats.framesOut;
		const sentByB = b.client.mux.stats.framesOut;
		b.presence.setView({ screen: 'billing' });
		await waitFor(() => a.presence.peers()[0]?.view.screen === 'billing', 5000, 'b seen by a');
		await new Promise((res) => setTimeout(res, 100));
		// B sent its own change; A, receiving it, sent nothing back.
		expect(b.client.mux.stats.framesOut).toBeGreaterThan(sentByB);
		expect(a.client.mux.stats.framesOut).toBe(sentByA);
		a.presence.setView({ screen: 'admin' });
		await waitFor(() => b.presence.peers()[0]?.view.screen === 'admin', 5000, 'a seen by b');
		expect(a.client.mux.stats.framesOut).toBeGreaterThan(sentByA);
	});

	it('drops remote states that fail the schema, keeping valid ones', async () => {
		const { relay, station } = await setup();
		const a = station(ana);
		station(ben);
		// Another client speaking plain y-websocket, announcing whatever it likes.
		const mux = new MuxConnection({ baseUrl: relay.url, token: 't', WebSocketImpl: WebSocket });
		mux.connect();
		const rogue = new Awareness(new Y.Doc());
		const provider = new WebsocketProvider(mux.url, 'directory', rogue.doc, {
			WebSocketPolyfill: createMuxPolyfill(mux) as unknown as Polyfill,
			awareness: rogue,
			disableBc: true
		});
		cleanup.push(() => {
			provider.maxBackoffTime = 0;
			provider.destroy();
			rogue.destroy();
			mux.destroy();
		});
		const bad = [
			{ user: { ...ben, name: 'Jane Roe DOB 1970-01-01' }, view: { screen: 'patients' } },
			{ user: ben, view: { screen: 'patients' }, patientName: 'Jane Roe' },
			{ user: ben, view: { screen: 'patients', recordId: '555-0134' } },
			{ user: { ...ben, id: 'Jane Roe' }, view: { screen: 'schedule' } },
			{ cursor: 3 }
		];
		for (const state of bad) {
			expect(presenceState.safeParse(state).success).toBe(false);
			rogue.setLocalState(state);
			const arrived = () => JSON.stringify(a.presence.awareness.getStates().get(rogue.clientID));
			await waitFor(() => arrived() === JSON.stringify(state), 5000, 'rogue state');
			expect(a.presence.peers().map((p) => p.user.name)).toEqual(["Ben O'Tarro"]);
		}
		rogue.setLocalState({ user: { ...ben, name: 'Cy Dunmore' }, view: { screen: 'billing' } });
		await waitFor(() => a.presence.peers().length === 2, 5000, 'valid rogue accepted');
	});
});
