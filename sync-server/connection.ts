/**
 * What both sync endpoints do with a socket before any document is involved: every socket gets an
 * 'error' listener (ws reports bad frames — RSV bits, bad opcodes, oversized lengths — as errors
 * and closes with 1002/1009; without a listener that error would be thrown and end the process),
 * text frames close the connection (1003), a token bucket caps messages and bytes (4529), the
 * token's expiry closes the connection (4401), and a peer that stops reading is cut off before
 * its unsent backlog grows without bound. Subclasses see only whole binary messages, copied.
 *
 * Given the socket under the WebSocket, a connection corks it from its first send in a turn of the
 * event loop until the end of that turn (setImmediate), so everything sent to one peer in one turn
 * leaves in one writev system call instead of a write each. Under load a turn handles many updates,
 * each fanned out to every subscriber; those calls had become the largest cost in the relay's
 * throughput benchmark. A lone message waits only for the rest of its turn.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../src/lib/domain/sync/mux';
import type { SyncClaims } from '../src/lib/domain/sync/claims';
import type { Verifier } from './auth';
import { benchTrace } from './bench-trace';
import type { SyncLimits } from './config';
import type { DocManager } from './docs';
import { log } from './log';
import { ConnectionLimiter } from './ratelimit';

export interface ConnectionDeps {
	docs: DocManager;
	limits: SyncLimits;
	verify: Verifier;
	onClosed(conn: SyncConnection): void;
}

export interface Grant {
	claims: SyncClaims;
	expiresAt: number;
}

const WS_UNSUPPORTED_DATA = 1003;
const WS_INTERNAL_ERROR = 1011;
/** setTimeout's largest delay; longer expiries are re-armed when it fires. */
const MAX_TIMER = 2 ** 31 - 1;

let nextId = 1;

/** Turns of the event loop in which something was sent (see `sendRaw`'s backlog check). */
let turn = 0;
let turnEnding = false;

function currentTurn(): number {
	if (!turnEnding) {
		turnEnding = true;
		setImmediate(() => {
			turnEnding = false;
			turn += 1;
		});
	}
	return turn;
}

/** Sockets corked in this turn of the event loop; all are uncorked at its end. */
const corked = new Set<Duplex>();

function corkForThisTurn(socket: Duplex): void {
	if (corked.has(socket)) return;
	if (corked.size === 0) setImmediate(uncorkAll);
	socket.cork();
	corked.add(socket);
}

function uncorkAll(): void {
	const start = benchTrace.enabled ? benchTrace.now() : 0;
	const sockets = [...corked];
	corked.clear();
	for (const socket of sockets) socket.uncork();
	if (benchTrace.enabled) benchTrace.record('flush', start, sockets.length);
}

export abstract class SyncConnection {
	readonly id = nextId++;
	protected claims: SyncClaims;
	private expiresAt = 0;
	private expiryTimer?: NodeJS.Timeout;
	private readonly limiter: ConnectionLimiter;
	private ended = false;
	/** The unsent bytes when this connection's first send of the turn `backlogTurn` began. */
	private backlog = 0;
	private backlogTurn = -1;
	/** Resolves once the socket has closed (whoever closed it). */
	readonly closed: Promise<void>;

	/** `socket`: the one under `ws` (as handed to ws's handleUpgrade), so that sends can be corked. */
	constructor(
		protected readonly ws: WebSocket,
		grant: Grant,
		protected readonly deps: ConnectionDeps,
		private readonly socket?: Duplex
	) {
		this.claims = grant.claims;
		this.limiter = new ConnectionLimiter(deps.limits);
		this.closed = new Promise((resolve) => {
			ws.on('close', () => {
				this.end();
				resolve();
			});
		});
		ws.on('error', (err: Error & { code?: string }) => {
			log.info('socket-error', { conn: this.id, code: err.code ?? err.name });
		});
		ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
		// ws answers pings itself; they still count against the limits, or a ping flood would be free.
		ws.on('ping', (data: Buffer) => {
			if (!this.ended && !this.limiter.admit(data.length)) this.close(CloseCode.rateLimited, 'rate limited');
		});
		this.armExpiry(grant.expiresAt);
	}

