/**
 * A small in-process relay for the sync client's tests: the mux frames of domain/sync/mux.ts over
 * `ws`, and per document the same logic as y-websocket's server (sync step 1 on open, answers to
 * step 1, updates forwarded to the other channels, awareness echoed to every channel including the
 * sender's). It is deliberately not the real relay in sync-server/, which is written separately; tests
 * of that relay run it as its own process.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CloseCode, decodeFrame, encodeFrame, parseSubprotocols, SUBPROTOCOL } from '../domain/sync/mux';

const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
const MSG_QUERY_AWARENESS = 3;

export interface TestRelayOptions {
	port?: number;
	/** Tokens the relay accepts; others get the connection closed with 4401. Default: any. */
	acceptToken?: (token: string) => boolean;
	/** Documents a token may open; others get their channel closed with 4403. Default: all. */
	mayOpen?: (docName: string, token: string) => boolean;
	/** Also answer every sync step 1 with the relay's own step 1, as some relays (Hocuspocus) do. */
	chattyStep1?: boolean;
}

interface Channel {
	conn: Conn;
	id: number;
	docName: string;
	/** Awareness client ids this channel has announced, removed when it closes. */
	clients: Set<number>;
}

interface Conn {
	ws: WebSocket;
	token: string;
	channels: Map<number, Channel>;
}

interface Room {
	doc: Y.Doc;
	awareness: awarenessProtocol.Awareness;
	channels: Set<Channel>;
}

export class TestRelay {
	/** Real WebSocket connections accepted since start (across restarts). */
	connectionsAccepted = 0;
	readonly tokensSeen: string[] = [];
	readonly opened: string[] = [];
	/** Answer a client's CLOSE with a CLOSE, as the real relay does; a test may hold the answers back. */
	answerCloses = true;
	private server: WebSocketServer | null = null;
	private readonly conns = new Set<Conn>();
	private readonly rooms = new Map<string, Room>();
	private port = 0;

	private constructor(private readonly opts: TestRelayOptions) {}

	static async start(opts: TestRelayOptions = {}): Promise<TestRelay> {
		const relay = new TestRelay(opts);
		relay.port = opts.port ?? 0;
		await relay.listen();
		return relay;
	}

	/** The base URL a SyncClient is given (`/sync` is appended by the client). */
	get url(): string {
		return `ws://127.0.0.1:${this.port}`;
	}

	get openConnections(): number {
		return this.conns.size;
	}

	doc(name: string): Y.Doc {
		return this.room(name).doc;
	}

	/** Drops every connection abruptly and stops listening; documents are kept, as if persisted. */
	async stop(): Promise<void> {
		for (const c of this.conns) c.ws.terminate();
		const server = this.server;
		this.server = null;
		if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	/** Listens again on the same port. */
	async restart(): Promise<void> {
		await this.stop();
		await this.listen();
	}

	/** Closes every connection cleanly with a code (4401: token expired). */
	closeConnections(code: number, reason = ''): void {
		for (const c of this.conns) c.ws.close(code, reason);
	}

	/** Closes one document's channels with a code, as the relay does when access is withdrawn. */
	closeChannels(docName: string, code: number, reason = ''): void {
		for (const ch of [...this.room(docName).channels]) this.closeChannel(ch, code, reason);
	}

	async destroy(): Promise<void> {
		await this.stop();
		for (const r of this.rooms.values()) {
			r.awareness.destroy();
			r.doc.destroy();
		}
		this.rooms.clear();
	}

	private async listen(): Promise<void> {
		const server = new WebSocketServer({
			host: '127.0.0.1',
			port: this.port,
			path: '/sync',
			handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false)
		});
		this.server = server;
		server.on('connection', (ws, req) => this.onConnection(ws, req));
		await new Promise<void>((resolve, reject) => {
			server.once('listening', resolve);
			server.once('error', reject);
		});
		this.port = (server.address() as AddressInfo).port;
	}

