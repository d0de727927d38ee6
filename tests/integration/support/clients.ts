/** Test clients: tokens made the way the relay makes them, and stock y-websocket providers. */
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../../src/lib/domain/sync/claims';
import { subprotocolsFor } from '../../../src/lib/domain/sync/mux';
import type { RelayIdentityForTests } from './relay';

export interface TokenOptions {
	sub?: string;
	role?: string;
	docs?: string[];
	access?: 'read' | 'write';
	clinic?: string;
	ttlSeconds?: number;
	iatOffsetSeconds?: number;
	issuer?: string;
	audience?: string;
	secret?: string;
	alg?: 'HS256' | 'HS512';
	extra?: Record<string, unknown>;
}

export async function token(id: RelayIdentityForTests, o: TokenOptions = {}): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	const iat = now + (o.iatOffsetSeconds ?? 0);
	return new SignJWT({
		role: o.role ?? 'front-desk',
		clinic: o.clinic ?? id.clinicId,
		docs: o.docs ?? ['directory', 'schedule/', 'patients/'],
		access: o.access ?? 'write',
		...o.extra
	})
		.setProtectedHeader({ alg: o.alg ?? 'HS256', typ: 'JWT' })
		.setSubject(o.sub ?? 'user-1')
		.setIssuer(o.issuer ?? TOKEN_ISSUER)
		.setAudience(o.audience ?? TOKEN_AUDIENCE)
		.setIssuedAt(iat)
		.setExpirationTime(iat + (o.ttlSeconds ?? 3600))
		.sign(new TextEncoder().encode(o.secret ?? id.secret));
}

/** A token with `alg: none` and no signature, built by hand (jose refuses to make one). */
export function unsignedToken(id: RelayIdentityForTests): string {
	const now = Math.floor(Date.now() / 1000);
	const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${part({ alg: 'none', typ: 'JWT' })}.${part({
		sub: 'intruder',
		role: 'admin',
		clinic: id.clinicId,
		docs: ['*'],
		access: 'write',
		iss: TOKEN_ISSUER,
		aud: TOKEN_AUDIENCE,
		iat: now,
		exp: now + 3600
	})}.`;
}

export function provider(wsUrl: string, docName: string, doc: Y.Doc, jwt: string): WebsocketProvider {
	return new WebsocketProvider(wsUrl, docName, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		protocols: subprotocolsFor(jwt),
		// Node has BroadcastChannel: without this, providers in one process would sync around the relay.
		disableBc: true,
		maxBackoffTime: 200
	});
}

export function whenSynced(p: WebsocketProvider, timeoutMs = 10_000): Promise<void> {
	if (p.synced) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${p.roomname} did not sync`)), timeoutMs);
		p.once('sync', (s: boolean) => {
			if (s) {
				clearTimeout(timer);
				resolve();
			}
		});
	});
}

/** Polls until `check` holds (sync is asynchronous; a fixed sleep would be flaky or slow). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 20));
	}
}

export interface Outcome {
	status?: number;
	protocol?: string;
	closeCode?: number;
}

/** Tries an upgrade with the given subprotocols and reports how it ended: HTTP status or open. */
export function tryConnect(
	url: string,
	protocols: string[],
	headers: Record<string, string> = {}
): Promise<Outcome & { ws?: WebSocket; closed?: Promise<number> }> {
	return new Promise((resolve) => {
		const ws = new WebSocket(url, protocols, { headers });
		const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
		ws.on('unexpected-response', (_req, res) => {
			resolve({ status: res.statusCode });
			res.resume();
			ws.terminate();
		});
		ws.on('error', () => resolve({}));
		ws.on('open', () => resolve({ status: 101, protocol: ws.protocol, ws, closed }));
	});
}

export function closeOf(ws: WebSocket): Promise<number> {
	return new Promise((resolve) => {
		if (ws.readyState === ws.CLOSED) resolve(-1);
		ws.once('close', (code) => resolve(code));
	});
}

/** A y-websocket sync message (type 0) of the given step (1: step 2 reply, 2: update) carrying `update`. */
export function syncMessage(step: number, update: Uint8Array): Uint8Array {
	return new Uint8Array([0, step, ...varUint(update.length), ...update]);
}

function varUint(n: number): number[] {
	const out: number[] = [];
	while (n > 0x7f) {
		out.push(0x80 | (n & 0x7f));
		n >>>= 7;
	}
	out.push(n);
	return out;
}
