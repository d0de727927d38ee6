/**
 * The relay as it runs in production minus the HTTP server: sync-server's MuxConnection and
 * DocConnection on top of one DocManager, its SharedDocs, and the in-memory store. Upgrades are
 * admitted the way upgrade.ts admits them (route, subprotocol, token, document grant), with tokens
 * looked up instead of verified so no crypto (and no real asynchrony) enters a run.
 *
 * The store is wrapped so the simulation can make it slow or failing: an operation takes effect
 * when called (as SQLite's does) but may resolve only when the simulation releases it, and may
 * fail instead. A restart is relay.ts's shutdown (close every socket with 4500, flush every
 * document) followed by a fresh DocManager on the same store; a crash drops the process: pending
 * store work never happens and sockets fall silent.
 */
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { mayOpen, type SyncClaims } from '../../../src/lib/domain/sync/claims';
import { isDocName } from '../../../src/lib/domain/sync/docnames';
import { CloseCode, parseSubprotocols } from '../../../src/lib/domain/sync/mux';
import type { Verifier } from '../../../sync-server/auth';
import { loadConfig, type SyncLimits } from '../../../sync-server/config';
import type { SyncConnection } from '../../../sync-server/connection';
import { DocConnection } from '../../../sync-server/doc-connection';
import { DocManager } from '../../../sync-server/docs';
import { MuxConnection } from '../../../sync-server/mux-connection';
import type { SharedDoc } from '../../../sync-server/shared-doc';
import { MemoryStore } from '../../../sync-server/store/memory';
import type { AuditEntry, DocStore, UpdateMeta } from '../../../sync-server/store/types';
import { chooseProtocol, routeOf } from '../../../sync-server/upgrade';
import type { Network, RelayEnd } from './network';
import type { Random } from './random';

export interface StoreBehaviour {
	/** Chance that an operation resolves only when the simulation releases it. */
	holdChance: number;
	/** Chance that an operation fails (nothing is written). */
	failChance: number;
}

export interface StoreCounts {
	loads: number;
	holds: number;
	failures: number;
}

export class SimStore implements DocStore {
	readonly held: (() => void)[] = [];
	dead = false;

	constructor(
		private readonly base: MemoryStore,
		private readonly rand: Random,
		private readonly behaviour: StoreBehaviour,
		private readonly counts: StoreCounts
	) {}

	load(doc: string): Promise<Uint8Array[]> {
		this.counts.loads += 1;
		return this.run(() => this.base.load(doc));
	}

	append(doc: string, update: Uint8Array, meta: UpdateMeta): Promise<void> {
		return this.run(() => this.base.append(doc, update, meta));
	}

	compact(doc: string, snapshot: Uint8Array): Promise<void> {
		return this.run(() => this.base.compact(doc, snapshot));
	}

	audit(doc: string, limit?: number): Promise<AuditEntry[]> {
		return this.base.audit(doc, limit);
	}

	listDocs(prefix: string): Promise<string[]> {
		return this.base.listDocs(prefix);
	}

	async close(): Promise<void> {}

	/** Lets one held operation (a random one: only per-document order is promised) resolve. */
	releaseOne(): void {
		const [release] = this.held.splice(this.rand.int(0, this.held.length - 1), 1);
		release?.();
	}

	private run<T>(op: () => Promise<T>): Promise<T> {
		// A dead process never finishes anything, nor starts anything new.
		if (this.dead) return new Promise<T>(() => undefined);
		if (this.rand.chance(this.behaviour.failChance)) {
			this.counts.failures += 1;
			return Promise.reject(new Error('injected store failure'));
		}
		const result = op();
		if (!this.rand.chance(this.behaviour.holdChance)) return result;
		this.counts.holds += 1;
		return new Promise<T>((resolve, reject) => this.held.push(() => void result.then(resolve, reject)));
	}
}

export interface RelayOptions extends StoreBehaviour {
	idleEvictMs: number;
	compactEvery: number;
	/**
	 * The simulated sockets do not enforce it on message size; a small value scales down the limits
	 * derived from it (a peer that stops reading, bytes queued while a document loads).
	 */
	maxPayload: number;
}

