/**
 * Attaches the sync endpoints to the app's HTTP server: upgrades on `/sync` and `/sync/<doc>` are
 * admitted (upgrade.ts), then become a MuxConnection or a DocConnection over one shared
 * DocManager; the login API (`/auth/…`, login.ts) reads the keyring through the same DocManager.
 * Calendar feeds (`/feeds…`, `/ical/…`, feeds.ts) use the store only.
 * `shutdown` closes every socket with 4500 (transient: clients reconnect to the next relay),
 * flushes every document to the store and closes it.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions } from 'ws';
import { CloseCode } from '../src/lib/domain/sync/mux';
import { createVerifier, type Verifier } from './auth';
import type { RelayConfig } from './config';
import type { SyncConnection } from './connection';
import { DocConnection } from './doc-connection';
import { DocManager } from './docs';
import type { RelayIdentity } from './identity';
import { log } from './log';
import { createAuditLogsHandler } from './audit-logs';
import { createFeedsHandler } from './feeds';
import { createLoginHandler, type RequestHandler } from './login';
import { MuxConnection } from './mux-connection';
import type { DocStore, FeedStore, RefreshTokenStore } from './store/types';
import { admit, chooseProtocol, refuse, Refusal, routeOf } from './upgrade';

export interface RelayStats {
	documents: number;
	connections: number;
}

export interface Relay {
	stats(): RelayStats;
	docs: DocManager;
	/** Answers the login API (`/auth/…`, login.ts); the HTTP server hands those requests here. */
	handleAuth: RequestHandler;
	/** Answers calendar feeds (`/feeds…`, `/ical/…`, feeds.ts). */
	handleFeeds: RequestHandler;
	/** Stops admitting sockets, closes the open ones, flushes documents and closes the store. */
	shutdown(): Promise<void>;
}

export interface RelayDeps {
	config: RelayConfig;
	identity: RelayIdentity;
	/** Documents, the refresh tokens the login API issues, and the calendar feeds. */
	store: DocStore & RefreshTokenStore & FeedStore;
}

export function attachRelay(server: http.Server, { config, identity, store }: RelayDeps): Relay {
	const limits = config.sync;
	const verify: Verifier = createVerifier(identity, limits.tokenMaxAgeSeconds);
	const docs = new DocManager(store, limits);
	const connections = new Set<SyncConnection>();
	let closing = false;
	// `closeTimeout` (ws ≥ 8.18, not yet in @types/ws): a peer that never answers our close frame
	// holds its socket for 5 s instead of ws's default 30 s.
	const options: ServerOptions & { closeTimeout: number } = {
		noServer: true,
		maxPayload: limits.maxPayload,
		perMessageDeflate: false,
		clientTracking: false,
		closeTimeout: 5000,
		handleProtocols: chooseProtocol
	};
	const wss = new WebSocketServer(options);
	wss.on('error', (err) => log.error('wss-error', { error: err.name }));
	// ws hands malformed handshakes (bad key, version, duplicate subprotocols) to this listener
	// instead of answering them itself.
	wss.on('wsClientError', (err: Error & { code?: string }, socket: Duplex, req: http.IncomingMessage) => {
		log.debug('handshake-error', { code: err.code ?? err.name });
		refuse(socket, new Refusal(400, 'handshake'), req);
	});
	const deps = { docs, limits, verify, onClosed: (c: SyncConnection) => connections.delete(c) };
	const handleLogin = createLoginHandler({
		config,
		identity,
		docs,
		refresh: store,
		isClosing: () => closing
	});
	const handleAuditLogs = createAuditLogsHandler(verify, store);
	const handleFeeds = createFeedsHandler({ config, verify, store, isClosing: () => closing });
	const handleAuth: RequestHandler = (req, res) =>
		(req.url ?? '').split('?')[0] === '/auth/audit-logs' ? handleAuditLogs(req, res) : handleLogin(req, res);

	/**
	 * Browsers hide the HTTP status of a refused WebSocket handshake (it surfaces as close code 1006,
	 * like a network failure), so a workstation whose token expired while it was offline could not
	 * tell "sign in again" from "server unreachable". The multiplexed endpoint therefore completes the
	 * handshake and closes at once with 4401, before reading a single frame.
	 */
	const signInAgain = (req: http.IncomingMessage, socket: Duplex, head: Buffer, refusal: Refusal) => {
		log.info('upgrade-refused', { status: 4401, reason: refusal.reason });
		wss.handleUpgrade(req, socket, head, (ws) => {
			ws.on('error', () => undefined);
			ws.close(CloseCode.unauthorized, 'sign-in required');
		});
	};

	const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', (err: Error & { code?: string }) => {
			log.debug('upgrade-socket-error', { code: err.code ?? err.name });
		});
		admit(req, { verify, allowedOrigins: config.allowedOrigins, isClosing: () => closing })
			.then((result) => {
				if (result instanceof Refusal) {
					if (result.status === 401 && routeOf(req.url)?.kind === 'mux')
						return signInAgain(req, socket, head, result);
					return refuse(socket, result, req);
				}
				if (closing) return refuse(socket, new Refusal(503, 'closing'), req);
				wss.handleUpgrade(req, socket, head, (ws) => {
					if (closing) {
						ws.on('error', () => undefined);
						ws.close(CloseCode.goingAway, 'relay restarting');
						return;
					}
					const conn =
						result.route.kind === 'mux'
							? new MuxConnection(ws, result.grant, deps, socket)
							: new DocConnection(ws, result.grant, deps, result.route.docName, socket);
					connections.add(conn);
					log.info('conn-opened', {
						conn: conn.id,
						user: result.grant.claims.sub,
						role: result.grant.claims.role,
						access: result.grant.claims.access,
						doc: result.route.kind === 'doc' ? result.route.docName : undefined
					});
				});
			})
			.catch((e: unknown) => {
				log.error('upgrade-failed', { error: e instanceof Error ? e.name : 'unknown' });
				socket.destroy();
			});
	};
	server.on('upgrade', onUpgrade);

	return {
		docs,
		handleAuth,
		handleFeeds,
		stats: () => ({ documents: docs.resident, connections: connections.size }),
		async shutdown() {
			closing = true;
			server.off('upgrade', onUpgrade);
			const open = [...connections];
			for (const conn of open) conn.close(CloseCode.goingAway, 'relay restarting');
			await docs.closeAll();
			await store.close();
			// Give close frames a moment to be answered; stragglers are dropped.
			await Promise.race([
				Promise.all(open.map((c) => c.closed)),
				new Promise((r) => setTimeout(r, 1000).unref())
			]);
			for (const conn of open) conn.terminate();
			wss.close();
		}
	};
}
