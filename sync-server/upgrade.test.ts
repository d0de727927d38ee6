import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { AuthResult } from './auth';
import { admit, originAllowed, Refusal, routeOf } from './upgrade';

const req = (headers: Record<string, string>, url = '/sync'): IncomingMessage =>
	({ url, headers: { host: 'clinic.local:8080', ...headers } }) as unknown as IncomingMessage;

const granted: AuthResult = {
	ok: true,
	claims: { sub: 'u', role: 'r', clinic: 'c', docs: ['schedule/'], access: 'write' },
	expiresAt: Date.now() + 60_000
};
const gate = {
	verify: async (t: string): Promise<AuthResult> => (t === 'good' ? granted : { ok: false, reason: 'bad' }),
	allowedOrigins: ['https://desk.example'],
	isClosing: () => false
};
const protocols = (token: string) => ({ 'sec-websocket-protocol': `clinicdesk.v1, bearer.${token}` });

describe('upgrade admission', () => {
	it('routes /sync and /sync/<doc>, ignoring the query string', () => {
		expect(routeOf('/sync')).toEqual({ kind: 'mux' });
		expect(routeOf('/sync/schedule/2026-11?x=1')).toEqual({ kind: 'doc', docName: 'schedule/2026-11' });
		expect(routeOf('/healthz')).toBeNull();
		expect(routeOf('/synchronize')).toBeNull();
	});

	it('allows no Origin, the own host, and allow-listed origins only', () => {
		expect(originAllowed(req({}), [])).toBe(true);
		expect(originAllowed(req({ origin: 'http://clinic.local:8080' }), [])).toBe(true);
		expect(originAllowed(req({ origin: 'https://clinic.local:8080' }), [])).toBe(true);
		expect(originAllowed(req({ origin: 'http://clinic.local:9090' }), [])).toBe(false);
		expect(originAllowed(req({ origin: 'https://desk.example' }), ['https://desk.example'])).toBe(true);
		expect(originAllowed(req({ origin: 'null' }), [])).toBe(false);
		expect(originAllowed(req({ origin: 'file://clinic.local:8080' }), [])).toBe(false);
	});

	it('refuses in order: path, origin, token, document', async () => {
		const status = async (r: IncomingMessage) => {
			const out = await admit(r, gate);
			return out instanceof Refusal ? out.status : 101;
		};
		expect(await status(req(protocols('good'), '/nope'))).toBe(404);
		expect(await status(req({ ...protocols('good'), origin: 'https://evil.example' }))).toBe(403);
		expect(await status(req({}))).toBe(401);
		expect(await status(req({ 'sec-websocket-protocol': 'clinicdesk.v1' }))).toBe(401);
		expect(await status(req(protocols('bad')))).toBe(401);
		expect(await status(req({ 'sec-websocket-protocol': 'bearer.good' }))).toBe(400);
		expect(await status(req(protocols('good'), '/sync/patients/1'))).toBe(403);
		expect(await status(req(protocols('good'), '/sync/schedule/26-1'))).toBe(404);
		expect(await status(req(protocols('good'), '/sync/schedule/2026-11'))).toBe(101);
		expect(await status(req(protocols('good')))).toBe(101);
		expect(await admit(req(protocols('good')), { ...gate, isClosing: () => true })).toMatchObject({
			status: 503
		});
	});
});