	get userId(): string {
		return this.claims.sub;
	}

	get isOpen(): boolean {
		return !this.ended;
	}

	/** Closes the connection with a WebSocket close code; later calls do nothing. */
	close(code: number, reason: string): void {
		if (this.ended) return;
		this.end();
		if (code !== CloseCode.goingAway)
			log.info('conn-closed', { conn: this.id, user: this.userId, code, reason });
		try {
			this.ws.close(code, reason);
		} catch {
			this.ws.terminate();
		}
	}

	/** Drops the socket at once (shutdown stragglers). */
	terminate(): void {
		this.end();
		this.ws.terminate();
	}

	protected sendRaw(bytes: Uint8Array): void {
		if (this.ended || this.ws.readyState !== this.ws.OPEN) return;
		// A peer that stops reading would make the relay buffer every update for it forever. What counts
		// is what it left unread before this turn: the answers to one message asking for many documents
		// all go out in one (corked) turn, and a new workstation's first sync was cut off for that.
		const now = currentTurn();
		if (this.backlogTurn !== now) {
			this.backlogTurn = now;
			this.backlog = this.ws.bufferedAmount;
		}
		if (this.backlog > 4 * this.deps.limits.maxPayload) {
			this.close(CloseCode.goingAway, 'too slow');
			return;
		}
		if (this.socket) corkForThisTurn(this.socket);
		this.ws.send(bytes);
	}

	protected replaceGrant(grant: Grant): void {
		this.claims = grant.claims;
		this.armExpiry(grant.expiresAt);
	}

	/**
	 * Runs asynchronous work for this connection. An unexpected rejection would otherwise be
	 * unhandled, and Node ends the process on those: it costs this connection only.
	 */
	protected guard(work: Promise<unknown>): void {
		work.catch((e: unknown) => {
			log.error('conn-handler-error', { conn: this.id, error: e instanceof Error ? e.name : 'unknown' });
			this.close(WS_INTERNAL_ERROR, 'internal error');
		});
	}

	protected abstract handle(bytes: Uint8Array): void;
	/** Lets go of every document; called once, when the connection ends. */
	protected abstract release(): void;

	private onMessage(data: RawData, isBinary: boolean): void {
		if (this.ended) return;
		if (!isBinary) {
			this.close(WS_UNSUPPORTED_DATA, 'binary frames only');
			return;
		}
		const bytes = copyOf(data);
		if (!this.limiter.admit(bytes.length)) {
			this.close(CloseCode.rateLimited, 'rate limited');
			return;
		}
		try {
			this.handle(bytes);
		} catch (e) {
			// Decoding errors are handled where they occur; reaching here is a relay bug, and it must
			// cost this connection only.
			log.error('conn-handler-error', { conn: this.id, error: e instanceof Error ? e.name : 'unknown' });
			this.close(WS_INTERNAL_ERROR, 'internal error');
		}
	}

	private armExpiry(expiresAt: number): void {
		clearTimeout(this.expiryTimer);
		this.expiresAt = expiresAt;
		const delay = expiresAt - Date.now();
		const fire = () => {
			if (Date.now() >= this.expiresAt) this.close(CloseCode.unauthorized, 'token expired');
			else this.armExpiry(this.expiresAt);
		};
		this.expiryTimer = setTimeout(fire, Math.max(0, Math.min(delay, MAX_TIMER)));
		this.expiryTimer.unref();
	}

	private end(): void {
		if (this.ended) return;
		this.ended = true;
		clearTimeout(this.expiryTimer);
		try {
			this.release();
		} finally {
			this.deps.onClosed(this);
		}
	}
}

/** A private copy: Yjs keeps views into applied updates, which would otherwise pin socket buffers. */
function copyOf(data: RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
	return new Uint8Array(data);
}