	private onConnection(ws: WebSocket, req: IncomingMessage): void {
		this.connectionsAccepted += 1;
		const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
		const token = parseSubprotocols(offered).token ?? '';
		this.tokensSeen.push(token);
		const conn: Conn = { ws, token, channels: new Map() };
		this.conns.add(conn);
		ws.on('error', () => {});
		ws.on('close', () => {
			this.conns.delete(conn);
			for (const ch of [...conn.channels.values()]) this.dropChannel(ch);
		});
		if (!this.accepts(token)) {
			ws.close(CloseCode.unauthorized, 'token');
			return;
		}
		ws.on('message', (data: Buffer, isBinary: boolean) => {
			if (!isBinary) return void ws.close(CloseCode.badRequest, 'text');
			try {
				this.onFrame(conn, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
			} catch {
				ws.close(CloseCode.badRequest, 'bad frame');
			}
		});
	}

	private accepts(token: string): boolean {
		return this.opts.acceptToken ? this.opts.acceptToken(token) : true;
	}

	private onFrame(conn: Conn, bytes: Uint8Array): void {
		const frame = decodeFrame(bytes);
		if (frame.type === 'auth') {
			this.tokensSeen.push(frame.token);
			conn.token = frame.token;
			if (!this.accepts(frame.token)) conn.ws.close(CloseCode.unauthorized, 'token');
			return;
		}
		if (frame.type === 'open') {
			this.opened.push(frame.docName);
			const ch: Channel = { conn, id: frame.channel, docName: frame.docName, clients: new Set() };
			if (this.opts.mayOpen && !this.opts.mayOpen(frame.docName, conn.token)) {
				this.send(ch, null, CloseCode.forbidden, 'forbidden');
				return;
			}
			conn.channels.set(ch.id, ch);
			const room = this.room(frame.docName);
			room.channels.add(ch);
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MSG_SYNC);
			syncProtocol.writeSyncStep1(e, room.doc);
			this.send(ch, encoding.toUint8Array(e));
			if (room.awareness.getStates().size > 0) this.send(ch, this.awarenessMessage(room));
			return;
		}
		const ch = conn.channels.get(frame.channel);
		if (!ch) return;
		if (frame.type === 'close') {
			conn.channels.delete(ch.id);
			this.dropChannel(ch);
			// Like the real relay: answer a client's CLOSE, so the client may reuse the id.
			if (this.answerCloses)
				conn.ws.send(encodeFrame({ type: 'close', channel: ch.id, code: 1000, reason: '' }));
			return;
		}
		this.onMessage(ch, frame.payload);
	}

	private onMessage(ch: Channel, payload: Uint8Array): void {
		const room = this.room(ch.docName);
		const d = decoding.createDecoder(payload);
		const type = decoding.readVarUint(d);
		if (type === MSG_SYNC) {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MSG_SYNC);
			const kind = syncProtocol.readSyncMessage(d, e, room.doc, ch);
			if (encoding.length(e) > 1) this.send(ch, encoding.toUint8Array(e));
			if (kind === syncProtocol.messageYjsSyncStep1 && this.opts.chattyStep1) {
				const s1 = encoding.createEncoder();
				encoding.writeVarUint(s1, MSG_SYNC);
				syncProtocol.writeSyncStep1(s1, room.doc);
				this.send(ch, encoding.toUint8Array(s1));
			}
		} else if (type === MSG_AWARENESS) {
			awarenessProtocol.applyAwarenessUpdate(room.awareness, decoding.readVarUint8Array(d), ch);
		} else if (type === MSG_QUERY_AWARENESS) {
			this.send(ch, this.awarenessMessage(room));
		}
	}

	private room(name: string): Room {
		let room = this.rooms.get(name);
		if (room) return room;
		const doc = new Y.Doc();
		const awareness = new awarenessProtocol.Awareness(doc);
		awareness.setLocalState(null);
		const r: Room = { doc, awareness, channels: new Set() };
		doc.on('update', (update: Uint8Array, origin: unknown) => {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, MSG_SYNC);
			syncProtocol.writeUpdate(e, update);
			const msg = encoding.toUint8Array(e);
			for (const ch of r.channels) if (ch !== origin) this.send(ch, msg);
		});
		awareness.on(
			'update',
			(c: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
				const changed = [...c.added, ...c.updated, ...c.removed];
				if (origin && r.channels.has(origin as Channel)) {
					const ch = origin as Channel;
					for (const id of [...c.added, ...c.updated]) ch.clients.add(id);
					for (const id of c.removed) ch.clients.delete(id);
				}
				const msg = this.awarenessMessage(r, changed);
				for (const ch of r.channels) this.send(ch, msg);
			}
		);
		this.rooms.set(name, r);
		room = r;
		return room;
	}

	private awarenessMessage(room: Room, clients = [...room.awareness.getStates().keys()]): Uint8Array {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MSG_AWARENESS);
		encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(room.awareness, clients));
		return encoding.toUint8Array(e);
	}

	private closeChannel(ch: Channel, code: number, reason: string): void {
		this.send(ch, null, code, reason);
		ch.conn.channels.delete(ch.id);
		this.dropChannel(ch);
	}

	private dropChannel(ch: Channel): void {
		const room = this.rooms.get(ch.docName);
		if (!room || !room.channels.delete(ch)) return;
		awarenessProtocol.removeAwarenessStates(room.awareness, [...ch.clients], null);
	}

	/** A MESSAGE frame, or with `payload` null a CLOSE frame. */
	private send(ch: Channel, payload: Uint8Array | null, code = 1000, reason = ''): void {
		const frame =
			payload === null
				? encodeFrame({ type: 'close', channel: ch.id, code, reason })
				: encodeFrame({ type: 'message', channel: ch.id, payload });
		if (ch.conn.ws.readyState === ch.conn.ws.OPEN) ch.conn.ws.send(frame);
	}
}

/** Polls until `check` holds, for asserting on asynchronous sync without fixed sleeps. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 10));
	}
}
