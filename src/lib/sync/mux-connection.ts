/**
 * The workstation's one real WebSocket to the relay, carrying every open document as a channel
 * (wire format: domain/sync/mux.ts).
 *
 * Why one socket: remote sites sit 300–600 ms away and browsers open sockets to one host one handshake
 * at a time, so a socket per document made opening a day's work cost a handshake per document.
 *
 * How it behaves:
 * - Channels are VirtualSockets (virtual-socket.ts). They are bound to a channel id when the real socket
 *   is open; ids start at 1 on every connection (0 is the connection itself, used by AUTH).
 * - When the real socket drops, every bound channel closes with 4500 (transient). Their providers
 *   then make new VirtualSockets that wait, without timers of their own, until this connection is back.
 * - Reconnects use full-jitter exponential backoff (backoff.ts). The attempt counter resets only when
 *   a connection stayed open for `stableMs`, so a relay that accepts and immediately drops us is still
 *   backed off.
 * - A close code in 4400–4499 on the connection itself means the relay rejected this workstation
 *   (e.g. 4401: token expired). Retrying cannot help, so it stops in 'unauthorized' until `setToken`
 *   or `connect` is called. Channels are closed as transient, so their providers simply wait.
 * - Errors carry codes and document names only: no payloads, no token.
 */
import {
	CloseCode,
	decodeFrame,
	encodeFrame,
	FrameError,
	SUBPROTOCOL,
	subprotocolsFor
} from '../domain/sync/mux';
import { backoffCeiling, backoffDelay, defaultBackoff, type BackoffPolicy } from './backoff';
import { Emitter } from './emitter';
import type {
	ConnectionStatus,
	MuxEvents,
	MuxOptions,
	MuxStats,
	RealSocket,
	WebSocketImpl
} from './mux-types';
import { VirtualSocket, type ChannelHost } from './virtual-socket';

export type * from './mux-types';

const NORMAL = 1000;

export class MuxConnection implements ChannelHost {
	readonly url: string;
	readonly stats: MuxStats = { connects: 0, bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0 };
	private readonly events = new Emitter<MuxEvents>();
	private readonly Impl: WebSocketImpl | undefined;
	private readonly random: () => number;
	private readonly policy: BackoffPolicy;
	private readonly stableMs: number;
	private readonly connectTimeoutMs: number;

	private token: string;
	private sentToken: string | null = null;
	private socket: RealSocket | null = null;
	private _status: ConnectionStatus = 'idle';
	private _lastCloseCode: number | null = null;
	private _retryAt: number | null = null;
	private attempt = 0;
	private openedAt: number | null = null;
	private retryTimer: ReturnType<typeof setTimeout> | null = null;
	private connectTimer: ReturnType<typeof setTimeout> | null = null;
	private nextChannel = 1;
	/** Channel ids we closed whose CLOSE the relay has not answered yet. */
	private readonly draining = new Set<number>();
	private destroyed = false;
	/** Sockets waiting for the real socket, and sockets bound to a channel on it. */
	private readonly waiting = new Set<VirtualSocket>();
	private readonly channels = new Map<number, VirtualSocket>();

	constructor(opts: MuxOptions) {
		this.url = `${opts.baseUrl.replace(/\/+$/, '')}/sync`;
		this.token = opts.token;
		this.Impl = opts.WebSocketImpl ?? (globalThis.WebSocket as WebSocketImpl | undefined);
		this.random = opts.random ?? Math.random;
		this.policy = { ...defaultBackoff, ...opts.backoff };
		this.stableMs = opts.stableMs ?? 10_000;
		this.connectTimeoutMs = opts.connectTimeoutMs ?? 20_000;
	}

	get status(): ConnectionStatus {
		return this._status;
	}
	get isOpen(): boolean {
		return this._status === 'open';
	}
	/** The close code that ended the last connection (e.g. 4401), for explaining 'unauthorized'. */
	get lastCloseCode(): number | null {
		return this._lastCloseCode;
	}
	/** When the next attempt is due (epoch ms), while status is 'closed'. */
	get retryAt(): number | null {
		return this._retryAt;
	}
	/** Channels currently bound on the real socket. */
	get openChannels(): number {
		return this.channels.size;
	}

