/**
 * A bare multiplexed client for tests: sends frames, collects decoded frames, and can hand a
 * channel to a stock y-websocket provider through a minimal virtual socket (WebSocketPolyfill).
 */
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, subprotocolsFor, type Frame } from '../../../src/lib/domain/sync/mux';

export class MuxClient {
	readonly frames: Frame[] = [];
	readonly ws: WebSocket;
	readonly opened: Promise<void>;
	readonly closed: Promise<number>;
	private readonly listeners = new Set<(f: Frame) => void>();

	constructor(url: string, jwt: string) {
		this.ws = new WebSocket(url, subprotocolsFor(jwt));
		this.ws.on('error', () => undefined);
		this.opened = new Promise((resolve, reject) => {
			this.ws.once('open', () => resolve());
			this.ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
		});
		// Tests that expect a refusal await `opened` themselves; nobody else must see the rejection.
		this.opened.catch(() => undefined);
		this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
		this.ws.on('message', (data: Buffer) => {
			const frame = decodeFrame(new Uint8Array(data));
			this.frames.push(frame);
			for (const l of this.listeners) l(frame);
		});
	}

	send(frame: Frame): void {
		this.ws.send(encodeFrame(frame));
	}

	/** The first frame (already received or coming) that matches. */
	waitFor(match: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
		const seen = this.frames.find(match);
		if (seen) return Promise.resolve(seen);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.listeners.delete(l);
				reject(new Error('frame not received'));
			}, timeoutMs);
			const l = (f: Frame) => {
				if (!match(f)) return;
				clearTimeout(timer);
				this.listeners.delete(l);
				resolve(f);
			};
			this.listeners.add(l);
		});
	}

	onFrame(l: (f: Frame) => void): () => void {
		this.listeners.add(l);
		return () => this.listeners.delete(l);
	}

	close(): void {
		this.ws.close();
	}

	/** A WebSocket look-alike class for y-websocket whose sockets are channels of this connection. */
	polyfill(): typeof globalThis.WebSocket {
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const mux = this;
		let nextChannel = 1;
		class ChannelSocket {
			static readonly CONNECTING = 0;
			static readonly OPEN = 1;
			static readonly CLOSING = 2;
			static readonly CLOSED = 3;
			readonly CONNECTING = 0;
			readonly OPEN = 1;
			readonly CLOSING = 2;
			readonly CLOSED = 3;
			readyState = 0;
			binaryType = 'arraybuffer';
			onopen: (() => void) | null = null;
			onmessage: ((e: { data: ArrayBuffer }) => void) | null = null;
			onclose: ((e: { code: number; reason: string }) => void) | null = null;
			onerror: (() => void) | null = null;
			private readonly channel = nextChannel++;
			private readonly off: () => void;

			constructor(url: string) {
				const docName = url.slice(url.indexOf('/sync/') + '/sync/'.length);
				this.off = mux.onFrame((f) => {
					if (f.type === 'message' && f.channel === this.channel) {
						const copy = f.payload.slice();
						this.onmessage?.({ data: copy.buffer });
					} else if (f.type === 'close' && f.channel === this.channel) {
						this.finish(f.code, f.reason);
					}
				});
				void mux.opened.then(() => {
					mux.send({ type: 'open', channel: this.channel, docName });
					this.readyState = 1;
					this.onopen?.();
				});
			}

			send(data: Uint8Array): void {
				mux.send({ type: 'message', channel: this.channel, payload: new Uint8Array(data) });
			}

			close(): void {
				if (this.readyState >= 2) return;
				mux.send({ type: 'close', channel: this.channel, code: 1000, reason: '' });
				this.finish(1000, '');
			}

			private finish(code: number, reason: string): void {
				if (this.readyState === 3) return;
				this.readyState = 3;
				this.off();
				this.onclose?.({ code, reason });
			}
		}
		return ChannelSocket as unknown as typeof globalThis.WebSocket;
	}
}