export class InProcessRelay {
	readonly memory = new MemoryStore();
	readonly limits: SyncLimits;
	/** Shared by every incarnation's store; the simulation calms it down before the final checks. */
	readonly behaviour: StoreBehaviour;
	readonly counts: StoreCounts = { loads: 0, holds: 0, failures: 0 };
	store!: SimStore;
	docs!: DocManager;
	private connections = new Set<SyncConnection>();
	restarts = 0;
	crashes = 0;

	constructor(
		private readonly network: Network,
		private readonly rand: Random,
		opts: RelayOptions,
		private readonly claimsFor: (token: string) => SyncClaims | undefined
	) {
		this.behaviour = { holdChance: opts.holdChance, failChance: opts.failChance };
		const defaults = loadConfig({}).sync;
		this.limits = {
			...defaults,
			idleEvictMs: opts.idleEvictMs,
			compactEvery: opts.compactEvery,
			maxPayload: opts.maxPayload
		};
		this.start();
		network.acceptor = this.accept;
	}

	/** A random open connection, for the relay to drop (as it does a slow or flooding peer). */
	randomConnection(): SyncConnection | undefined {
		const all = [...this.connections];
		return all.length > 0 ? this.rand.pick(all) : undefined;
	}

	/** relay.ts's shutdown, then a fresh process on the same store. */
	async restart(settle: () => Promise<void>): Promise<void> {
		this.restarts += 1;
		for (const conn of [...this.connections]) conn.close(CloseCode.goingAway, 'relay restarting');
		let closed = false;
		const closing = this.docs.closeAll().then(() => (closed = true));
		for (let turns = 0; !closed; turns++) {
			if (turns > 10_000) throw new Error('the relay never finished shutting down');
			this.store.releaseOne();
			await settle();
		}
		await closing;
		this.start();
	}

	crash(): void {
		this.crashes += 1;
		this.store.dead = true;
		this.network.relayDied();
		this.start();
	}

	/** The relay's current copy of a document (loaded from the store if it is not resident). */
	async snapshotOf(name: string): Promise<Y.Doc> {
		const shared = await this.docs.acquire(name);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(shared.doc));
		this.docs.release(shared);
		return copy;
	}

	/**
	 * The documents in memory, read from DocManager's private map: going through `acquire` would
	 * restart eviction timers and change the run. Throws if the relay's internals changed shape.
	 */
	residentDocs(): SharedDoc[] {
		const entries = (this.docs as unknown as { entries?: unknown }).entries;
		if (!(entries instanceof Map))
			throw new Error('DocManager no longer keeps `entries`: update residentDocs()');
		return [...(entries as Map<string, { doc: SharedDoc }>).values()].map((e) => e.doc);
	}

	/** What the store holds for a document, read into a fresh doc. */
	async storedDoc(name: string): Promise<Y.Doc> {
		const doc = new Y.Doc();
		for (const u of await this.memory.load(name)) Y.applyUpdate(doc, u);
		return doc;
	}

	private start(): void {
		this.store = new SimStore(this.memory, this.rand, this.behaviour, this.counts);
		this.docs = new DocManager(this.store, this.limits);
		this.connections = new Set();
	}

	private readonly verify: Verifier = async (token) => {
		const claims = this.claimsFor(token);
		return claims ? { ok: true, claims, expiresAt: farFuture() } : { ok: false, reason: 'unknown-token' };
	};

	private readonly accept = (end: RelayEnd, url: string, protocols: string[]): string | null => {
		const route = routeOf(new URL(url).pathname);
		const { ours, token } = parseSubprotocols(protocols);
		const claims = token ? this.claimsFor(token) : undefined;
		const protocol = chooseProtocol(new Set(protocols));
		if (!route || !ours || !claims || protocol === false) return null;
		if (route.kind === 'doc' && (!isDocName(route.docName) || !mayOpen(claims, route.docName))) return null;
		const connections = this.connections;
		const deps = {
			docs: this.docs,
			limits: this.limits,
			verify: this.verify,
			onClosed: (c: SyncConnection) => connections.delete(c)
		};
		const ws = end as unknown as WebSocket;
		const grant = { claims, expiresAt: farFuture() };
		const conn =
			route.kind === 'mux'
				? new MuxConnection(ws, grant, deps)
				: new DocConnection(ws, grant, deps, route.docName);
		connections.add(conn);
		return protocol;
	};
}

/** Token expiry is not under test: far beyond any run's simulated time. */
function farFuture(): number {
	return Date.now() + 30 * 24 * 3600_000;
}
