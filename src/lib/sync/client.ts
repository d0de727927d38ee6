/**
 * Ties the workspace's open documents to the relay: one stock y-websocket provider per document,
 * all of them riding one MuxConnection, plus one status object for the UI.
 */
import { WebsocketProvider } from 'y-websocket';
import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { isDocName, type DocName } from '../crdt/layout';
import { Emitter } from './emitter';
import { firstSyncPriority } from './first-sync-order';
import { MuxConnection, type ConnectionStatus, type MuxOptions } from './mux-connection';
import { connectionProblem, documentProblem, problem, type SyncProblem } from './problems';
import { RelayAck } from './relay-ack';
import { createMuxPolyfill, type MuxWebSocketClass } from './virtual-socket';

/** The mux connection's options (server URL, token, backoff…) plus the per-document ones. */
export interface SyncClientOptions extends MuxOptions {
	/** Every this many ms each document asks the relay for anything it missed (sync step 1). */
	resyncIntervalMs?: number;
	/** How long after a local edit the relay is asked to confirm it (see relay-ack.ts). */
	confirmDelayMs?: number;
	/** y-websocket's own cap for re-opening one channel the relay closed as transient. */
	channelMaxBackoffMs?: number;
	/** Share updates with other tabs of this workstation over BroadcastChannel (off in node tests). */
	crossTab?: boolean;
	/** Start connecting at once (default) or wait for `connect()`. */
	connect?: boolean;
	/** How many documents may be in their first sync at once (see `pump`). Default 6. */
	firstSyncWindow?: number;
	/** Which waiting document starts its first sync next: lower first, then in attach order (default: first-sync-order.ts). */
	priority?: (docName: DocName) => number;
}

export interface SyncStatus {
	connection: ConnectionStatus;
	docs: number;
	/** Documents whose channel is open, synced, and with nothing local left to confirm. */
	syncedDocs: number;
	/** Attached documents not (yet) in step with the relay, blocked ones excepted. */
	pendingDocs: DocName[];
	/** Documents the relay closed for good (no access, too large) until the token changes. */
	blockedDocs: DocName[];
	/** Local changes the relay has not confirmed, over documents whose relay state is known. */
	unsyncedChanges: number;
	lastSyncedAt: number | null;
	/** When the next connection attempt is due, while retrying. */
	retryAt: number | null;
	error: SyncProblem | null;
}

interface Entry {
	doc: Y.Doc;
	provider: WebsocketProvider;
	ack: RelayAck;
	ownAwareness: Awareness | null;
	blockedCode: number | null;
	inStep: boolean;
	/** Its channel has been asked for (see `pump`); until then it waits, counted as pending. */
	started: boolean;
	priority: number;
	off: () => void;
}

type PolyfillOption = NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill'];

export class SyncClient {
	readonly mux: MuxConnection;
	private readonly polyfill: MuxWebSocketClass;
	private readonly entries = new Map<DocName, Entry>();
	private readonly events = new Emitter<{ status: [SyncStatus] }>();
	private readonly resyncTimer: ReturnType<typeof setInterval>;
	private readonly offMux: (() => void)[];
	private lastSyncedAt: number | null = null;
	private retrying = false;
	private wrongVersion = false;
	private emitQueued = false;
	private lastEmitted: SyncStatus | null = null;
	private spreadTimer: ReturnType<typeof setTimeout> | null = null;
	private pumpTimer: ReturnType<typeof setTimeout> | null = null;
	private destroyed = false;

	constructor(private readonly opts: SyncClientOptions) {
		this.mux = new MuxConnection(opts);
		this.polyfill = createMuxPolyfill(this.mux);
		this.offMux = [
			this.mux.on('status', (s) => {
				if (s !== 'closed' && s !== 'connecting') this.retrying = false;
				if (s === 'open') this.wrongVersion = false;
				this.changed();
			}),
			this.mux.on('retry', () => {
				this.retrying = true;
				this.changed();
			}),
			this.mux.on('error', (e) => {
				if (e.code === 'protocol-mismatch') this.wrongVersion = true;
			})
		];
		// One timer for every document, instead of y-websocket's per-provider resyncInterval (which also
		// reads the global WebSocket, absent in Node 20), and each resync doubles as a confirmation.
		this.resyncTimer = setInterval(() => this.resyncSpread(), opts.resyncIntervalMs ?? 60_000);
		if (opts.connect ?? true) this.mux.connect();
	}

