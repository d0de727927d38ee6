import http from 'node:http';
import type { RelayConfig } from './config';
import { staticHandler } from './static';

export interface HealthInfo {
	status: 'ok';
	version: string;
	uptimeSeconds: number;
}

export function createHttpServer(config: RelayConfig, version: string): http.Server {
	const serveApp = staticHandler(config.appDir);
	const started = Date.now();
	return http.createServer((req, res) => {
		const url = req.url ?? '/';
		if (url === '/healthz' || url.startsWith('/healthz?')) {
			const body: HealthInfo = {
				status: 'ok',
				version,
				uptimeSeconds: Math.round((Date.now() - started) / 1000)
			};
			res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
			res.end(JSON.stringify(body));
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
