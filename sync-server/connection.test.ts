import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { loadConfig } from './config';
import { DocConnection } from './doc-connection';
import { DocManager } from './docs';
import { MuxConnection } from './mux-connection';
import { MemoryStore } from './store/memory';
import { decodeFrame, encodeFrame } from '../src/lib/domain/sync/mux';

/** The parts of a ws WebSocket a connection uses. */
class FakeWs extends EventEmitter {
	readonly OPEN = 1;
	readyState = 1;
	bufferedAmount = 0;
	sent: Uint8Array[] = [];
	send(bytes: Uint8Array) {
		this.sent.push(bytes);
	}
	close() {
		this.readyState = 3;
		this.emit('close');
	}
	terminate() {
		this.close();
	}
}

/** Counts cork() and uncork() as a net.Socket would see them. */
function fakeSocket() {
	const s = {
		corked: 0,
		corks: 0,
		cork: () => ((s.corked += 1), (s.corks += 1)),
		uncork: () => (s.corked -= 1)
	};
	return s;
}

const turn = () => new Promise((r) => setImmediate(r));

function deps() {
	return {
		docs: new DocManager(new MemoryStore(), { idleEvictMs: 1000, compactEvery: 500 }),
		limits: loadConfig({}).sync,
		verify: async () => ({ ok: false as const, reason: 'unused' }),
		onClosed: () => undefined
	};
}

const grant = {
	claims: { sub: 'u1', role: 'front-desk', clinic: 'c', docs: ['directory'], access: 'write' as const },
	expiresAt: Date.now() + 60_000
};

describe('sync connection', () => {
	it('corks its socket from the first send of a turn until the turn ends', async () => {
		const d = deps();
		const ws = new FakeWs();
		const socket = fakeSocket();
		const conn = new DocConnection(
			ws as unknown as WebSocket,
			grant,
			d,
			'directory',
			socket as unknown as Duplex
		);
		while (ws.sent.length === 0) await turn();
		await turn();
		expect(socket.corked).toBe(0);
		const before = { sent: ws.sent.length, corks: socket.corks };
		// Three queries for awareness in one turn: three answers, one cork.
		for (let i = 0; i < 3; i++) ws.emit('message', Buffer.from([3]), true);
		expect(ws.sent.length - before.sent).toBe(3);
		expect(socket.corks - before.corks).toBe(1);
		expect(socket.corked).toBe(1);
		await turn();
		expect(socket.corked).toBe(0);
		conn.close(1000, 'done');
		await d.docs.closeAll();
	});

	it('cuts off a peer for what it left unread before this turn, not for one turn of answers', async () => {
		const d = deps();
		const limit = 4 * d.limits.maxPayload;
		const ws = new FakeWs();
		// A socket the peer does not read: everything sent stays buffered.
		ws.send = (bytes: Uint8Array) => {
			ws.sent.push(bytes);
			ws.bufferedAmount += bytes.length;
		};
		const conn = new DocConnection(ws as unknown as WebSocket, grant, d, 'directory');
		while (ws.sent.length === 0) await turn();
		await turn();
		ws.bufferedAmount = limit; // at the limit, not over it
		const before = ws.sent.length;
		// Many answers in one turn (as for a message asking for many documents): all go out.
		for (let i = 0; i < 3; i++) ws.emit('message', Buffer.from([3]), true);
		expect(ws.sent.length - before).toBe(3);
		expect(ws.bufferedAmount).toBeGreaterThan(limit);
		expect(conn.isOpen).toBe(true);
		// A later turn: the peer still has not read them, so it is cut off.
		await turn();
		ws.emit('message', Buffer.from([3]), true);
		expect(conn.isOpen).toBe(false);
		await d.docs.closeAll();
	});

	it('frames channel messages as encodeFrame does', async () => {
		const d = deps();
		const ws = new FakeWs();
		const conn = new MuxConnection(ws as unknown as WebSocket, grant, d);
		for (const channel of [1, 300]) {
			ws.emit('message', Buffer.from(encodeFrame({ type: 'open', channel, docName: 'directory' })), true);
			while (ws.sent.length === 0) await turn();
			const greeting = ws.sent.shift()!;
			const frame = decodeFrame(greeting);
			expect(frame).toMatchObject({ type: 'message', channel });
			if (frame.type !== 'message') throw new Error('not a message frame');
			expect(encodeFrame(frame)).toEqual(greeting);
			expect([...frame.payload.slice(0, 2)]).toEqual([0, 0]);
		}
		conn.close(1000, 'done');
		await d.docs.closeAll();
	});
});
