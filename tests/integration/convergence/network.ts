/**
 * A simulated network between workstations and the in-process relay, in the spirit of Yjs's
 * TestConnector: nothing moves until the simulation says so.
 *
 * Each WebSocket is a Link with one FIFO queue per direction (a socket is ordered, like the TCP
 * stream under it). The simulation decides which queue delivers next, so messages interleave across
 * links in any order; when a handshake completes or fails; and when a link breaks. A broken link
 * loses whatever was queued on it, and each end notices at its own later moment (a relay can keep a
 * half-open socket to a workstation that has long reconnected). Closing is ordered like TCP: a close
 * frame arrives after the data sent before it.
 *
 * The workstation end is shaped like a browser WebSocket (what the sync client's MuxConnection and
 * y-websocket's provider drive); the relay end like a `ws` socket (what sync-server's connections
 * drive). Both are in-process objects, so a whole run is deterministic.
 */
import { EventEmitter } from 'node:events';

type Packet = { kind: 'data'; bytes: Uint8Array } | { kind: 'close'; code: number; reason: string };
export type Direction = 'toRelay' | 'toClient';

/** Accepts a handshake: returns the chosen subprotocol, or null to refuse it (an HTTP error). */
export type Acceptor = (end: RelayEnd, url: string, protocols: string[]) => string | null;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;
const ABNORMAL = 1006;

export class Link {
	state: 'connecting' | 'open' | 'done' = 'connecting';
	/** Whether each end still believes the socket is open. */
	clientUp = false;
	relayUp = false;
	/** The path between the ends is gone: whatever is sent now is lost. */
	broken = false;
	relayEnd: RelayEnd | null = null;
	readonly toRelay: Packet[] = [];
	readonly toClient: Packet[] = [];

	constructor(
		readonly id: number,
		readonly owner: string,
		readonly socket: ClientSocket,
		readonly url: string,
		readonly protocols: string[]
	) {}

	get label(): string {
		return `${this.owner}#${this.id}`;
	}
}

interface CloseEventLike {
	code: number;
	reason: string;
	wasClean: boolean;
}

/** The workstation's end: enough of a browser WebSocket for MuxConnection and WebsocketProvider. */
export class ClientSocket {
	static readonly CONNECTING = CONNECTING;
	static readonly OPEN = OPEN;
	static readonly CLOSING = 2;
	static readonly CLOSED = CLOSED;
	readonly CONNECTING = CONNECTING;
	readonly OPEN = OPEN;
	readonly CLOSING = 2;
	readonly CLOSED = CLOSED;
	readyState = CONNECTING;
	binaryType = 'arraybuffer';
	protocol = '';
	onopen: ((ev: object) => void) | null = null;
	onmessage: ((ev: { data: ArrayBuffer }) => void) | null = null;
	onclose: ((ev: CloseEventLike) => void) | null = null;
	onerror: ((ev: object) => void) | null = null;
	link!: Link;

	constructor(
		private readonly network: Network,
		owner: string,
		url: string,
		protocols: string[]
	) {
		network.dial(this, owner, url, protocols);
	}

	send(data: Uint8Array | ArrayBuffer): void {
		if (this.readyState === CONNECTING) throw new Error('InvalidStateError: still connecting');
		if (this.readyState !== OPEN) return;
		this.network.clientSend(this.link, data instanceof ArrayBuffer ? new Uint8Array(data) : data);
	}

	close(code = 1000, reason = ''): void {
		if (this.readyState === CLOSED) return;
		this.readyState = CLOSED;
		this.network.clientClose(this.link, code, reason);
		// A browser reports a local close later, to whoever still listens (both drivers detach first).
		queueMicrotask(() => this.onclose?.({ code, reason, wasClean: true }));
	}
}

/** The relay's end: the part of a `ws` WebSocket that sync-server's connections use. */
export class RelayEnd extends EventEmitter {
	readonly OPEN = OPEN;
	readyState = OPEN;

	constructor(
		private readonly network: Network,
		readonly link: Link
	) {
		super();
	}

	/** Bytes queued towards the workstation: the relay cuts off a peer that stops reading. */
	get bufferedAmount(): number {
		let n = 0;
		for (const p of this.link.toClient) if (p.kind === 'data') n += p.bytes.length;
		return n;
	}

	send(data: Uint8Array): void {
		this.network.relaySend(this.link, data);
	}

	close(code = 1005, reason = ''): void {
		this.network.relayClose(this.link, code, reason);
	}

	terminate(): void {
		this.network.relayClose(this.link, ABNORMAL, '');
	}
}

export class Network {
	acceptor: Acceptor = () => null;
	private readonly links = new Set<Link>();
	private nextId = 1;
	delivered = 0;

	/** A WebSocket class whose sockets belong to one workstation. */
	socketClass(owner: string): new (url: string | URL, protocols?: string | string[]) => ClientSocket {
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const network = this;
		return class extends ClientSocket {
			constructor(url: string | URL, protocols?: string | string[]) {
				super(network, owner, String(url), typeof protocols === 'string' ? [protocols] : (protocols ?? []));
			}
		};
	}

	dial(socket: ClientSocket, owner: string, url: string, protocols: string[]): void {
		const link = new Link(this.nextId++, owner, socket, url, protocols);
		socket.link = link;
		this.links.add(link);
	}

	pendingHandshakes(): Link[] {
		return [...this.links].filter((l) => l.state === 'connecting');
	}

