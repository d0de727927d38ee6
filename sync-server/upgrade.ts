/**
 * Decides, before any WebSocket exists, whether an upgrade request may become a sync socket:
 * the path (`/sync` or `/sync/<document name>`), the Origin (absent, same host, or allow-listed —
 * a browser page elsewhere must not ride a workstation's network position), the token (in the
 * `bearer.<jwt>` subprotocol next to `clinicdesk.v1`) and, for a single document, whether the
 * token grants it. A refusal is a plain HTTP response and the TCP connection is closed.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { mayOpen } from '../src/lib/domain/sync/claims';
import { isDocName } from '../src/lib/domain/sync/docnames';
import { parseSubprotocols, SUBPROTOCOL } from '../src/lib/domain/sync/mux';
import type { AuthResult, Verifier } from './auth';
import { log } from './log';

export type Route = { kind: 'mux' } | { kind: 'doc'; docName: string };

export interface Admitted {
	route: Route;
	grant: Extract<AuthResult, { ok: true }>;
}

export interface UpgradeGate {
	verify: Verifier;
	allowedOrigins: string[];
	isClosing(): boolean;
}

export class Refusal {
	constructor(
		readonly status: number,
		readonly reason: string
	) {}
}

export function routeOf(url: string | undefined): Route | null {
	const path = (url ?? '').split('?')[0] ?? '';
	if (path === '/sync' || path === '/sync/') return { kind: 'mux' };
	if (path.startsWith('/sync/')) return { kind: 'doc', docName: path.slice('/sync/'.length) };
	return null;
}

/** An Origin is acceptable if absent (not a browser), the relay's own host, or allow-listed. */
export function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
	const origin = req.headers.origin;
	if (origin === undefined) return true;
	if (allowed.includes(origin)) return true;
	try {
		const url = new URL(origin);
		const host = req.headers.host?.toLowerCase();
		return (url.protocol === 'http:' || url.protocol === 'https:') && host !== undefined && url.host === host;
	} catch {
		return false;
	}
}

export async function admit(req: IncomingMessage, gate: UpgradeGate): Promise<Admitted | Refusal> {
	const route = routeOf(req.url);
	if (!route) return new Refusal(404, 'not-found');
	if (gate.isClosing()) return new Refusal(503, 'closing');
	if (!originAllowed(req, gate.allowedOrigins)) return new Refusal(403, 'origin');
	const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
	const { ours, token } = parseSubprotocols(offered);
	if (token === null || token === '') return new Refusal(401, 'no-token');
	if (!ours) return new Refusal(400, 'subprotocol');
	const grant = await gate.verify(token);
	if (!grant.ok) return new Refusal(401, grant.reason);
	if (route.kind === 'doc') {
		if (!isDocName(route.docName)) return new Refusal(404, 'not-a-document');
		if (!mayOpen(grant.claims, route.docName)) return new Refusal(403, 'forbidden');
	}
	return { route, grant };
}

/** The chosen subprotocol: only ours, never the bearer entry (it would echo the token back). */
export function chooseProtocol(protocols: Set<string>): string | false {
	return protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false;
}

export function refuse(socket: Duplex, refusal: Refusal, req: IncomingMessage): void {
	const route = routeOf(req.url);
	log.info('upgrade-refused', {
		status: refusal.status,
		reason: refusal.reason,
		doc: route?.kind === 'doc' && isDocName(route.docName) ? route.docName : undefined
	});
	if (!socket.writable) {
		socket.destroy();
		return;
	}
	const body = `${STATUS_CODES[refusal.status] ?? 'Refused'}\n`;
	socket.once('finish', () => socket.destroy());
	socket.end(
		`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Refused'}\r\n` +
			'Connection: close\r\n' +
			'Content-Type: text/plain; charset=utf-8\r\n' +
			'Cache-Control: no-store\r\n' +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
	);
}
