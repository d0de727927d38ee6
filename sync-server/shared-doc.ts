/**
 * One document as the relay serves it, shared by both endpoints (`/sync` channels and
 * `/sync/<doc>` sockets). It speaks y-websocket's messages:
 *
 *   [0 sync][0 step1][state vector]  → answered with step2: what the sender lacks
 *   [0 sync][1 step2 | 2 update][u]  → applied (writers only), broadcast to the other subscribers
 *   [1 awareness][update]            → applied, broadcast to every subscriber including the sender
 *   [3 query awareness]              → answered with every known awareness state
 *
 * Awareness goes back to its sender on purpose: a y-websocket client drops its socket after 30 s
 * without any incoming message, and its own renewed presence (every 15 s) is what keeps an
 * otherwise quiet document alive. A new subscriber gets sync step 1 and the current awareness.
 *
 * A subscriber's updates are held until its sync step 2 (its catch-up: everything it has that the
 * relay lacks) has arrived, and any update that does not continue from what the relay holds is held
 * too. Applied early, such an update would be half-applied:
 * Yjs would keep its new values pending but apply its deletions at once, and the relay would store
 * and broadcast those deletions — a field overwritten offline would vanish for everyone until (or,
 * if the author never returns, forever after) the catch-up arrives. Held updates are applied as soon
 * as they continue from the relay's state; they are dropped if their sender leaves first (it still
 * has them and sends them again when it reconnects).
 *
 * What a workstation takes as the relay's acknowledgement (relay-ack.ts) covers only updates that
 * are in the store (committed to SQLite's WAL, which survives a crash of the process), so
 * "acknowledged" means "stored":
 * - the greeting's state vector is that of the stored document (`storedStateVector`), which lags
 *   the document in memory only while a batch is being written (docs.ts) or the store refuses
 *   writes; the subscriber's catch-up then also carries what the relay held only in memory;
 * - a subscriber's first step 1 is answered at once: it is how a workstation gets the document,
 *   and relay-ack.ts takes nothing from that answer;
 * - every later step 1 is a barrier, answered (with step 2) only once everything the relay applied
 *   before it is stored (`afterStored`), in order.
 * Updates are broadcast at once, before they are stored: a broadcast acknowledges nothing to the
 * update's author, and should the relay crash before the write, the author still has the update
 * and sends it again on its next sync. So a failing store stops acknowledgements, not
 * collaboration, nor workstations opening the document.
 *
 * Updates from read-only subscribers are dropped (and counted) without reading them into the doc.
 * What is persisted and broadcast is the doc's own `update` event, not the received bytes: it
 * holds exactly what the message added, is well-formed by construction (a message that fails
 * half-way cannot poison the log) and is empty for duplicates, which are then not stored at all.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { benchTrace, traceKindOf } from './bench-trace';
import { Step2Answers } from './step2-answers';

export interface Subscriber {
	canWrite(): boolean;
	identity(): { userId: string; role: string };
	send(message: Uint8Array): void;
}

/**
 * `bad`: the message could not be decoded or applied; `overloaded`: the subscriber has too many
 * barriers waiting for the store. Either way the caller closes that connection (`overloaded` with
 * a transient code: the store may recover).
 */
export type ReceiveResult = 'ok' | 'dropped' | 'bad' | 'overloaded';

export type Persist = (update: Uint8Array, from: Subscriber) => void;

/** Where the document's updates go (docs.ts); a bare Persist function stands for a store that is always up to date. */
export interface DocStorage {
	/** Queues an update applied from `from` for the store. */
	persist: Persist;
	/** Runs `then` once every update persisted so far is in the store: at once if it already is. */
	afterStored(then: () => void): void;
	/** The state vector of what is in the store; null when that is the document's own. */
	storedStateVector(): Uint8Array | null;
}

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

const LOAD = Symbol('load');
/** A stored update applied late (see load): broadcast, but already in the store. */
const STORED = Symbol('stored');
/** Gapped updates held per subscriber before it is treated as misbehaving. */
const MAX_HELD = 500;
/** Barriers one subscriber may have waiting for the store. */
const MAX_PENDING_ANSWERS = 100;

let docCount = 0;

export class SharedDoc {
	/** This document's number in the bench trace (bench-trace.ts), which never names documents. */
	readonly traceNo = ++docCount;
	readonly doc = new Y.Doc({ gc: true });
	readonly awareness = new awarenessProtocol.Awareness(this.doc);
	/** Step 2 answers without a walk of the whole document for each (step2-answers.ts). */
	private readonly step2 = new Step2Answers(this.doc);
	/** Each subscriber with the awareness client ids it announced (removed when it leaves). */
	private readonly subscribers = new Map<Subscriber, Set<number>>();
	private readonly held = new Map<Subscriber, Uint8Array[]>();
	private readonly storedHeld: Uint8Array[] = [];
	/** Subscribers whose sync step 2 has arrived. */
	private readonly caughtUp = new Set<Subscriber>();
	/** Per subscriber once its first step 1 was answered: the state vectors of step 1s not yet answered. */
	private readonly answers = new Map<Subscriber, Uint8Array[]>();
	private readonly storage: DocStorage;
	droppedWrites = 0;
	/** Stored updates that failed to apply on load; such a document is never compacted. */
	loadFailures = 0;