	/** Starts syncing a document; `awareness` carries presence (only the directory's, by convention). */
	attach(docName: DocName, doc: Y.Doc, opts: { awareness?: Awareness } = {}): WebsocketProvider {
		if (this.destroyed) throw new Error('SyncClient was destroyed');
		if (!isDocName(docName)) throw new TypeError('Not a ClinicDesk document name');
		const existing = this.entries.get(docName);
		if (existing) {
			if (existing.doc !== doc) throw new Error(`Document ${docName} is already attached to another Y.Doc`);
			return existing.provider;
		}
		const ownAwareness = opts.awareness ? null : new Awareness(doc);
		const provider = new WebsocketProvider(this.mux.url, docName, doc, {
			WebSocketPolyfill: this.polyfill as unknown as PolyfillOption,
			awareness: opts.awareness ?? ownAwareness ?? undefined,
			disableBc: !(this.opts.crossTab ?? true),
			resyncInterval: -1,
			maxBackoffTime: this.opts.channelMaxBackoffMs ?? 30_000,
			connect: false
		});
		const entry: Entry = {
			doc,
			provider,
			ownAwareness,
			blockedCode: null,
			inStep: false,
			started: false,
			priority: (this.opts.priority ?? firstSyncPriority)(docName),
			ack: new RelayAck(doc, provider, {
				confirmDelayMs: this.opts.confirmDelayMs ?? 1_000,
				onChange: () => this.changed()
			}),
			off: () => {}
		};
		const onChange = () => this.changed();
		const onSync = () => {
			this.pump();
			this.changed();
		};
		const onClosed = (e: { code: number }) => {
			entry.blockedCode = e.code;
			this.pump();
			this.changed();
		};
		provider.on('status', onChange);
		provider.on('sync', onSync);
		provider.on('closed', onClosed);
		const offAwareness = sendOwnPresenceOnly(provider);
		entry.off = () => {
			provider.off('status', onChange);
			provider.off('sync', onSync);
			provider.off('closed', onClosed);
			offAwareness();
		};
		this.entries.set(docName, entry);
		this.pump();
		this.changed();
		return provider;
	}

	detach(docName: DocName): void {
		const e = this.entries.get(docName);
		if (!e) return;
		this.entries.delete(docName);
		e.off();
		e.ack.destroy();
		// disconnect() schedules y-websocket's reconnect timer even while destroying; with a zero cap it
		// fires at once as a no-op instead of lingering for up to channelMaxBackoffMs.
		e.provider.maxBackoffTime = 0;
		e.provider.destroy();
		e.ownAwareness?.destroy();
		this.pump();
		this.changed();
	}

	isAttached(docName: DocName): boolean {
		return this.entries.has(docName);
	}

	provider(docName: DocName): WebsocketProvider | undefined {
		return this.entries.get(docName)?.provider;
	}

	/** Unconfirmed local changes in one document; null while the relay's state is unknown. */
	unsyncedChanges(docName: DocName): number | null {
		return this.entries.get(docName)?.ack.unconfirmed() ?? null;
	}

	/** "Sync now": skips a pending backoff wait and asks the relay for everything, for every document. */
	syncNow(): void {
		if (this.mux.status === 'closed') this.mux.connect();
		this.resync();
	}

	/** A fresh token: sent on the open connection, and documents it blocked get another try. */
	setToken(token: string): void {
		this.mux.setToken(token);
		for (const e of this.entries.values()) {
			if (e.blockedCode === null) continue;
			e.blockedCode = null;
			e.provider.connect();
		}
		this.changed();
	}

	connect(): void {
		this.mux.connect();
	}
	pause(): void {
		this.mux.pause();
	}
	resume(): void {
		this.mux.resume();
	}

	/**
	 * A fresh snapshot. Reading it also notes when a document came into step (lastSyncedAt); it is read
	 * after every change to emit onStatus, so that time is accurate to the change that caused it.
	 */
	get status(): SyncStatus {
		const pendingDocs: DocName[] = [];
		const blockedDocs: DocName[] = [];
		let syncedDocs = 0;
		let unsyncedChanges = 0;
		let blockedCode: number | null = null;
		const now = Date.now();
		for (const [name, e] of this.entries) {
			unsyncedChanges += e.ack.unconfirmed() ?? 0;
			const inStep = e.blockedCode === null && e.ack.inStep;
			if (inStep && !e.inStep) this.lastSyncedAt = now;
			e.inStep = inStep;
			if (e.blockedCode !== null) {
				blockedDocs.push(name);
				blockedCode ??= e.blockedCode;
			} else if (inStep) syncedDocs += 1;
			else pendingDocs.push(name);
		}
		const connection = this.mux.status;
		let error: SyncProblem | null = null;
		if (connection === 'unauthorized') error = connectionProblem(this.mux.lastCloseCode);
		else if (this.wrongVersion) error = problem('wrong-version');
		else if (blockedCode !== null) error = documentProblem(blockedCode);
		else if (this.retrying) error = problem('unreachable');
		return {
			connection,
			docs: this.entries.size,
			syncedDocs,
			pendingDocs,
			blockedDocs,
			unsyncedChanges,
			lastSyncedAt: this.lastSyncedAt,
			retryAt: this.mux.retryAt,
			error
		};
	}

	/** Called with a fresh status after every change (batched per microtask); returns unsubscribe. */
	onStatus(cb: (status: SyncStatus) => void): () => void {
		return this.events.on('status', cb);
	}

