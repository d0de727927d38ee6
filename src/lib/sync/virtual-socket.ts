/**
 * A WebSocket look-alike for one document's channel on the shared mux connection.
 *
 * Why: y-websocket's `WebsocketProvider` already implements the sync and awareness protocol of one
 * document and only needs "something shaped like a browser WebSocket". Handing it a VirtualSocket as
 * `WebSocketPolyfill` keeps the stock provider (and its interoperability with any y-websocket relay)
 * while every document shares one real socket (see domain/sync/mux.ts for why one socket matters).
 *
 * Lifecycle, mirroring the browser's states closely enough for the provider:
 * - CONNECTING: the socket waits, without timers, until the real socket is open; then it sends OPEN
 *   for a fresh channel id and becomes OPEN. The relay does not acknowledge OPEN: a refusal arrives
 *   later as a CLOSE frame, like a server closing a freshly opened WebSocket.
 * - OPEN: `send` wraps bytes in MESSAGE frames; MESSAGE frames arrive as `{ data: ArrayBuffer }`.
 * - CLOSED: after `close()` (sends CLOSE), after a CLOSE frame from the relay (its code and reason are
 *   passed on, so 4400–4499 makes the provider stop), or when the real socket drops (4500, transient:
 *   the provider builds a new VirtualSocket, which waits for the mux to reconnect).
 * There is no CLOSING on the wire: a channel ends as soon as either side says so, and channel ids are
 * not reused on one connection, so frames that were already in flight are simply dropped.
 */
import { CloseCode } from '../domain/sync/mux';

/** What a VirtualSocket needs from the connection that carries it (MuxConnection implements it). */
export interface ChannelHost {
	/** `${baseUrl}/sync`: providers must be given this as their server url. */
	readonly url: string;
	/** Whether the real socket is open, i.e. a channel can be bound right now. */
	readonly isOpen: boolean;
	/** Registers a new socket; the host calls `_connectionOpened` when the real socket is (or gets) open. */
	adopt(socket: VirtualSocket): void;
	/** Allocates a channel id on the current connection and sends OPEN for it. */
	bind(socket: VirtualSocket): number;
	sendMessage(channel: number, payload: Uint8Array): void;
	/** Forgets the socket; sends CLOSE first when it was bound to an open channel. */
	release(socket: VirtualSocket, close: { code: number; reason: string } | null): void;
	/** A listener threw: the host reports it (by document name only) instead of breaking other channels. */
	reportListenerError(docName: string): void;
}