	constructor(
		readonly name: string,
		storage: DocStorage | Persist
	) {
		this.storage =
			typeof storage === 'function'
				? { persist: storage, afterStored: (then) => then(), storedStateVector: () => null }
				: storage;
		// The relay is not a participant: no presence of its own.
		this.awareness.setLocalState(null);
		this.doc.on('update', this.onUpdate);
		this.awareness.on('update', this.onAwareness);
	}

	get subscriberCount(): number {
		return this.subscribers.size;
	}

	/**
	 * Applies the stored log. A stored update whose dependencies are missing (a hole left by a failed
	 * write) is kept aside like a held update instead of being half-applied, and applied (and
	 * broadcast) once a client brings what it builds on.
	 */
	load(updates: Uint8Array[]): void {
		Y.transact(
			this.doc,
			() => {
				for (const u of updates) {
					try {
						if (this.hasGap(u)) this.storedHeld.push(u);
						else Y.applyUpdate(this.doc, u, LOAD);
					} catch {
						this.loadFailures += 1;
					}
				}
				for (let i = this.storedHeld.findIndex((u) => !this.hasGap(u)); i >= 0;) {
					Y.applyUpdate(this.doc, this.storedHeld.splice(i, 1)[0]!, LOAD);
					i = this.storedHeld.findIndex((u) => !this.hasGap(u));
				}
			},
			LOAD
		);
	}

	subscribe(sub: Subscriber): void {
		this.subscribers.set(sub, new Set());
		// Only what is stored: a workstation takes this state vector as acknowledged.
		const stateVector = this.storage.storedStateVector() ?? Y.encodeStateVector(this.doc);
		sub.send(syncMessage(SYNC_STEP1, stateVector));
		const states = this.awareness.getStates();
		if (states.size > 0) sub.send(this.awarenessMessage([...states.keys()]));
	}

