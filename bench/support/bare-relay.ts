/**
 * A bare y-websocket relay, the baseline for the real relay's throughput and latency: the logic of
 * y-websocket's classic server utilities (one in-memory Y.Doc and Awareness per room, sync step 1
 * and the current awareness to each new socket, y-protocols sync answered in place, updates
 * broadcast, awareness broadcast) and nothing else — no auth, no persistence, no rate limits, no
 * multiplexing. The room is the URL path, so `ws://host:port/sync/<doc>` works as for the real relay.
 *
 * One deliberate difference from y-websocket's utils: an update is not echoed back to the socket it
 * came from, which is what the real relay does too, so both send the same messages for one workload.
 *
 * Run as its own process: `PORT=0 HOST=127.0.0.1 node --import tsx bench/support/bare-relay.ts`;
 * prints `bare relay listening on <host>:<port>`.
 *
 * `BARE_CORK=1` adds the one I/O change the real relay makes (sync-server/connection.ts): a socket
 * is corked from its first send in a turn of the event loop until the turn ends, so a turn's sends
 * to one peer leave in one system call. It is not y-websocket's behaviour; it shows what auth and
 * persistence cost against a relay that writes the same way.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

class Room {
	readonly doc = new Y.Doc({ gc: true });
	readonly awareness = new awarenessProtocol.Awareness(this.doc);
	/** Each socket with the awareness client ids it announced. */
	readonly conns = new Map<WebSocket, Set<number>>();

	constructor() {
		this.awareness.setLocalState(null);
		this.doc.on('update', (update: Uint8Array, origin: unknown) => {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MESSAGE_SYNC);
			syncProtocol.writeUpdate(e, update);
			const message = encoding.toUint8Array(e);
			for (const conn of this.conns.keys()) if (conn !== origin) send(conn, message);
		});
		this.awareness.on(
			'update',
			(
				{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
				origin: unknown
			) => {
				const announced = this.conns.get(origin as WebSocket);
				if (announced) {
					for (const id of added) announced.add(id);
					for (const id of removed) announced.delete(id);
				}
				const message = this.awarenessMessage([...added, ...updated, ...removed]);
				for (const conn of this.conns.keys()) send(conn, message);
			}
		);
	}

	awarenessMessage(clients: number[]): Uint8Array {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MESSAGE_AWARENESS);
		encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
		return encoding.toUint8Array(e);
	}
}

const rooms = new Map<string, Room>();
const CORK = process.env.BARE_CORK === '1';
const sockets = new WeakMap<WebSocket, Duplex>();
const corked = new Set<Duplex>();

function uncorkAll(): void {
	const all = [...corked];
	corked.clear();
	for (const socket of all) socket.uncork();
}

function send(conn: WebSocket, message: Uint8Array): void {
	if (conn.readyState !== conn.OPEN) return;
	const socket = sockets.get(conn);
	if (socket && !corked.has(socket)) {
		if (corked.size === 0) setImmediate(uncorkAll);
		socket.cork();
		corked.add(socket);
	}
	conn.send(message, (err) => {
		if (err) conn.terminate();
	});
}

function onMessage(conn: WebSocket, room: Room, message: Uint8Array): void {
	const decoder = decoding.createDecoder(message);
	const encoder = encoding.createEncoder();
	switch (decoding.readVarUint(decoder)) {
		case MESSAGE_SYNC:
			encoding.writeVarUint(encoder, MESSAGE_SYNC);
			syncProtocol.readSyncMessage(decoder, encoder, room.doc, conn);
			// Only step 1 produces an answer (step 2); updates leave the encoder at its one header byte.
			if (encoding.length(encoder) > 1) send(conn, encoding.toUint8Array(encoder));
			break;
		case MESSAGE_AWARENESS:
			awarenessProtocol.applyAwarenessUpdate(room.awareness, decoding.readVarUint8Array(decoder), conn);
			break;
		case MESSAGE_QUERY_AWARENESS:
			send(conn, room.awarenessMessage([...room.awareness.getStates().keys()]));
			break;
	}
}

function onConnection(conn: WebSocket, req: http.IncomingMessage): void {
	if (CORK) sockets.set(conn, req.socket);
	const name = (req.url ?? '/').split('?')[0]!.slice(1);
	let room = rooms.get(name);
	if (!room) rooms.set(name, (room = new Room()));
	const joined = room;
	joined.conns.set(conn, new Set());
	conn.on('error', () => undefined);
	conn.on('message', (data: RawData) => {
		try {
			// A private copy, as the real relay makes: Yjs keeps views into applied updates.
			const bytes = Array.isArray(data) ? Buffer.concat(data) : data;
			onMessage(conn, joined, new Uint8Array(bytes instanceof ArrayBuffer ? bytes.slice(0) : bytes));
		} catch {
			conn.close(1003, 'malformed message');
		}
	});
	conn.on('close', () => {
		const announced = joined.conns.get(conn);
		joined.conns.delete(conn);
		if (announced && announced.size > 0) {
			awarenessProtocol.removeAwarenessStates(joined.awareness, [...announced], null);
		}
	});
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_SYNC);
	syncProtocol.writeSyncStep1(e, joined.doc);
	send(conn, encoding.toUint8Array(e));
	const states = joined.awareness.getStates();
	if (states.size > 0) send(conn, joined.awarenessMessage([...states.keys()]));
}

const server = http.createServer((_req, res) => {
	res.writeHead(426, { 'Content-Type': 'text/plain' });
	res.end('WebSocket only');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
wss.on('connection', onConnection);
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
	const { address, port } = server.address() as AddressInfo;
	console.log(`bare relay listening on ${address}:${port}${CORK ? ' (corked sends)' : ''}`);
});
const stop = () => {
	for (const client of wss.clients) client.terminate();
	wss.close();
	server.close(() => process.exit(0));
	setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
