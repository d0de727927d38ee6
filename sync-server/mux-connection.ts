/**
 * `/sync`: many documents over one socket (the frame format is in src/lib/domain/sync/mux.ts).
 * Each channel is a Subscriber of its document, so the per-document logic is the same as for
 * `/sync/<doc>`. Channel-level refusals (a name that is not a document, a document outside the
 * token's prefixes, too many channels, a document that cannot be loaded) close only that channel;
 * a frame that cannot be decoded or a message that cannot be applied closes the connection.
 * MESSAGE frames for a channel that is not open are ignored: they may have crossed a CLOSE.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { mayOpen, mayWrite } from '../src/lib/domain/sync/claims';
import { isDocName } from '../src/lib/domain/sync/docnames';
import { CloseCode, decodeFrame, encodeFrame, type Frame } from '../src/lib/domain/sync/mux';
import { SyncConnection, type ConnectionDeps, type Grant } from './connection';
import { log } from './log';
import type { SharedDoc, Subscriber } from './shared-doc';

class Channel implements Subscriber {
	doc: SharedDoc | null = null;
	private queue: Uint8Array[] | null = [];
	private queuedBytes = 0;
	open = true;
	/** What encodeFrame puts before a MESSAGE frame's payload on this channel, encoded once. */
	private readonly header: Uint8Array;

	constructor(
		readonly id: number,
		readonly docName: string,
		private readonly conn: MuxConnection
	) {
		this.header = encodeFrame({ type: 'message', channel: id, payload: new Uint8Array(0) });
	}

	canWrite(): boolean {
		return this.conn.mayWrite(this.docName);
	}

	identity(): { userId: string; role: string } {
		return this.conn.identity();
	}

	/** The same bytes as encodeFrame, in one allocation: every update is framed once per subscriber. */
	send(message: Uint8Array): void {
		const frame = new Uint8Array(this.header.length + message.length);
		frame.set(this.header);
		frame.set(message, this.header.length);
		this.conn.sendEncoded(frame);
	}

	attach(doc: SharedDoc): void {
		this.doc = doc;
		doc.subscribe(this);
		const queued = this.queue ?? [];
		this.queue = null;
		for (const bytes of queued) if (this.open) this.deliver(bytes);
	}

	/** False when the queue before load grew too large. */
	receive(bytes: Uint8Array): boolean {
		if (this.queue) {
			this.queuedBytes += bytes.length;
			this.queue.push(bytes);
			return this.queuedBytes <= this.conn.maxQueued;
		}
		this.deliver(bytes);
		return true;
	}

	/** Unsubscribes; returns the document so the connection can release it. */
	detach(): SharedDoc | null {
		this.open = false;
		this.queue = null;
		const doc = this.doc;
		this.doc = null;
		doc?.unsubscribe(this);
		return doc;
	}

	private deliver(bytes: Uint8Array): void {
		const result = this.doc?.receive(this, bytes);
		if (result === 'bad') this.conn.close(CloseCode.badRequest, 'malformed message');
		else if (result === 'overloaded') this.conn.close(CloseCode.rateLimited, 'too many unanswered step 1s');
	}
}

export class MuxConnection extends SyncConnection {
	private readonly channels = new Map<number, Channel>();
	/** Only the latest AUTH frame's outcome counts; verification is asynchronous. */
	private authSeq = 0;

	constructor(ws: WebSocket, grant: Grant, deps: ConnectionDeps, socket?: Duplex) {
		super(ws, grant, deps, socket);
	}

	mayWrite(docName: string): boolean {
		return mayWrite(this.claims, docName);
	}

	get maxQueued(): number {
		return 2 * this.deps.limits.maxPayload;
	}

	identity(): { userId: string; role: string } {
		return { userId: this.claims.sub, role: this.claims.role };
	}

	sendFrame(frame: Frame): void {
		this.sendRaw(encodeFrame(frame));
	}

	/** Sends a frame already encoded. */
	sendEncoded(frame: Uint8Array): void {
		this.sendRaw(frame);
	}

	protected handle(bytes: Uint8Array): void {
		let frame: Frame;
		try {
			frame = decodeFrame(bytes);
		} catch {
			this.close(CloseCode.badRequest, 'malformed frame');
			return;
		}
		switch (frame.type) {
			case 'open':
				this.openChannel(frame.channel, frame.docName);
				return;
			case 'message': {
				const channel = this.channels.get(frame.channel);
				if (channel && !channel.receive(frame.payload))
					this.close(CloseCode.rateLimited, 'too much before load');
				return;
			}
			case 'close':
				if (this.channels.has(frame.channel)) this.closeChannel(frame.channel, CloseCode.normal, 'closed');
				return;
			case 'auth':
				this.guard(this.reauthenticate(frame.token));
				return;
		}
	}

	protected release(): void {
		for (const channel of this.channels.values()) this.releaseChannel(channel);
		this.channels.clear();
	}

	private openChannel(id: number, docName: string): void {
		if (this.channels.has(id)) {
			this.close(CloseCode.badRequest, 'channel already open');
			return;
		}
		if (!isDocName(docName)) return this.refuse(id, CloseCode.badRequest, 'not a document name');
		if (!mayOpen(this.claims, docName)) return this.refuse(id, CloseCode.forbidden, 'forbidden');
		if (this.channels.size >= this.deps.limits.maxChannels) {
			return this.refuse(id, CloseCode.tooLarge, 'too many channels');
		}
		const channel = new Channel(id, docName, this);
		this.channels.set(id, channel);
		this.guard(
			this.deps.docs.acquire(docName).then(
				(doc) => {
					if (!channel.open) {
						this.deps.docs.release(doc);
						return;
					}
					channel.attach(doc);
				},
				() => {
					if (channel.open) this.closeChannel(id, CloseCode.goingAway, 'document unavailable');
				}
			)
		);
	}

	private refuse(id: number, code: number, reason: string): void {
		log.info('channel-refused', { conn: this.id, user: this.userId, code, reason });
		this.sendFrame({ type: 'close', channel: id, code, reason });
	}

	private closeChannel(id: number, code: number, reason: string): void {
		const channel = this.channels.get(id);
		if (!channel) return;
		this.channels.delete(id);
		this.releaseChannel(channel);
		this.sendFrame({ type: 'close', channel: id, code, reason });
	}

	private releaseChannel(channel: Channel): void {
		const doc = channel.detach();
		if (doc) this.deps.docs.release(doc);
	}

	private async reauthenticate(token: string): Promise<void> {
		const seq = ++this.authSeq;
		const result = await this.deps.verify(token);
		if (!this.isOpen || seq !== this.authSeq) return;
		if (!result.ok) {
			log.info('auth-refused', { conn: this.id, reason: result.reason, via: 'frame' });
			this.close(CloseCode.unauthorized, 'invalid token');
			return;
		}
		if (result.claims.sub !== this.claims.sub) {
			log.info('auth-user-changed', { conn: this.id, from: this.claims.sub, to: result.claims.sub });
		}
		this.replaceGrant(result);
		for (const channel of [...this.channels.values()]) {
			if (!mayOpen(this.claims, channel.docName)) {
				this.closeChannel(channel.id, CloseCode.forbidden, 'forbidden');
			}
		}
	}
}
