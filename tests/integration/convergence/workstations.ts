/**
 * Workstations as the app builds them: real Y.Docs synced by the production SyncClient (stock
 * y-websocket providers on virtual sockets over one multiplexed socket), or — like any other
 * y-websocket client — by one stock provider per document on `/sync/<doc>`. Only the socket class
 * is simulated. Yjs client ids come from the run's generator so a seed replays exactly.
 */
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { DocName } from '../../../src/lib/crdt/layout';
import { subprotocolsFor } from '../../../src/lib/domain/sync/mux';
import { SyncClient } from '../../../src/lib/sync/client';
import type { Network } from './network';
import type { Random } from './random';

export type Transport = 'mux' | 'direct';

export const BASE_URL = 'ws://relay.test';

type PolyfillOption = NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill'];

export class Workstation {
	readonly docs = new Map<DocName, Y.Doc>();
	readonly attached = new Set<DocName>();
	paused = false;
	private sync: SyncClient | null = null;
	private readonly direct = new Map<DocName, WebsocketProvider>();
	private readonly Socket: ReturnType<Network['socketClass']>;

	constructor(
		readonly name: string,
		readonly canWrite: boolean,
		readonly transport: Transport,
		private token: string,
		network: Network,
		private readonly rand: Random,
		docNames: readonly DocName[],
		private readonly clientIds: () => number
	) {
		this.Socket = network.socketClass(name);
		for (const n of docNames) {
			const doc = new Y.Doc();
			doc.clientID = clientIds();
			this.docs.set(n, doc);
		}
		this.sync = this.createSyncClient();
		for (const n of docNames) this.attach(n);
	}

	/**
	 * The page reloads: the sync stack is rebuilt and each document comes back from local storage
	 * with everything it held, under a new Yjs client id (as y-indexeddb restores it).
	 */
	reload(): void {
		const attached = [...this.attached];
		for (const n of attached) this.detach(n);
		this.sync?.destroy();
		for (const [n, old] of this.docs) {
			const doc = new Y.Doc();
			doc.clientID = this.clientIds();
			Y.applyUpdate(doc, Y.encodeStateAsUpdate(old));
			old.destroy();
			this.docs.set(n, doc);
		}
		this.sync = this.createSyncClient();
		for (const n of attached) this.attach(n);
	}

	/** A fresh token for the same grant: sent as AUTH on an open connection, used by later ones. */
	refreshToken(token: string): void {
		this.token = token;
		if (this.sync) this.sync.setToken(token);
		else for (const p of this.direct.values()) p.protocols = subprotocolsFor(token);
	}

	doc(name: DocName): Y.Doc {
		const doc = this.docs.get(name);
		if (!doc) throw new Error(`${this.name} has no ${name}`);
		return doc;
	}

	attach(name: DocName): void {
		if (this.attached.has(name)) return;
		this.attached.add(name);
		if (this.sync) {
			this.sync.attach(name, this.doc(name));
			return;
		}
		this.direct.set(
			name,
			new WebsocketProvider(`${BASE_URL}/sync`, name, this.doc(name), {
				WebSocketPolyfill: this.Socket as unknown as PolyfillOption,
				protocols: subprotocolsFor(this.token),
				disableBc: true,
				connect: !this.paused,
				maxBackoffTime: this.rand.pick([1_000, 2_500])
			})
		);
	}

	/** Stops syncing a document (the app does when a month scrolls out of view); edits may go on. */
	detach(name: DocName): void {
		if (!this.attached.delete(name)) return;
		if (this.sync) {
			this.sync.detach(name);
			return;
		}
		const p = this.direct.get(name);
		this.direct.delete(name);
		if (!p) return;
		p.maxBackoffTime = 0;
		p.destroy();
		p.awareness.destroy();
	}

	/** Offline on purpose (the sync client's pause), until `resume`. */
	pause(): void {
		this.paused = true;
		if (this.sync) this.sync.pause();
		else for (const p of this.direct.values()) p.disconnect();
	}

	resume(): void {
		this.paused = false;
		if (this.sync) this.sync.resume();
		else for (const p of this.direct.values()) p.connect();
	}

	/** Every attached document's channel is open and has received the relay's sync step 2. */
	get synced(): boolean {
		if (this.paused) return false;
		if (this.sync) {
			return [...this.attached].every((n) => {
				const p = this.sync?.provider(n);
				return !!p && p.wsconnected && p.synced;
			});
		}
		return [...this.direct.values()].every((p) => p.wsconnected && p.synced);
	}

	/** The sync client's own verdict: every document in step and no change left unconfirmed. */
	get inStep(): boolean {
		if (!this.sync) return this.synced;
		const s = this.sync.status;
		return s.connection === 'open' && s.syncedDocs === s.docs && s.unsyncedChanges === 0;
	}

	get statusSummary(): string {
		if (!this.sync) return `direct synced=${this.synced}`;
		const s = this.sync.status;
		return `${s.connection} synced=${s.syncedDocs}/${s.docs} unsynced=${s.unsyncedChanges} pending=${s.pendingDocs.join(',')}`;
	}

	private createSyncClient(): SyncClient | null {
		if (this.transport !== 'mux') return null;
		const rand = this.rand;
		return new SyncClient({
			baseUrl: BASE_URL,
			token: this.token,
			WebSocketImpl: this.Socket,
			random: rand.real,
			crossTab: false,
			connect: !this.paused,
			resyncIntervalMs: rand.pick([10_000, 60_000]),
			confirmDelayMs: rand.pick([20, 1_000]),
			channelMaxBackoffMs: rand.pick([1_000, 30_000]),
			backoff: { baseMs: 500, capMs: rand.pick([2_000, 30_000]) }
		});
	}

	destroy(): void {
		for (const n of [...this.attached]) this.detach(n);
		this.sync?.destroy();
		for (const d of this.docs.values()) d.destroy();
	}
}