	/** Non-empty queues, each named by its link and direction. */
	queues(): { link: Link; dir: Direction }[] {
		const out: { link: Link; dir: Direction }[] = [];
		for (const link of this.links) {
			if (link.toRelay.length > 0) out.push({ link, dir: 'toRelay' });
			if (link.toClient.length > 0) out.push({ link, dir: 'toClient' });
		}
		return out;
	}

	openLinks(): Link[] {
		return [...this.links].filter((l) => l.state === 'open' && !l.broken && l.clientUp && l.relayUp);
	}

	/** Ends of broken links that have not noticed yet. */
	unnoticed(): { link: Link; side: 'client' | 'relay' }[] {
		const out: { link: Link; side: 'client' | 'relay' }[] = [];
		for (const link of this.links) {
			if (!link.broken) continue;
			if (link.clientUp) out.push({ link, side: 'client' });
			if (link.relayUp) out.push({ link, side: 'relay' });
		}
		return out;
	}

	completeHandshake(link: Link, ok: boolean): void {
		if (link.state !== 'connecting') return;
		const end = new RelayEnd(this, link);
		if (ok) {
			link.state = 'open';
			link.relayUp = true;
			link.relayEnd = end;
			const protocol = this.acceptor(end, link.url, link.protocols);
			if (protocol !== null) {
				link.clientUp = true;
				link.socket.protocol = protocol;
				link.socket.readyState = OPEN;
				link.socket.onopen?.({});
				return;
			}
		}
		link.state = 'done';
		link.relayUp = false;
		this.links.delete(link);
		link.socket.readyState = CLOSED;
		link.socket.onerror?.({});
		link.socket.onclose?.({ code: ABNORMAL, reason: '', wasClean: false });
	}

	deliver(link: Link, dir: Direction): void {
		const packet = link[dir].shift();
		if (!packet) return;
		this.delivered += 1;
		if (dir === 'toRelay') {
			if (!link.relayUp || !link.relayEnd) return;
			if (packet.kind === 'data') link.relayEnd.emit('message', Buffer.from(packet.bytes), true);
			else this.relayGone(link, packet.code, packet.reason);
		} else {
			if (!link.clientUp) return;
			if (packet.kind === 'data') link.socket.onmessage?.({ data: packet.bytes.slice().buffer });
			else this.clientGone(link, packet.code, packet.reason);
		}
		this.retireIfDone(link);
	}

	/** The path fails: everything in flight is lost and each end finds out later (`notice`). */
	breakLink(link: Link): void {
		if (link.state !== 'open') return;
		link.broken = true;
		link.toRelay.length = 0;
		link.toClient.length = 0;
		this.retireIfDone(link);
	}

	notice(link: Link, side: 'client' | 'relay'): void {
		if (side === 'client') this.clientGone(link, ABNORMAL, '');
		else this.relayGone(link, ABNORMAL, '');
		this.retireIfDone(link);
	}

	/** The relay process died: its ends fall silent without running any handler. */
	relayDied(): void {
		for (const link of this.links) {
			if (!link.relayUp) continue;
			link.relayUp = false;
			link.broken = true;
			link.toRelay.length = 0;
			link.toClient.length = 0;
			this.retireIfDone(link);
		}
	}

	clientSend(link: Link, bytes: Uint8Array): void {
		if (link.state !== 'open' || link.broken || !link.relayUp) return;
		link.toRelay.push({ kind: 'data', bytes: bytes.slice() });
	}

	clientClose(link: Link, code: number, reason: string): void {
		link.clientUp = false;
		link.toClient.length = 0;
		if (link.state === 'connecting') link.state = 'done';
		else if (!link.broken && link.relayUp) link.toRelay.push({ kind: 'close', code, reason });
		this.retireIfDone(link);
	}

	relaySend(link: Link, bytes: Uint8Array): void {
		if (link.broken || !link.relayUp || !link.clientUp) return;
		link.toClient.push({ kind: 'data', bytes: bytes.slice() });
	}

	relayClose(link: Link, code: number, reason: string): void {
		if (!link.relayUp) return;
		link.relayUp = false;
		link.toRelay.length = 0;
		if (code === ABNORMAL) link.toClient.length = 0;
		if (!link.broken && link.clientUp) link.toClient.push({ kind: 'close', code, reason });
		const end = link.relayEnd;
		if (end) {
			end.readyState = CLOSED;
			// `ws` reports 'close' once the closing handshake is over; the connection has ended itself by then.
			queueMicrotask(() => end.emit('close', code, Buffer.from(reason)));
		}
		this.retireIfDone(link);
	}

	private clientGone(link: Link, code: number, reason: string): void {
		if (!link.clientUp) return;
		link.clientUp = false;
		link.toClient.length = 0;
		link.socket.readyState = CLOSED;
		if (code === ABNORMAL) link.socket.onerror?.({});
		link.socket.onclose?.({ code, reason, wasClean: code !== ABNORMAL });
	}

	private relayGone(link: Link, code: number, reason: string): void {
		if (!link.relayUp) return;
		link.relayUp = false;
		link.toRelay.length = 0;
		if (link.relayEnd) {
			link.relayEnd.readyState = CLOSED;
			link.relayEnd.emit('close', code, Buffer.from(reason));
		}
		this.retireIfDone(link);
	}

	private retireIfDone(link: Link): void {
		if (link.state === 'connecting') return;
		const queued = link.toRelay.length + link.toClient.length;
		if (!link.clientUp && !link.relayUp && queued === 0) {
			link.state = 'done';
			this.links.delete(link);
		}
	}
}
