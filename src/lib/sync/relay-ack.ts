/**
 * How many changes in one document the relay has not confirmed yet.
 *
 * y-protocols has no acknowledgements, so "the relay has it" is inferred from two facts:
 * 1. The relay's sync step 1 (sent when a channel opens) carries its state vector: for every Yjs
 *    client, how far the relay has that client's changes. It replaces what we believed before, so a
 *    relay that lost data shows up as unsynced changes again.
 * 2. A relay handles one channel's messages in order and answers step 1 with step 2. So once everything
 *    we hold has been sent on this channel (our step 2 answered the relay's step 1, and every later
 *    update went out while connected), a step 1 we send is a barrier: when its step 2 comes back, the
 *    relay has seen everything up to the state vector we had when sending it. Barriers go out right
 *    after the opening exchange, shortly after local edits (debounced), and on every resync.
 *
 * The count is Σ over clients of (our clock − confirmed clock): one per inserted item, which with the
 * record codec (one map entry per field) is about one per field written. Deletions do not move a
 * state vector, so transactions that only delete are counted separately and confirmed by barriers.
 * Until the relay's first step 1 arrives the count is unknown (null): content loaded from this
 * workstation's store may or may not be on the relay already.
 *
 * Updates that arrive from another tab (BroadcastChannel) are not sent to the relay by this tab; a
 * barrier still covers them, which is right as long as that tab is online (it sends them itself).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageSync, type WebsocketProvider } from 'y-websocket';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { applyReceived } from './apply-received';

interface Barrier {
	sv: Map<number, number>;
	deletes: number;
}

export class RelayAck {
	/** The opening barrier waits for the relay's first step 2 (see onRelaySync). */
	private openingBarrierDue = false;
	/** Clocks the relay is known to have, per Yjs client; null until its first step 1. */
	private confirmed: Map<number, number> | null = null;
	/**
	 * Our clock for each Yjs client whose changes the relay is not known to have in full (usually one
	 * or none). Kept from transactions and confirmations, so the count does not encode the document's
	 * state vector: the status is read after every change, for every open document.
	 */
	private readonly ahead = new Map<number, number>();
	private localDeletes = 0;
	private confirmedDeletes = 0;
	/** One entry per step 1 in flight on this channel; null when it proves nothing. */
	private barriers: (Barrier | null)[] = [];
	private relayStateSeen = false;
	private fromRelay = false;
	private confirmTimer: ReturnType<typeof setTimeout> | null = null;
	private readonly originalSync: WebsocketProvider['messageHandlers'][number] | undefined;
	private readonly offProvider: () => void;

	constructor(
		private readonly doc: Y.Doc,
		private readonly provider: WebsocketProvider,
		private readonly opts: { confirmDelayMs: number; onChange: () => void }
	) {
		const handlers = provider.messageHandlers;
		const original = handlers[messageSync];
		this.originalSync = original;
		if (original) {
			handlers[messageSync] = (encoder, decoder, p, fromSocket, type) => {
				if (!fromSocket) return original(encoder, decoder, p, fromSocket, type);
				this.onRelaySync(decoder, () => original(encoder, decoder, p, fromSocket, type));
			};
		}
		const onStatus = (e: { status: string }) => {
			// The provider sends its own step 1 right after this event; its step 2 proves nothing new.
			if (e.status === 'connected') this.barriers = [null];
		};
		const onClose = () => {
			this.barriers = [];
			this.relayStateSeen = false;
			this.openingBarrierDue = false;
			this.opts.onChange();
		};
		provider.on('status', onStatus);
		provider.on('connection-close', onClose);
		doc.on('afterTransaction', this.onTransaction);
		this.offProvider = () => {
			provider.off('status', onStatus);
			provider.off('connection-close', onClose);
		};
	}

	/** Unconfirmed changes, or null while the relay's state is unknown. */
	unconfirmed(): number | null {
		if (!this.confirmed) return null;
		let n = Math.max(0, this.localDeletes - this.confirmedDeletes);
		for (const [client, clock] of this.ahead) n += clock - (this.confirmed.get(client) ?? 0);
		return n;
	}

	/** In step with the relay: the channel is open, synced, and nothing local is unconfirmed. */
	get inStep(): boolean {
		return this.provider.wsconnected && this.provider.synced && this.unconfirmed() === 0;
	}

	/** Sends sync step 1 (a resync); it doubles as a barrier once the opening exchange is done. */
	sendStep1(): boolean {
		const ws = this.provider.ws;
		if (!this.provider.wsconnected || !ws || ws.readyState !== ws.OPEN) return false;
		const barrier = this.relayStateSeen
			? { sv: Y.decodeStateVector(Y.encodeStateVector(this.doc)), deletes: this.localDeletes }
			: null;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, messageSync);
		syncProtocol.writeSyncStep1(encoder, this.doc);
		this.barriers.push(barrier);
		ws.send(encoding.toUint8Array(encoder));
		return true;
	}

	destroy(): void {
		this.clearConfirmTimer();
		this.doc.off('afterTransaction', this.onTransaction);
		this.offProvider();
		if (this.originalSync) this.provider.messageHandlers[messageSync] = this.originalSync;
	}

	private onRelaySync(decoder: decoding.Decoder, apply: () => void): void {
		let kind = -1;
		let relaySv: Map<number, number> | null = null;
		let update: Uint8Array | null = null;
		try {
			const peek = decoding.clone(decoder);
			kind = decoding.readVarUint(peek);
			if (kind === syncProtocol.messageYjsSyncStep1) {
				relaySv = Y.decodeStateVector(decoding.readVarUint8Array(peek));
			} else if (kind === syncProtocol.messageYjsSyncStep2 || kind === syncProtocol.messageYjsUpdate) {
				update = decoding.readVarUint8Array(peek);
			}
		} catch {
			// Malformed: let the provider's own handler deal with it below.
		}
		this.fromRelay = true;
		try {
			if (update) applyReceived(this.doc, update, this.provider, apply);
			else apply();
		} finally {
			this.fromRelay = false;
		}
		if (relaySv) {
			this.confirmed = relaySv;
			this.recount();
			// Once per channel: some relays answer every step 1 with their own step 1 as well.
			if (!this.relayStateSeen) {
				this.relayStateSeen = true;
				// The first barrier waits until the relay's answer to the provider's own step 1 (its
				// step 2) has been applied: sent earlier, it would carry our pre-sync state vector and the
				// relay would send the whole document a second time.
				if (this.provider.synced) queueMicrotask(() => this.sendStep1());
				else this.openingBarrierDue = true;
			}
		} else if (kind === syncProtocol.messageYjsSyncStep2) {
			if (this.openingBarrierDue) {
				this.openingBarrierDue = false;
				// Our step 2 went out when the relay's step 1 was handled, so this barrier follows it.
				queueMicrotask(() => this.sendStep1());
			}
			const b = this.barriers.shift();
			if (b && this.confirmed) {
				for (const [client, clock] of b.sv) this.confirm(client, clock);
				this.confirmedDeletes = Math.max(this.confirmedDeletes, b.deletes);
			}
		}
		this.opts.onChange();
	}

	private readonly onTransaction = (tr: Y.Transaction): void => {
		const grew = [...tr.afterState].filter(([c, clock]) => clock > (tr.beforeState.get(c) ?? 0));
		if (tr.origin === this.provider) {
			// Applied from the relay's own messages: it has these, whoever wrote them.
			if (this.fromRelay && this.confirmed) {
				for (const [c, clock] of grew) this.confirm(c, clock);
			} else {
				for (const [c, clock] of grew) this.grow(c, clock);
			}
			this.opts.onChange();
			return;
		}
		for (const [c, clock] of grew) this.grow(c, clock);
		if (grew.length === 0 && tr.deleteSet.clients.size === 0) return;
		if (grew.length === 0) this.localDeletes += 1;
		this.scheduleConfirm();
		this.opts.onChange();
	};

	/** Our clock for `client` is now `clock`. */
	private grow(client: number, clock: number): void {
		if (!this.confirmed) return;
		if (clock > (this.confirmed.get(client) ?? 0)) this.ahead.set(client, clock);
		else this.ahead.delete(client);
	}

	/** The relay is known to have `client`'s changes up to `clock`. */
	private confirm(client: number, clock: number): void {
		if (!this.confirmed) return;
		const known = Math.max(clock, this.confirmed.get(client) ?? 0);
		this.confirmed.set(client, known);
		if ((this.ahead.get(client) ?? 0) <= known) this.ahead.delete(client);
	}

	/** From scratch, once the relay's state vector replaced what we believed (a channel opening). */
	private recount(): void {
		this.ahead.clear();
		if (!this.confirmed) return;
		for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.doc)))
			this.grow(client, clock);
	}

	private scheduleConfirm(): void {
		if (!this.relayStateSeen) return;
		this.clearConfirmTimer();
		this.confirmTimer = setTimeout(() => {
			this.confirmTimer = null;
			this.sendStep1();
		}, this.opts.confirmDelayMs);
	}

	private clearConfirmTimer(): void {
		if (this.confirmTimer) clearTimeout(this.confirmTimer);
		this.confirmTimer = null;
	}
}
