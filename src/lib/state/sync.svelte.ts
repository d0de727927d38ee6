/**
 * The workstation's link to the clinic server as the screens see it: connection and sync status,
 * unsynced-change count, who else is working (presence), and the actions "sync now", pause/resume.
 * It attaches each document to the relay only after its local store has loaded, so that the first
 * exchange sends differences rather than whole documents.
 */
import type * as Y from 'yjs';
import type { SyncClaims } from '../domain/sync/claims';
import { directoryDoc, type DocName } from '../crdt/layout';
// Types only: the sync client (y-websocket, y-protocols, the multiplexer) loads when a session
// starts syncing, after the first screen — it is not part of the first load (issue "Performance").
import type { SyncClient, SyncStatus } from '../sync/client';
import type { ClinicPresence, Peer, PresenceView } from '../sync/presence';
import type { DocHub } from './docs';

const COLORS = ['#0f766e', '#7c3aed', '#b45309', '#be123c', '#1d4ed8', '#4d7c0f', '#a21caf', '#0369a1'];

export interface SyncStartOptions {
	token: string;
	deviceId: string;
	userName: string;
	/** Defaults to the page's own origin (ws:// or wss:// to match http:// or https://). */
	baseUrl?: string;
}

/** What the header shows between `start` and the client having loaded (a few ms). */
const STARTING: SyncStatus = {
	connection: 'connecting',
	docs: 0,
	syncedDocs: 0,
	pendingDocs: [],
	blockedDocs: [],
	unsyncedChanges: 0,
	lastSyncedAt: null,
	retryAt: null,
	error: null
};

const loadClient = () => Promise.all([import('../sync/client'), import('../sync/presence')]);

export class SyncState {
	status = $state.raw<SyncStatus | null>(null);
	peers = $state.raw<Peer[]>([]);
	private client: SyncClient | null = null;
	private presence: ClinicPresence | null = null;
	private stops: (() => void)[] = [];
	private view: PresenceView = { screen: 'schedule' };
	private synced = new Map<DocName, { promise: Promise<void>; resolve: () => void }>();
	/** Counts `start`/`stop`, so that a client loaded for an earlier start is not used. */
	private runs = 0;
	/** The client of the current run, once loaded (null if the run ended or the load failed). */
	private loading: Promise<SyncClient | null> = Promise.resolve(null);
	/** A token handed over while the client was still loading. */
	private latestToken: string | null = null;
	private PresenceClass: typeof ClinicPresence | null = null;
	/** The current run's options; `rename` changes the name documents attached from then on show. */
	private identity: SyncStartOptions | null = null;

	get enabled(): boolean {
		return this.status !== null;
	}

	start(hub: DocHub, opts: SyncStartOptions): void {
		this.stop();
		opts = { ...opts };
		this.identity = opts;
		const run = ++this.runs;
		this.status = STARTING;
		this.latestToken = opts.token;
		this.loading = loadClient().then(
			([{ SyncClient }, { ClinicPresence }]) => {
				if (run !== this.runs) return null;
				this.PresenceClass = ClinicPresence;
				return this.begin(
					hub,
					opts,
					new SyncClient({ baseUrl: opts.baseUrl ?? defaultBaseUrl(), token: this.latestToken ?? opts.token })
				);
			},
			() => {
				if (run === this.runs)
					this.status = {
						...STARTING,
						connection: 'closed',
						error: {
							code: 'unreachable',
							message:
								'The sync part of the app could not be loaded. Your changes are kept on this workstation.',
							action: 'Reload the page to try again.'
						}
					};
				return null;
			}
		);
	}

	private begin(hub: DocHub, opts: SyncStartOptions, client: SyncClient): SyncClient {
		this.client = client;
		this.status = client.status;
		this.stops.push(client.onStatus((s) => (this.status = s)));
		this.stops.push(
			hub.onOpen((name, doc) => {
				// Attach once the local copy has loaded (so only differences travel); if local storage
				// failed (reported on the Admin screen), sync anyway so the work still reaches the server.
				const attach = () => {
					if (this.client === client) this.attach(client, name, doc, opts);
				};
				hub.ready(name).then(attach, attach);
			})
		);
		if (typeof window !== 'undefined') {
			const pause = () => client.pause();
			const resume = () => client.resume();
			window.addEventListener('offline', pause);
			window.addEventListener('online', resume);
			this.stops.push(() => {
				window.removeEventListener('offline', pause);
				window.removeEventListener('online', resume);
			});
			if (!navigator.onLine) client.pause();
		}
		return client;
	}

