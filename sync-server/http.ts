import http from 'node:http';
import { serveTrace } from './bench-trace';
import type { RelayConfig } from './config';
import type { RequestHandler } from './login';
import { staticHandler } from './static';

export interface HealthInfo {
	status: 'ok';
	version: string;
	uptimeSeconds: number;
	/** Documents resident in the relay's memory and open sync sockets. */
	documents: number;
	connections: number;
}

export type StatsSource = () => { documents: number; connections: number };

/**
 * `auth` answers `/auth/…` (the relay's login API, login.ts) and `feeds` the calendar feeds
 * (`/feeds…`, `/ical/…`, feeds.ts); they are looked up per request because the relay is attached
 * after the server exists. Without them those paths are 503.
 */
export function createHttpServer(
	config: RelayConfig,
	version: string,
	stats: StatsSource = () => ({ documents: 0, connections: 0 }),
	auth: () => RequestHandler | undefined = () => undefined,
	feeds: () => RequestHandler | undefined = () => undefined
): http.Server {
	const serveApp = staticHandler(config.appDir);
	const started = Date.now();
	return http.createServer((req, res) => {
		const url = req.url ?? '/';
		if (serveTrace(req, res)) return;
		if (url === '/healthz' || url.startsWith('/healthz?')) {
			const body: HealthInfo = {
				status: 'ok',
				version,
				uptimeSeconds: Math.round((Date.now() - started) / 1000),
				...stats()
			};
			res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
			res.end(JSON.stringify(body));
			return;
		}
		if (url === '/sync' || url.startsWith('/sync/') || url.startsWith('/sync?')) {
			// The sync endpoints are WebSockets only; the SPA fallback must not answer here.
			res.writeHead(426, { Upgrade: 'websocket', 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
			res.end('Upgrade required');
			return;
		}
		const feedPath = url === '/feeds' || /^\/(feeds|ical)[/?]/.test(url);
		if (url === '/auth' || url.startsWith('/auth/') || url.startsWith('/auth?') || feedPath) {
			const handler = feedPath ? feeds() : auth();
			if (handler) return handler(req, res);
			res.writeHead(503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
			res.end(JSON.stringify({ error: 'unavailable' }));
			return;
		}
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
			res.end('Method not allowed');
			return;
		}
		serveApp(req, res, () => {
			res.writeHead(404, { 'Content-Type': 'text/plain' });
			res.end('Not found');
		});
	});
}
