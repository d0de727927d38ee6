/**
 * `/sync/<doc>`: one document per socket, plain y-websocket messages, so a stock y-websocket
 * `WebsocketProvider` can sync. Messages that arrive before the document has loaded are queued
 * in order (bounded: a client that floods a loading document is treated as rate-limited).
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { mayWrite } from '../src/lib/domain/sync/claims';
import { CloseCode } from '../src/lib/domain/sync/mux';
import { SyncConnection, type ConnectionDeps, type Grant } from './connection';
import { log } from './log';
import type { SharedDoc, Subscriber } from './shared-doc';

export class DocConnection extends SyncConnection implements Subscriber {
	private doc: SharedDoc | null = null;
	private queue: Uint8Array[] | null = [];
	private queuedBytes = 0;

	constructor(
		ws: WebSocket,
		grant: Grant,
		deps: ConnectionDeps,
		private readonly docName: string,
		socket?: Duplex
	) {
		super(ws, grant, deps, socket);
		this.guard(
			deps.docs.acquire(docName).then(
				(doc) => {
					if (!this.isOpen) {
						deps.docs.release(doc);
						return;
					}
					this.doc = doc;
					doc.subscribe(this);
					const queued = this.queue ?? [];
					this.queue = null;
					for (const bytes of queued) if (this.isOpen) this.deliver(bytes);
				},
				() => this.close(CloseCode.goingAway, 'document unavailable')
			)
		);
	}

	canWrite(): boolean {
		return mayWrite(this.claims, this.docName);
	}

	identity(): { userId: string; role: string } {
		return { userId: this.claims.sub, role: this.claims.role };
	}

	send(message: Uint8Array): void {
		this.sendRaw(message);
	}

	protected handle(bytes: Uint8Array): void {
		if (this.queue) {
			this.queuedBytes += bytes.length;
			if (this.queuedBytes > 2 * this.deps.limits.maxPayload) {
				this.close(CloseCode.rateLimited, 'too much before load');
				return;
			}
			this.queue.push(bytes);
			return;
		}
		this.deliver(bytes);
	}

	protected release(): void {
		this.queue = null;
		if (!this.doc) return;
		const doc = this.doc;
		this.doc = null;
		doc.unsubscribe(this);
		this.deps.docs.release(doc);
		if (doc.droppedWrites > 0)
			log.debug('read-only-writes-dropped', { doc: doc.name, count: doc.droppedWrites });
	}

	private deliver(bytes: Uint8Array): void {
		if (!this.doc) return;
		const result = this.doc.receive(this, bytes);
		if (result === 'bad') this.close(CloseCode.badRequest, 'malformed message');
		else if (result === 'overloaded') this.close(CloseCode.rateLimited, 'too many unanswered step 1s');
	}
}