	/** Resolves true once the document has completed its first sync with the relay, false on timeout. */
	async whenSynced(name: DocName, timeoutMs: number): Promise<boolean> {
		const done = this.syncedPromise(name);
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
		const result = await Promise.race([done.then(() => true), timeout]);
		clearTimeout(timer);
		return result;
	}

	/** Resolves true once the relay has confirmed every local change (false on timeout or stop). */
	async whenAcknowledged(timeoutMs = 10 * 60_000): Promise<boolean> {
		const client = this.client ?? (await this.loading);
		if (!client || client !== this.client) return false;
		return new Promise((resolve) => {
			let off = () => {};
			const timer = setTimeout(() => finish(false), timeoutMs);
			const finish = (ok: boolean) => {
				clearTimeout(timer);
				off();
				resolve(ok);
			};
			const check = (s: SyncStatus) => {
				if (this.client !== client) finish(false);
				else if (s.connection === 'open' && s.unsyncedChanges === 0 && s.pendingDocs.length === 0)
					finish(true);
			};
			off = client.onStatus(check);
			check(client.status);
		});
	}

	/** The current problem in words for the person at the desk, if any. */
	lastError(): string | null {
		const e = this.status?.error;
		return e ? `${e.message} ${e.action}` : null;
	}

	setView(view: PresenceView): void {
		this.view = view;
		try {
			this.presence?.setView(view);
		} catch {
			// A view that does not fit the presence schema is simply not shared.
		}
	}

	syncNow(): void {
		this.client?.syncNow();
	}

	/** The name this workstation's presence shows, for documents attached from now on (e.g. after a join). */
	rename(userName: string): void {
		if (this.identity) this.identity.userName = userName;
	}

	/** A fresh relay token (after a refresh); connections re-authenticate without dropping documents. */
	setToken(token: string): void {
		this.latestToken = token;
		this.client?.setToken(token);
	}

	stop(): void {
		this.runs += 1;
		this.latestToken = null;
		for (const stop of this.stops) stop();
		this.stops = [];
		this.presence?.destroy();
		this.presence = null;
		this.client?.destroy();
		this.client = null;
		this.synced.clear();
		this.identity = null;
		this.status = null;
		this.peers = [];
	}

	private attach(client: SyncClient, name: DocName, doc: Y.Doc, opts: SyncStartOptions): void {
		if (client.isAttached(name)) return;
		let provider;
		if (name === directoryDoc()) {
			const presence = new this.PresenceClass!(doc, {
				id: presenceId(opts.userName),
				name: presenceName(opts.userName),
				color: COLORS[hash(opts.deviceId) % COLORS.length]!,
				deviceId: opts.deviceId
			});
			this.presence = presence;
			this.setView(this.view);
			this.stops.push(presence.onChange((peers) => (this.peers = peers)));
			provider = client.attach(name, doc, { awareness: presence.awareness });
		} else {
			provider = client.attach(name, doc);
		}
		const done = this.deferred(name);
		if (provider.synced) done.resolve();
		else {
			const onSync = (isSynced: boolean) => {
				if (!isSynced) return;
				provider.off('sync', onSync);
				done.resolve();
			};
			provider.on('sync', onSync);
		}
	}

	private syncedPromise(name: DocName): Promise<void> {
		return this.deferred(name).promise;
	}

	private deferred(name: DocName): { promise: Promise<void>; resolve: () => void } {
		let d = this.synced.get(name);
		if (!d) {
			let resolve!: () => void;
			const promise = new Promise<void>((r) => (resolve = r));
			d = { promise, resolve };
			this.synced.set(name, d);
		}
		return d;
	}
}

/** Which clinic and user a sign-in token names (unverified; see `token-claims.ts`). */
export async function readTokenClaims(token: string): Promise<SyncClaims | null> {
	const { tokenClaims } = await import('./token-claims');
	return tokenClaims(token);
}

function defaultBaseUrl(): string {
	return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

function presenceId(user: string): string {
	const slug = user
		.toLowerCase()
		.replace(/[^a-z0-9-]/g, '-')
		.slice(0, 32);
	return /^[a-z][a-z0-9-]{2,31}$/.test(slug) ? slug : 'staff-member';
}

function presenceName(user: string): string {
	return /^\p{L}[\p{L}\p{M} .'’-]*$/u.test(user) && user.length <= 60 ? user : 'Staff member';
}

function hash(s: string): number {
	let h = 0;
	for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
	return h;
}