export interface VirtualEvent {
	type: 'open' | 'message' | 'close' | 'error';
	target: VirtualSocket;
}
export interface VirtualMessageEvent extends VirtualEvent {
	data: ArrayBuffer;
}
export interface VirtualCloseEvent extends VirtualEvent {
	code: number;
	reason: string;
	wasClean: boolean;
}
type Listener = (ev: never) => void;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export class VirtualSocket {
	static readonly CONNECTING = CONNECTING;
	static readonly OPEN = OPEN;
	static readonly CLOSING = CLOSING;
	static readonly CLOSED = CLOSED;
	readonly CONNECTING = CONNECTING;
	readonly OPEN = OPEN;
	readonly CLOSING = CLOSING;
	readonly CLOSED = CLOSED;

	readyState: number = CONNECTING;
	/** Only ArrayBuffer delivery is implemented; y-websocket asks for exactly that. */
	binaryType: 'arraybuffer' | 'blob' = 'arraybuffer';
	readonly protocol = '';
	readonly extensions = '';
	readonly bufferedAmount = 0;
	/** The channel id on the current real connection, once bound. */
	channel: number | null = null;

	onopen: ((ev: VirtualEvent) => void) | null = null;
	onmessage: ((ev: VirtualMessageEvent) => void) | null = null;
	onclose: ((ev: VirtualCloseEvent) => void) | null = null;
	onerror: ((ev: VirtualEvent) => void) | null = null;

	private readonly listeners = new Map<VirtualEvent['type'], Set<Listener>>();

	constructor(
		private readonly host: ChannelHost,
		readonly docName: string,
		readonly url: string = `${host.url}/${docName}`
	) {
		// Same bounds as the OPEN frame's decoder on the relay (domain/sync/mux.ts).
		if (docName.length === 0 || docName.length > 80) throw new TypeError('Invalid document name for sync');
		host.adopt(this);
	}

	send(data: Uint8Array | ArrayBuffer | ArrayBufferView): void {
		if (this.readyState === CONNECTING) throw new DOMException('Still connecting', 'InvalidStateError');
		if (this.readyState !== OPEN || this.channel === null) return; // like a browser: dropped after close
		const bytes =
			data instanceof ArrayBuffer
				? new Uint8Array(data)
				: new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		if (bytes.length > 0) this.host.sendMessage(this.channel, bytes);
	}

	close(code = 1000, reason = ''): void {
		if (this.readyState === CLOSED || this.readyState === CLOSING) return;
		const wasOpen = this.readyState === OPEN;
		this.readyState = CLOSED;
		this.host.release(this, wasOpen ? { code, reason } : null);
		this.channel = null;
		// Browsers report a local close asynchronously; y-websocket detaches its handlers before calling
		// close(), so this reaches only other listeners.
		queueMicrotask(() => this.dispatch('close', { code, reason, wasClean: true }));
	}

	addEventListener(type: 'open' | 'error', fn: (ev: VirtualEvent) => void): void;
	addEventListener(type: 'message', fn: (ev: VirtualMessageEvent) => void): void;
	addEventListener(type: 'close', fn: (ev: VirtualCloseEvent) => void): void;
	addEventListener(type: VirtualEvent['type'], fn: Listener): void {
		let set = this.listeners.get(type);
		if (!set) {
			set = new Set();
			this.listeners.set(type, set);
		}
		set.add(fn);
	}

	removeEventListener(type: VirtualEvent['type'], fn: (ev: never) => void): void {
		this.listeners.get(type)?.delete(fn);
	}

	/** Host: the real socket is open; claim a channel unless this socket was closed meanwhile. */
	_connectionOpened(): void {
		if (this.readyState !== CONNECTING) return;
		this.channel = this.host.bind(this);
		this.readyState = OPEN;
		this.dispatch('open', {});
	}

	/** Host: a MESSAGE frame for this channel. The copy detaches it from the frame's buffer. */
	_deliver(payload: Uint8Array): void {
		if (this.readyState !== OPEN) return;
		this.dispatch('message', { data: payload.slice().buffer });
	}

	/** Host: the relay closed the channel, or the real socket went away (`clean` false). */
	_closed(code: number, reason: string, clean: boolean): void {
		if (this.readyState === CLOSED) return;
		this.readyState = CLOSED;
		this.channel = null;
		if (!clean) this.dispatch('error', {});
		this.dispatch('close', { code, reason, wasClean: clean });
	}

	/** Host: the real socket dropped, so this channel is gone; reconnecting can help. */
	_connectionLost(): void {
		this._closed(CloseCode.goingAway, 'connection lost', false);
	}

	private dispatch(type: VirtualEvent['type'], extra: Record<string, unknown>): void {
		const ev = { type, target: this, ...extra };
		const handler = this[`on${type}`] as ((e: unknown) => void) | null;
		for (const fn of [handler, ...(this.listeners.get(type) ?? [])]) {
			if (!fn) continue;
			// Like EventTarget: one failing listener must not stop the others, nor the mux's frame loop
			// that called us (which carries every other document).
			try {
				(fn as (e: unknown) => void)(ev);
			} catch {
				this.host.reportListenerError(this.docName);
			}
		}
	}
}

/** The class y-websocket receives as `WebSocketPolyfill`; `new` it with the provider's url. */
export type MuxWebSocketClass = new (url: string | URL, protocols?: string | string[]) => VirtualSocket;

/**
 * A WebSocket class bound to one mux. y-websocket builds `url = serverUrl + '/' + roomname` (plus a
 * query string when it has params), so the provider must be given `host.url` as its server url, and
 * the document name is everything after it. The protocols argument is ignored: the token travels on
 * the real socket, not per channel.
 */
export function createMuxPolyfill(host: ChannelHost): MuxWebSocketClass {
	return class MuxWebSocket extends VirtualSocket {
		constructor(url: string | URL, _protocols?: string | string[]) {
			const href = String(url);
			super(host, docNameFromUrl(host.url, href), href);
		}
	};
}

export function docNameFromUrl(serverUrl: string, url: string): string {
	const prefix = `${serverUrl}/`;
	if (!url.startsWith(prefix)) throw new TypeError('Sync url does not belong to this connection');
	const tail = url.slice(prefix.length);
	const q = tail.indexOf('?');
	return q === -1 ? tail : tail.slice(0, q);
}
