/**
 * The login API's parts in-process: the attempt limiter, refresh-token rotation over both stores,
 * the keyring view, and the HTTP handler's edges (limits, origins, shutdown) on a relay attached to
 * an in-memory store. The whole flow with keyrings made by the app is tests/integration/login.test.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Keybag } from '../src/lib/domain/security/users';
import { KeyedLimiter } from './auth-limits';
import { loadConfig } from './config';
import { createHttpServer } from './http';
import { canonical, onlyPassphraseChanged, readKeyring, writePassphraseChange } from './keyring-view';
import { RefreshTokens } from './refresh-store';
import { attachRelay, type Relay } from './relay';
import { MemoryStore } from './store/memory';
import { SqliteStore } from './store/sqlite';
import type { RefreshTokenStore } from './store/types';

const NOW = '2026-01-05T10:00:00.000Z';
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function bagFor(id: string, authKey: Uint8Array): Keybag {
	return {
		id,
		updatedAt: NOW,
		kdf: 'PBKDF2-SHA256',
		iterations: 600_000,
		salt: crypto.randomBytes(16).toString('base64'),
		verifier: sha256(authKey),
		publicKey: crypto.randomBytes(64).toString('base64'),
		privateKey: { iv: 'AAAAAAAAAAAAAAAA', sealed: crypto.randomBytes(48).toString('base64') },
		keys: { schedule: [{ version: 1, wrapped: 'AAAA' }] }
	};
}

function userRecord(id: string, username: string, role: string, extra: Record<string, unknown> = {}) {
	return { id, createdAt: NOW, updatedAt: NOW, username, displayName: 'Test User', role, ...extra };
}

function put(doc: Y.Doc, collection: string, record: { id: string; [k: string]: unknown }): void {
	const m = new Y.Map<unknown>();
	for (const [k, v] of Object.entries(record)) m.set(k, JSON.parse(JSON.stringify(v)));
	doc.getMap(collection).set(record.id, m);
}

describe('KeyedLimiter', () => {
	it('allows a burst per key, then says how long to wait, and refills', () => {
		let t = 0;
		const limiter = new KeyedLimiter(10, 3, () => t);
		expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([0, 0, 0]);
		expect(limiter.take('a')).toBe(6); // one token per 6 s at 10 a minute
		expect(limiter.take('b')).toBe(0);
		t += 6000;
		expect(limiter.take('a')).toBe(0);
		expect(limiter.take('a')).toBeGreaterThan(0);
	});

	it('stays bounded, dropping refilled buckets first', () => {
		let t = 0;
		const limiter = new KeyedLimiter(60, 2, () => t, 100);
		limiter.take('hot');
		limiter.take('hot');
		for (let i = 0; i < 500; i++) limiter.take(`k${i}`);
		expect(limiter.size).toBeLessThanOrEqual(100);
		t += 10;
		// 'hot' was not full, but the map had to shrink: the oldest went too. New keys still work.
		expect(limiter.take('new')).toBe(0);
	});
});

const stores: [string, () => RefreshTokenStore & { close(): Promise<void> }][] = [
	['memory', () => new MemoryStore()],
	[
		'sqlite',
		() => new SqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'refresh-')), 'relay.sqlite'))
	]
];

describe.each(stores)('RefreshTokens over the %s store', (_name, make) => {
	it('rotates once per token and revokes the family on reuse', async () => {
		const store = make();
		let t = 1_000_000;
		const tokens = new RefreshTokens(store, 60_000, () => t);
		const a = await tokens.issue('user-1', 'device-0001');
		const other = await tokens.issue('user-1', 'device-0002');
		expect(a.token).toMatch(/^[\w-]{43}$/);
		expect(a.expiresAt).toBe(t + 60_000);
		const checked = await tokens.check(a.token);
		expect(checked).toMatchObject({ ok: true, row: { userId: 'user-1', deviceId: 'device-0001' } });
		if (!checked.ok) throw new Error('unreachable');
		expect(checked.row.hash).not.toContain(a.token);
		const b = await tokens.rotate(checked.row);
		expect(b?.family).toBe(a.family);
		// A second redemption of the same row (a race) fails and revokes.
		expect(await tokens.rotate(checked.row)).toBeNull();
		expect(await tokens.check(b!.token)).toMatchObject({ ok: false, reason: 'reused' });
		expect(await tokens.check(a.token)).toMatchObject({ ok: false, reason: 'reused' });
		expect((await tokens.check(other.token)).ok).toBe(true);
		expect(await tokens.check('x'.repeat(43))).toEqual({ ok: false, reason: 'unknown' });
		expect(await tokens.check('not a token')).toEqual({ ok: false, reason: 'unknown' });
		t += 60_000;
		expect(await tokens.check(other.token)).toMatchObject({ ok: false, reason: 'expired' });
		t += 1;
		expect(await store.pruneRefresh(t)).toBe(3);
		await store.close();
	});
});

describe('keyring view', () => {
	it('reads valid, undeleted records, and the policy with the smallest id', () => {
		const doc = new Y.Doc();
		const key = crypto.randomBytes(32);
		const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
		doc.transact(() => {
			put(doc, 'users', userRecord(ids[0]!, 'ada', 'administrator'));
			put(doc, 'users', userRecord(ids[1]!, 'gone', 'billing', { deletedAt: NOW }));
			put(doc, 'users', userRecord(ids[2]!, 'broken', 'no-such-role'));
			put(doc, 'keybags', bagFor(ids[0]!, key));
			const roles = JSON.parse(JSON.stringify(readKeyring(new Y.Doc()).policy.roles));
			roles['front-desk'].billing = 'write';
			put(doc, 'policy', { id: 'ffffffff-0000-4000-8000-000000000000', updatedAt: NOW });
			put(doc, 'policy', { id: '11111111-0000-4000-8000-000000000000', updatedAt: NOW, roles });
		});
		const view = readKeyring(doc);
		expect(view.users.map((u) => u.username)).toEqual(['ada']);
		expect(view.byUsername('gone')).toEqual([]);
		expect(view.bag(ids[0]!)?.verifier).toBe(sha256(key));
		expect(view.policy.id).toBe('11111111-0000-4000-8000-000000000000');
		expect(view.policy.roles['front-desk'].billing).toBe('write');
		expect(readKeyring(new Y.Doc()).policy.roles['front-desk'].billing).toBe('none');
	});

	it('accepts only passphrase fields as changed, and writes only what changed', () => {
		const id = crypto.randomUUID();
		const bag = bagFor(id, crypto.randomBytes(32));
		const next: Keybag = {
			...bagFor(id, crypto.randomBytes(32)),
			publicKey: bag.publicKey,
			keys: bag.keys,
			iterations: bag.iterations,
			updatedAt: '2026-02-01T00:00:00.000Z'
		};
		expect(onlyPassphraseChanged(bag, next)).toBe(true);
		expect(onlyPassphraseChanged(bag, { ...next, publicKey: 'AAAA' })).toBe(false);
		expect(onlyPassphraseChanged(bag, { ...next, keys: {} })).toBe(false);
		expect(canonical({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(canonical({ a: [{ c: 2, d: 1 }], b: 1 }));

		const doc = new Y.Doc();
		put(doc, 'users', userRecord(id, 'ada', 'administrator', { mustChangePassphrase: true }));
		put(doc, 'keybags', bag);
		const changed: string[] = [];
		doc.getMap('keybags').observeDeep((events) => {
			for (const e of events) for (const k of e.changes.keys.keys()) changed.push(k);
		});
		let origin: unknown;
		doc.on('afterTransaction', (tr: Y.Transaction) => (origin = tr.origin));
		writePassphraseChange(doc, next, '2026-02-01T00:00:00.000Z', 'me');
		expect(changed.sort()).toEqual(['privateKey', 'salt', 'updatedAt', 'verifier']);
		expect(origin).toBe('me');
		const view = readKeyring(doc);
		expect(view.bag(id)).toEqual(next);
		expect(view.userById(id)).toMatchObject({
			mustChangePassphrase: false,
			updatedAt: '2026-02-01T00:00:00.000Z'
		});
	});
});

describe('login API over HTTP (in-process relay)', () => {
	let server: http.Server | undefined;
	let relay: Relay | undefined;

	afterEach(async () => {
		await relay?.shutdown();
		await new Promise((r) => server?.close(r));
		server = relay = undefined;
	});

	async function start(env: Record<string, string> = {}) {
		const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'login-app-'));
		fs.writeFileSync(path.join(appDir, 'index.html'), '<!doctype html>');
		const config = loadConfig({ ...env, PORT: '0' }, appDir);
		const identity = { key: new TextEncoder().encode('k'.repeat(40)), clinicId: 'clinic-1' };
		const store = new MemoryStore();
		server = createHttpServer(config, 'test', undefined, () => relay?.handleAuth);
		relay = attachRelay(server, { config, identity, store });
		await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
		const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		const authKey = crypto.randomBytes(32);
		const id = crypto.randomUUID();
		const shared = await relay.docs.acquire('keyring');
		shared.doc.transact(() => {
			put(shared.doc, 'users', userRecord(id, 'ada', 'administrator'));
			put(shared.doc, 'keybags', bagFor(id, authKey));
		});
		relay.docs.release(shared);
		const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
			fetch(`${base}${p}`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', ...headers },
				body: JSON.stringify(body)
			});
		const login = { username: 'ada', authKey: authKey.toString('base64'), deviceId: 'desk-0001' };
		return { base, post, login, id, store };
	}

	it('logs in and keeps only the hash of the refresh token', async () => {
		const { post, login, id, store } = await start({ ACCESS_TOKEN_SECONDS: '120' });
		const res = await post('/auth/login', login);
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		const body = (await res.json()) as { refreshToken: string; expiresAt: number; userId: string };
		expect(body.userId).toBe(id);
		expect(body.expiresAt - Date.now()).toBeLessThanOrEqual(120_000);
		expect(body.expiresAt - Date.now()).toBeGreaterThan(100_000);
		const hash = crypto.createHash('sha256').update(body.refreshToken).digest('hex');
		expect(await store.findRefresh(hash)).toMatchObject({ userId: id, deviceId: 'desk-0001', usedAt: null });
	});

	it('limits requests per address with 429 and Retry-After', async () => {
		const { post } = await start({ AUTH_RATE_REQUESTS: '6', AUTH_RATE_REQUEST_BURST: '3' });
		const statuses: number[] = [];
		let retry: string | null = null;
		for (let i = 0; i < 5; i++) {
			const res = await post('/auth/prelogin', { username: `name${i}` });
			statuses.push(res.status);
			if (res.status === 429) retry = res.headers.get('retry-after');
		}
		expect(statuses).toEqual([200, 200, 200, 429, 429]);
		expect(Number(retry)).toBeGreaterThanOrEqual(1);
		expect(Number(retry)).toBeLessThanOrEqual(10);
	});

	it('refuses foreign origins, and answers an allow-listed one with CORS', async () => {
		const { base, post, login } = await start({ ALLOWED_ORIGINS: 'https://desk.example' });
		const evil = await post('/auth/login', login, { Origin: 'https://evil.example' });
		expect(evil.status).toBe(403);
		expect(await evil.json()).toEqual({ error: 'origin' });
		const ok = await post('/auth/login', login, { Origin: 'https://desk.example' });
		expect(ok.status).toBe(200);
		expect(ok.headers.get('access-control-allow-origin')).toBe('https://desk.example');
		const preflight = await fetch(`${base}/auth/login`, {
			method: 'OPTIONS',
			headers: { Origin: 'https://desk.example', 'Access-Control-Request-Method': 'POST' }
		});
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type');
		const other = await fetch(`${base}/auth/login`, { method: 'OPTIONS' });
		expect(other.status).toBe(405);
		expect((await fetch(`${base}/auth/nothing`, { method: 'POST' })).status).toBe(404);
	});

	it('answers 503 once the relay is shutting down', async () => {
		const { post, login } = await start();
		await relay!.shutdown();
		const res = await post('/auth/login', login);
		expect(res.status).toBe(503);
		relay = undefined;
	});
});