	unsubscribe(sub: Subscriber): void {
		const announced = this.subscribers.get(sub);
		if (!announced) return;
		this.subscribers.delete(sub);
		this.held.delete(sub);
		this.caughtUp.delete(sub);
		this.answers.delete(sub);
		if (announced.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...announced], null);
	}

	receive(sub: Subscriber, message: Uint8Array): ReceiveResult {
		if (!benchTrace.enabled) return this.handle(sub, message);
		const start = benchTrace.now();
		const result = this.handle(sub, message);
		benchTrace.record(traceKindOf(message), start, message.length, this.traceNo);
		return result;
	}

	private handle(sub: Subscriber, message: Uint8Array): ReceiveResult {
		if (!this.subscribers.has(sub)) return 'dropped';
		try {
			const d = decoding.createDecoder(message);
			const type = decoding.readVarUint(d);
			if (type === MESSAGE_QUERY_AWARENESS) {
				if (decoding.hasContent(d)) return 'bad';
				sub.send(this.awarenessMessage([...this.awareness.getStates().keys()]));
				return 'ok';
			}
			if (type === MESSAGE_AWARENESS) {
				const update = decoding.readVarUint8Array(d);
				if (decoding.hasContent(d)) return 'bad';
				awarenessProtocol.applyAwarenessUpdate(this.awareness, update, sub);
				return 'ok';
			}
			if (type !== MESSAGE_SYNC) return 'bad';
			const step = decoding.readVarUint(d);
			const body = decoding.readVarUint8Array(d);
			if (decoding.hasContent(d)) return 'bad';
			if (step === SYNC_STEP1) return this.answerStep1(sub, body);
			if (step !== SYNC_STEP2 && step !== SYNC_UPDATE) return 'bad';
			if (!sub.canWrite()) {
				this.droppedWrites += 1;
				return 'dropped';
			}
			if (step === SYNC_STEP2) this.caughtUp.add(sub);
			return this.applyFrom(sub, body, step === SYNC_STEP2);
		} catch {
			return 'bad';
		}
	}

	/** What compaction stores: the document, plus stored updates still waiting for what they build on. */
	snapshot(): Uint8Array {
		const state = Y.encodeStateAsUpdate(this.doc);
		return this.storedHeld.length ? Y.mergeUpdates([state, ...this.storedHeld]) : state;
	}

	/** Updates held for subscribers until the relay has what they build on (see the header). */
	get heldUpdates(): number {
		let n = 0;
		for (const list of this.held.values()) n += list.length;
		return n + this.storedHeld.length;
	}

	/** See the header: the first step 1 is answered at once, every later one once the store has caught up. */
	private answerStep1(sub: Subscriber, stateVector: Uint8Array): ReceiveResult {
		// Decoded now, so that a malformed one is refused now, whenever the answer goes out.
		Y.decodeStateVector(stateVector);
		const waiting = this.answers.get(sub);
		if (!waiting) {
			this.answers.set(sub, []);
			sub.send(this.step2For(stateVector));
			return 'ok';
		}
		if (waiting.length >= MAX_PENDING_ANSWERS) return 'overloaded';
		waiting.push(stateVector);
		this.storage.afterStored(() => {
			// Callbacks run in the order they were queued, so this answers this subscriber's oldest.
			if (this.answers.get(sub) !== waiting) return;
			const next = waiting.shift();
			if (!next) return;
			const start = benchTrace.enabled ? benchTrace.now() : 0;
			const answer = this.step2For(next);
			sub.send(answer);
			if (benchTrace.enabled) benchTrace.record('answer', start, answer.length, this.traceNo);
		});
		return 'ok';
	}

	private step2For(stateVector: Uint8Array): Uint8Array {
		return syncMessage(SYNC_STEP2, this.step2.update(stateVector));
	}

	private applyFrom(sub: Subscriber, update: Uint8Array, catchUp: boolean): ReceiveResult {
		if (!catchUp && (!this.caughtUp.has(sub) || this.hasGap(update))) {
			const list = this.held.get(sub) ?? [];
			if (list.length >= MAX_HELD) return 'bad';
			list.push(update);
			this.held.set(sub, list);
			return 'ok';
		}
		Y.applyUpdate(this.doc, update, sub);
		this.releaseHeld();
		return 'ok';
	}

	private releaseHeld(): void {
		let progress = true;
		while (progress && (this.held.size > 0 || this.storedHeld.length > 0)) {
			progress = false;
			const s = this.storedHeld.findIndex((u) => !this.hasGap(u));
			if (s >= 0) {
				Y.applyUpdate(this.doc, this.storedHeld.splice(s, 1)[0]!, STORED);
				progress = true;
			}
			for (const [sub, list] of this.held) {
				if (!this.caughtUp.has(sub)) continue;
				const i = list.findIndex((u) => !this.hasGap(u));
				if (i < 0) continue;
				const [update] = list.splice(i, 1);
				if (list.length === 0) this.held.delete(sub);
				Y.applyUpdate(this.doc, update!, sub);
				progress = true;
			}
		}
	}

	/**
	 * True when Yjs could not integrate the whole update now: it holds structs that start after the
	 * relay's last known clock of their client, a skipped range, or an item whose neighbours or parent
	 * (origin, right origin, parent id) are neither in the relay's document nor in the update itself.
	 * One pass over the decoded structs (each client's structs come in clock order), then one over
	 * their dependencies, so a large update costs linear time.
	 */
	private hasGap(update: Uint8Array): boolean {
		const { structs } = Y.decodeUpdate(update);
		/** Per client in the update: every clock below this is in the document or in the update. */
		const covered = new Map<number, number>();
		for (const s of structs) {
			if (s instanceof Y.Skip) return true;
			const { client, clock } = s.id;
			const upTo = covered.get(client) ?? Y.getState(this.doc.store, client);
			if (clock > upTo) return true;
			covered.set(client, Math.max(upTo, clock + s.length));
		}
		const known = (id: Y.ID) => id.clock < (covered.get(id.client) ?? Y.getState(this.doc.store, id.client));
		for (const s of structs) {
			if (!(s instanceof Y.Item)) continue;
			if (s.origin && !known(s.origin)) return true;
			if (s.rightOrigin && !known(s.rightOrigin)) return true;
			if (s.parent instanceof Y.ID && !known(s.parent)) return true;
		}
		return false;
	}

	destroy(): void {
		this.subscribers.clear();
		this.held.clear();
		this.caughtUp.clear();
		this.answers.clear();
		this.doc.off('update', this.onUpdate);
		this.step2.destroy();
		this.awareness.off('update', this.onAwareness);
		this.awareness.destroy();
		this.doc.destroy();
	}

	private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
		if (origin === LOAD) return;
		const message = syncMessage(SYNC_UPDATE, update);
		for (const sub of this.subscribers.keys()) if (sub !== origin) sub.send(message);
		if (this.isSubscriber(origin)) this.storage.persist(update, origin);
	};

	private readonly onAwareness = (
		{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown
	): void => {
		if (this.isSubscriber(origin)) {
			const announced = this.subscribers.get(origin);
			for (const id of added) announced?.add(id);
			for (const id of removed) announced?.delete(id);
		}
		const message = this.awarenessMessage([...added, ...updated, ...removed]);
		for (const sub of this.subscribers.keys()) sub.send(message);
	};

	private isSubscriber(origin: unknown): origin is Subscriber {
		return this.subscribers.has(origin as Subscriber);
	}

	private awarenessMessage(clients: number[]): Uint8Array {
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, MESSAGE_AWARENESS);
		encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
		return encoding.toUint8Array(e);
	}
}

function syncMessage(step: number, body: Uint8Array): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, MESSAGE_SYNC);
	encoding.writeVarUint(e, step);
	encoding.writeVarUint8Array(e, body);
	return encoding.toUint8Array(e);
}
