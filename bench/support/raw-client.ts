/**
 * Minimal sync clients for load generation: they speak y-websocket's messages on one document —
 * on a socket of its own (`/sync/<doc>`, or the bare relay) or on a channel of a multiplexed `/sync`
 * connection (frames from src/lib/domain/sync/mux.ts) — without a Y.Doc behind them. Dozens or
 * hundreds of them in the benchmark's process then cost little next to the relay they load, whereas
 * stock providers would each apply every update.
 *
 * Like a provider, a link answers the relay's sync step 1 with a step 2: what its `state` (an
 * encoded update, empty by default) holds beyond the relay's state vector. The relay holds a
 * subscriber's updates until that catch-up has arrived, so writers need it.
 */
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { decodeFrame, encodeFrame, subprotocolsFor } from '../../src/lib/domain/sync/mux';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;

export type MessageKind = 'step1' | 'step2' | 'update' | 'awareness' | 'other';

export function kindOf(message: Uint8Array): MessageKind {
	if (message[0] === MESSAGE_AWARENESS) return 'awareness';
	if (message[0] !== MESSAGE_SYNC) return 'other';
	if (message[1] === STEP1) return 'step1';
	if (message[1] === STEP2) return 'step2';
	if (message[1] === UPDATE) return 'update';
	return 'other';
}

/** The state vector or update a sync message carries. */
export function syncBody(message: Uint8Array): Uint8Array {
	const d = decoding.createDecoder(message);
	decoding.readVarUint(d);
	decoding.readVarUint(d);
	return decoding.readVarUint8Array(d);
}

function syncMessage(step: number, body: Uint8Array): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_SYNC);
	encoding.writeVarUint(e, step);
	encoding.writeVarUint8Array(e, body);
	return encoding.toUint8Array(e);
}

export const updateMessage = (update: Uint8Array): Uint8Array => syncMessage(UPDATE, update);
export const step1Message = (stateVector: Uint8Array): Uint8Array => syncMessage(STEP1, stateVector);

/** One document's y-websocket messages, on its own socket or on a mux channel. */
export interface DocLink {
	readonly docName: string;
	send(message: Uint8Array): void;
	/** Every message the relay sends on this document. */
	onMessage: ((message: Uint8Array) => void) | null;
	/** Resolves at the relay's first sync step 1: the document is loaded and this link subscribed. */
	readonly subscribed: Promise<void>;
	/** The close code, once the relay closed the socket or channel. */
	readonly closedWith: number | null;
	close(): void;
}

const CONNECT_TIMEOUT_MS = 20_000;

/**
 * A socket and a promise of its opening. Callers attach their listeners before awaiting it: the
 * relay's first message may be parsed in the same tick as the upgrade response.
 */
function openSocket(url: string, protocols: string[]): { ws: WebSocket; opened: Promise<void> } {
	const ws = new WebSocket(url, protocols, { perMessageDeflate: false });
	const opened = new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => {
			ws.terminate();
			reject(new Error(`no connection to ${url} within ${CONNECT_TIMEOUT_MS} ms`));
		}, CONNECT_TIMEOUT_MS);
		ws.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		ws.once('unexpected-response', (_req, res) => {
			clearTimeout(timer);
			reject(new Error(`HTTP ${res.statusCode} from ${url}`));
			res.resume();
			ws.terminate();
		});
		ws.once('open', () => {
			clearTimeout(timer);
			resolve();
		});
	});
	return { ws, opened };
}