	destroy(): void {
		if (this.destroyed) return;
		for (const name of [...this.entries.keys()]) this.detach(name);
		this.destroyed = true;
		clearInterval(this.resyncTimer);
		if (this.spreadTimer !== null) clearTimeout(this.spreadTimer);
		this.spreadTimer = null;
		if (this.pumpTimer !== null) clearTimeout(this.pumpTimer);
		this.pumpTimer = null;
		for (const off of this.offMux) off();
		this.mux.destroy();
		this.events.clear();
	}

	/**
	 * Starts waiting documents while fewer than `firstSyncWindow` are in their first sync. The relay
	 * answers every document asked for in one message in one turn, and closes a connection whose
	 * unsent answers pass 4 × its max payload (16 MiB) as "too slow": a new workstation asking for a
	 * large clinic's 30-odd documents at once (1–1.5 MB each) lost its connection twice during its
	 * first sync, each time ~1 s of backoff and the documents not yet answered asked for again
	 * (BENCHMARKS.md, "Large clinic in Chromium"). Six at a time keep the link busy (one round trip
	 * of 300 ms carries far less than six documents take to apply) and let the first screen's
	 * documents, by `priority`, go ahead of the ones asked for earlier.
	 */
	private pump(): void {
		// Deferred a moment: documents opened together (a screen's, each after its local copy loaded)
		// are ranked together instead of the first few taking the window.
		if (this.pumpTimer !== null || this.destroyed) return;
		this.pumpTimer = setTimeout(() => {
			this.pumpTimer = null;
			this.startWaiting();
		}, 0);
	}

	private startWaiting(): void {
		if (this.destroyed) return;
		const window = this.opts.firstSyncWindow ?? 6;
		let loading = 0;
		const waiting: Entry[] = [];
		for (const e of this.entries.values()) {
			if (!e.started) waiting.push(e);
			else if (!e.provider.synced && e.blockedCode === null) loading++;
		}
		if (waiting.length === 0 || loading >= window) return;
		// Stable: attach order among equals (Map order).
		waiting.sort((a, b) => a.priority - b.priority);
		for (const e of waiting.slice(0, window - loading)) {
			e.started = true;
			e.provider.connect();
		}
	}

	private resync(): void {
		for (const e of this.entries.values()) e.ack.sendStep1();
	}

	/**
	 * The periodic resync, one document per task: every step 1 encodes a state vector and its answer
	 * is applied, and thirty documents at once make a long task that a colleague's edit can wait behind.
	 */
	private resyncSpread(): void {
		if (this.spreadTimer !== null) return;
		const names = [...this.entries.keys()];
		const next = () => {
			this.spreadTimer = null;
			const name = names.shift();
			if (name === undefined || this.destroyed) return;
			this.entries.get(name)?.ack.sendStep1();
			this.spreadTimer = setTimeout(next, 0);
		};
		next();
	}

	private changed(): void {
		if (this.emitQueued || this.destroyed) return;
		this.emitQueued = true;
		queueMicrotask(() => {
			this.emitQueued = false;
			if (this.destroyed) return;
			const status = this.status;
			// Every remote update lands here; an unchanged status would only re-render the header.
			if (this.lastEmitted && sameStatus(this.lastEmitted, status)) return;
			this.lastEmitted = status;
			this.events.emit('status', status);
		});
	}
}

/**
 * y-websocket sends every awareness change it sees, including the states it has just received from
 * the relay: each colleague's presence update came back to the relay once from every workstation,
 * and the relay sent each copy to every client (51 with 50 connected) — work on every workstation's
 * main thread for nothing. The relay already forwards each state to everyone, so only this
 * workstation's own state (set, renewed or removed) is sent.
 */
function sendOwnPresenceOnly(provider: WebsocketProvider): () => void {
	const awareness = provider.awareness;
	const send = provider._awarenessUpdateHandler;
	awareness.off('update', send);
	const own = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
		const me = awareness.clientID;
		if (changes.added.includes(me) || changes.updated.includes(me) || changes.removed.includes(me))
			send({ added: [], updated: [me], removed: [] }, origin);
	};
	awareness.on('update', own);
	return () => awareness.off('update', own);
}

function sameStatus(a: SyncStatus, b: SyncStatus): boolean {
	return (
		a.connection === b.connection &&
		a.docs === b.docs &&
		a.syncedDocs === b.syncedDocs &&
		a.unsyncedChanges === b.unsyncedChanges &&
		a.lastSyncedAt === b.lastSyncedAt &&
		a.retryAt === b.retryAt &&
		a.error?.code === b.error?.code &&
		a.error?.message === b.error?.message &&
		a.error?.action === b.error?.action &&
		sameList(a.pendingDocs, b.pendingDocs) &&
		sameList(a.blockedDocs, b.blockedDocs)
	);
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
	return a.length === b.length && a.every((x, i) => x === b[i]);
}
