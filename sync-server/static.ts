import type { IncomingMessage, ServerResponse } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import sirv from 'sirv';

/**
 * Serves the built PWA. Hashed files under /_app/immutable/ never change, so browsers may keep them
 * for a year; everything else (index.html, sw.js, the manifest, version.json) must be revalidated
 * on every load, or a workstation could be stuck on an old app shell.
 */
export function staticHandler(appDir: string) {
	if (!fs.existsSync(path.join(appDir, 'index.html'))) {
		throw new Error(`No built app in ${appDir}: run "npm run build" (npm start does it for you)`);
	}
	return sirv(appDir, {
		single: 'index.html',
		etag: true,
		gzip: false,
		brotli: false,
		setHeaders(res, pathname) {
			res.setHeader('X-Content-Type-Options', 'nosniff');
			res.setHeader('Referrer-Policy', 'no-referrer');
			if (pathname.startsWith('/_app/immutable/')) {
				res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
			} else {
				res.setHeader('Cache-Control', 'no-cache');
			}
			if (pathname.endsWith('.html') || pathname === '/') {
				res.setHeader('X-Frame-Options', 'DENY');
			}
		}
	}) as (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;
}