	on<K extends keyof MuxEvents>(name: K, fn: (...args: MuxEvents[K]) => void): () => void {
		return this.events.on(name, fn);
	}

	/** Starts (or restarts) connecting now, also out of 'unauthorized' or a paused state. */
	connect(): void {
		if (this.destroyed) return;
		this.clearRetry();
		if (this.socket) return;
		this.openSocket();
	}

	/** Goes offline on purpose: closes the socket and stops retrying until `resume` or `connect`. */
	pause(): void {
		this.clearRetry();
		this.teardown(NORMAL, 'paused');
		this.setStatus('idle');
	}

	resume(): void {
		this.connect();
	}

	/** Uses the token from now on: sent as AUTH on an open connection, else at the next connect. */
	setToken(token: string): void {
		this.token = token;
		if (this._status === 'open') this.sendAuth();
		else if (this._status === 'unauthorized') this.connect();
	}

	/** A VirtualSocket for one document; see createMuxPolyfill for handing channels to y-websocket. */
	openChannel(docName: string): VirtualSocket {
		return new VirtualSocket(this, docName);
	}

	destroy(): void {
		if (this.destroyed) return;
		this.pause();
		this.destroyed = true;
		for (const s of [...this.waiting, ...this.channels.values()]) s._closed(1001, 'destroyed', true);
		this.waiting.clear();
		this.events.clear();
	}

	// ChannelHost, used by VirtualSocket.

	adopt(socket: VirtualSocket): void {
		if (this.destroyed) return;
		this.waiting.add(socket);
		// Deferred so the provider can set its handlers before 'open' fires, as with a real socket.
		if (this.isOpen) queueMicrotask(() => this.bindWaiting());
	}

	bind(socket: VirtualSocket): number {
		this.waiting.delete(socket);
		let id = this.nextChannel;
		while (this.channels.has(id) || this.draining.has(id)) id = id >= 0xffff ? 1 : id + 1;
		this.nextChannel = id >= 0xffff ? 1 : id + 1;
		this.channels.set(id, socket);
		this.sendFrame(encodeFrame({ type: 'open', channel: id, docName: socket.docName }));
		return id;
	}

	sendMessage(channel: number, payload: Uint8Array): void {
		this.sendFrame(encodeFrame({ type: 'message', channel, payload }));
	}

	release(socket: VirtualSocket, close: { code: number; reason: string } | null): void {
		this.waiting.delete(socket);
		const id = socket.channel;
		if (id === null || this.channels.get(id) !== socket) return;
		this.channels.delete(id);
		if (close) {
			// Frames for the old document may still be in flight: the id stays out of use until the
			// relay's answering CLOSE says there are no more (see mux.ts).
			this.draining.add(id);
			this.sendFrame(encodeFrame({ type: 'close', channel: id, ...close }));
		}
	}

	reportListenerError(docName: string): void {
		this.events.emit('error', { code: 'listener-threw', docName });
	}

	// The real socket.

	private openSocket(): void {
		if (!this.Impl) throw new Error('No WebSocket implementation available');
		this.nextChannel = 1;
		this.draining.clear();
		this.openedAt = null;
		this._retryAt = null;
		const ws = new this.Impl(this.url, subprotocolsFor(this.token));
		this.sentToken = this.token;
		ws.binaryType = 'arraybuffer';
		this.socket = ws;
		ws.onopen = () => this.onOpen(ws);
		ws.onmessage = (ev: { data: unknown }) => this.onMessage(ws, ev.data);
		ws.onclose = (ev: { code: number }) => this.onDrop(ws, ev.code);
		ws.onerror = () => this.events.emit('error', { code: 'socket-error' });
		this.connectTimer = setTimeout(() => {
			this.events.emit('error', { code: 'connect-timeout' });
			this.onDrop(ws, CloseCode.goingAway);
		}, this.connectTimeoutMs);
		this.setStatus('connecting');
	}

	private onOpen(ws: RealSocket): void {
		if (ws !== this.socket) return;
		this.clearConnectTimer();
		if (ws.protocol !== SUBPROTOCOL) {
			// Not our relay (or an older one): nothing it says can be trusted as mux frames.
			this.events.emit('error', { code: 'protocol-mismatch' });
			this.onDrop(ws, CloseCode.goingAway);
			return;
		}
		this.openedAt = Date.now();
		this.stats.connects += 1;
		this.setStatus('open');
		if (this.sentToken !== this.token) this.sendAuth();
		this.bindWaiting();
	}