function asBytes(data: WebSocket.RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	if (data instanceof ArrayBuffer) return new Uint8Array(data);
	return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const EMPTY_STATE = Y.encodeStateAsUpdate(new Y.Doc());

/**
 * Answers every sync step 1 with a step 2 from `state`; settles `subscribed` at the first one, or
 * rejects it when the link closes first.
 */
function subscription(
	send: (message: Uint8Array) => void,
	state: Uint8Array
): {
	promise: Promise<void>;
	message(m: Uint8Array): void;
	closed(code: number): void;
} {
	let settled = false;
	let resolve!: () => void;
	let reject!: (e: Error) => void;
	const promise = new Promise<void>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	promise.catch(() => undefined);
	return {
		promise,
		message(m) {
			if (kindOf(m) !== 'step1') return;
			send(syncMessage(STEP2, Y.diffUpdate(state, syncBody(m))));
			if (!settled) {
				settled = true;
				resolve();
			}
		},
		closed(code) {
			if (!settled) {
				settled = true;
				reject(new Error(`closed with ${code} before subscribing`));
			}
		}
	};
}

/** A socket of its own for one document: `/sync/<doc>` on the real relay, any path on the bare one. */
export class SocketLink implements DocLink {
	onMessage: ((message: Uint8Array) => void) | null = null;
	closedWith: number | null = null;
	readonly subscribed: Promise<void>;

	private constructor(
		readonly docName: string,
		private readonly ws: WebSocket,
		state: Uint8Array
	) {
		const sub = subscription((m) => this.send(m), state);
		this.subscribed = sub.promise;
		ws.on('message', (data) => {
			const bytes = asBytes(data);
			sub.message(bytes);
			this.onMessage?.(bytes);
		});
		ws.on('close', (code) => {
			this.closedWith = code;
			sub.closed(code);
		});
	}

	/** `base` is e.g. `ws://127.0.0.1:1234/sync`; the document name is appended as a path. */
	static async connect(
		base: string,
		docName: string,
		protocols: string[] = [],
		state: Uint8Array = EMPTY_STATE
	): Promise<SocketLink> {
		const { ws, opened } = openSocket(`${base}/${docName}`, protocols);
		const link = new SocketLink(docName, ws, state);
		await opened;
		return link;
	}

	send(message: Uint8Array): void {
		this.ws.send(message);
	}

	close(): void {
		this.ws.close();
	}
}

/** One multiplexed `/sync` connection; `open` adds a channel. */
export class MuxLink {
	private readonly channels = new Map<number, MuxChannel>();
	private nextChannel = 1;
	closedWith: number | null = null;

	/** Called with the arrival time (`timeOrigin + now()`) of every sync update on any channel. */
	onUpdateAt: ((at: number) => void) | null = null;

	private constructor(private readonly ws: WebSocket) {
		ws.on('message', (data) => {
			const at = performance.timeOrigin + performance.now();
			const frame = decodeFrame(asBytes(data));
			if (frame.type === 'message' && kindOf(frame.payload) === 'update') this.onUpdateAt?.(at);
			if (frame.type === 'message') this.channels.get(frame.channel)?.deliver(frame.payload);
			else if (frame.type === 'close') this.channels.get(frame.channel)?.closed(frame.code);
		});
		ws.on('close', (code) => {
			this.closedWith = code;
			for (const c of this.channels.values()) c.closed(code);
		});
	}

	static async connect(wsBase: string, jwt: string): Promise<MuxLink> {
		const { ws, opened } = openSocket(`${wsBase}/sync`, subprotocolsFor(jwt));
		const link = new MuxLink(ws);
		await opened;
		return link;
	}

	open(docName: string, state: Uint8Array = EMPTY_STATE): DocLink {
		const id = this.nextChannel++;
		const channel = new MuxChannel(id, docName, this, state);
		this.channels.set(id, channel);
		this.sendFrame(encodeFrame({ type: 'open', channel: id, docName }));
		return channel;
	}

	sendFrame(frame: Uint8Array): void {
		this.ws.send(frame);
	}

	close(): void {
		this.ws.close();
	}
}

class MuxChannel implements DocLink {
	onMessage: ((message: Uint8Array) => void) | null = null;
	closedWith: number | null = null;
	readonly subscribed: Promise<void>;
	private readonly sub: ReturnType<typeof subscription>;

	constructor(
		private readonly id: number,
		readonly docName: string,
		private readonly link: MuxLink,
		state: Uint8Array
	) {
		this.sub = subscription((m) => this.send(m), state);
		this.subscribed = this.sub.promise;
	}

	deliver(payload: Uint8Array): void {
		this.sub.message(payload);
		this.onMessage?.(payload);
	}

	closed(code: number): void {
		this.closedWith ??= code;
		this.sub.closed(code);
	}

	send(message: Uint8Array): void {
		this.link.sendFrame(encodeFrame({ type: 'message', channel: this.id, payload: message }));
	}

	close(): void {
		this.link.sendFrame(encodeFrame({ type: 'close', channel: this.id, code: 1000, reason: '' }));
	}
}

/** Rejects if `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