	private onMessage(ws: RealSocket, data: unknown): void {
		if (ws !== this.socket) return;
		const bytes =
			data instanceof ArrayBuffer
				? new Uint8Array(data)
				: ArrayBuffer.isView(data)
					? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
					: null;
		let frame;
		try {
			if (!bytes) throw new FrameError('text frame');
			frame = decodeFrame(bytes);
		} catch {
			// A relay that sends garbage may also have lost frames: start over with a fresh sync.
			this.events.emit('error', { code: 'bad-frame' });
			this.onDrop(ws, CloseCode.goingAway);
			return;
		}
		this.stats.bytesIn += bytes.length;
		this.stats.framesIn += 1;
		this.events.emit('traffic', this.stats);
		if (frame.type === 'message') {
			this.channels.get(frame.channel)?._deliver(frame.payload);
		} else if (frame.type === 'close') {
			if (this.draining.delete(frame.channel)) return;
			const socket = this.channels.get(frame.channel);
			if (!socket) return;
			this.channels.delete(frame.channel);
			this.events.emit('error', { code: 'channel-closed', closeCode: frame.code, docName: socket.docName });
			socket._closed(frame.code, frame.reason, true);
		}
		// OPEN and AUTH only travel client → relay; a relay sending them is ignored.
	}

	/** The real socket is gone (closed by the relay, the network, a timeout or us). */
	private onDrop(ws: RealSocket, code: number): void {
		if (ws !== this.socket) return;
		const wasUp = this.openedAt !== null && Date.now() - this.openedAt >= this.stableMs;
		this.teardown(NORMAL, 'reconnecting');
		this._lastCloseCode = code;
		if (code >= 4400 && code < 4500) {
			this.events.emit('error', { code: 'rejected', closeCode: code });
			this.setStatus('unauthorized');
			return;
		}
		if (wasUp) this.attempt = 0;
		this.scheduleRetry();
	}

	private scheduleRetry(): void {
		const attempt = this.attempt;
		const ceilingMs = backoffCeiling(attempt, this.policy);
		const delayMs = backoffDelay(attempt, this.random, this.policy);
		this.attempt += 1;
		this._retryAt = Date.now() + delayMs;
		this.retryTimer = setTimeout(() => {
			this.retryTimer = null;
			this.openSocket();
		}, delayMs);
		this.setStatus('closed');
		this.events.emit('retry', { attempt, ceilingMs, delayMs });
	}

	/** Detaches and closes the real socket, and tells every bound channel it is gone. */
	private teardown(code: number, reason: string): void {
		this.clearConnectTimer();
		const ws = this.socket;
		this.socket = null;
		if (ws) {
			ws.onopen = null;
			ws.onmessage = null;
			ws.onclose = null;
			// Closing a socket that is still connecting reports an error; `ws` in node throws an error
			// event nobody listens to, so it is swallowed rather than detached.
			ws.onerror = () => {};
			try {
				ws.close(code, reason);
			} catch {
				// Already closed.
			}
		}
		const lost = [...this.channels.values()];
		this.channels.clear();
		for (const s of lost) s._connectionLost();
	}

	private bindWaiting(): void {
		for (const s of [...this.waiting]) {
			if (!this.isOpen) return;
			s._connectionOpened();
		}
	}

	private sendAuth(): void {
		this.sentToken = this.token;
		this.sendFrame(encodeFrame({ type: 'auth', token: this.token }));
	}

	private sendFrame(frame: Uint8Array): void {
		const ws = this.socket;
		if (!ws || ws.readyState !== 1) return;
		ws.send(frame);
		this.stats.bytesOut += frame.length;
		this.stats.framesOut += 1;
		this.events.emit('traffic', this.stats);
	}

	private setStatus(status: ConnectionStatus): void {
		if (this._status === status) return;
		this._status = status;
		this.events.emit('status', status);
	}

	private clearRetry(): void {
		if (this.retryTimer) clearTimeout(this.retryTimer);
		this.retryTimer = null;
		this._retryAt = null;
	}

	private clearConnectTimer(): void {
		if (this.connectTimer) clearTimeout(this.connectTimer);
		this.connectTimer = null;
	}
}
