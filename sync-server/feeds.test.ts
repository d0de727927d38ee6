/**
 * Calendar feeds' parts in-process: the feed store over both stores, the schema 2 → 3 migration,
 * and the HTTP handler's edges (rate limit, origins, logging) on a relay attached to an in-memory
 * store. The whole flow against the relay process is tests/integration/feeds.test.ts.
 */
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signToken } from './auth';
import { loadConfig } from './config';
import { feedLabel, feedTokenHash } from './feeds';
import { createHttpServer } from './http';
import { attachRelay, type Relay } from './relay';
import { MemoryStore } from './store/memory';
import { SqliteStore } from './store/sqlite';
import type { FeedStore } from './store/types';

const P1 = '10000000-0000-4000-8000-000000000001';
const P2 = '10000000-0000-4000-8000-000000000002';

function sqliteFile(): string {
	return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'feeds-store-')), 'relay.sqlite');
}

const stores: [string, () => FeedStore & { close(): Promise<void> }][] = [
	['memory', () => new MemoryStore()],
	['sqlite', () => new SqliteStore(sqliteFile())]
];

describe.each(stores)('feed store (%s)', (_name, make) => {
	it('stores feeds, finds them by token hash, publishes to live feeds of the provider only', async () => {
		const store = make();
		const feed = (id: string, providerId: string, createdAt: number) => ({
			id,
			tokenHash: feedTokenHash(`token-${id}`),
			providerId,
			label: `Feed ${id}`,
			createdBy: 'user-1',
			createdAt
		});
		await store.insertFeed(feed('b', P1, 2));
		await store.insertFeed(feed('a', P1, 1));
		await store.insertFeed(feed('c', P2, 3));
		await expect(
			store.insertFeed({ ...feed('d', P1, 4), tokenHash: feedTokenHash('token-a') })
		).rejects.toThrow();
		expect((await store.listFeeds()).map((f) => f.id)).toEqual(['a', 'b', 'c']);
		expect(await store.listFeeds()).not.toContainEqual(
			expect.objectContaining({ tokenHash: expect.anything() })
		);

		expect(await store.publishFeedBlocks(P1, 'America/Chicago', '[1]', 100)).toBe(2);
		expect(await store.feedByTokenHash(feedTokenHash('token-a'))).toMatchObject({
			id: 'a',
			blocksJson: '[1]',
			timeZone: 'America/Chicago',
			publishedAt: 100,
			revokedAt: null
		});
		expect((await store.feedByTokenHash(feedTokenHash('token-c')))?.blocksJson).toBeNull();
		expect(await store.feedByTokenHash(feedTokenHash('nope'))).toBeUndefined();

		expect(await store.revokeFeed('a', 200)).toMatchObject({ id: 'a', revokedAt: 200 });
		expect(await store.revokeFeed('a', 300)).toMatchObject({ revokedAt: 200 });
		expect(await store.revokeFeed('zzz', 300)).toBeUndefined();
		expect(await store.feedByTokenHash(feedTokenHash('token-a'))).toMatchObject({
			revokedAt: 200,
			blocksJson: null
		});
		expect(await store.publishFeedBlocks(P1, 'UTC', '[2]', 400)).toBe(1);
		expect((await store.feedByTokenHash(feedTokenHash('token-a')))?.blocksJson).toBeNull();
		await store.close();
	});
});

describe('SQLite schema 3', () => {
	it('adds calendar_feeds to a schema 2 database and keeps its refresh tokens', async () => {
		const file = sqliteFile();
		const db = new Database(file);
		db.exec(`CREATE TABLE refresh_tokens (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, device_id TEXT NOT NULL,
			family TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER)`);
		db.prepare('INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?, NULL)').run(
			'h1',
			'u1',
			'desk-0001',
			'f1',
			9
		);
		db.pragma('user_version = 2');
		db.close();
		const store = new SqliteStore(file);
		expect(await store.findRefresh('h1')).toMatchObject({ userId: 'u1' });
		expect(await store.listFeeds()).toEqual([]);
		await store.close();
		const after = new Database(file, { readonly: true });
		expect(after.pragma('user_version', { simple: true })).toBe(3);
		after.close();
	});
});

describe('feedLabel', () => {
	it("takes letters, spaces and . ' -, trimmed and collapsed; nothing else", () => {
		expect(feedLabel.parse("  Dr. Lee's \t phone ")).toBe("Dr. Lee's phone");
		expect(feedLabel.parse('Zoë Müller-Åberg')).toBe('Zoë Müller-Åberg');
		for (const bad of ['', ' ', 'Room 12', 'a'.repeat(61), '<b>', 'a;b', '.dots', 'x@y']) {
			expect(feedLabel.safeParse(bad).success, bad).toBe(false);
		}
	});
});

describe('feeds over HTTP (in-process relay)', () => {
	let server: http.Server | undefined;
	let relay: Relay | undefined;

	afterEach(async () => {
		vi.restoreAllMocks();
		await relay?.shutdown();
		await new Promise((r) => server?.close(r));
		server = relay = undefined;
	});

	async function start(env: Record<string, string> = {}) {
		const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'feeds-app-'));
		fs.writeFileSync(path.join(appDir, 'index.html'), '<!doctype html>');
		const config = loadConfig({ ...env, PORT: '0' }, appDir);
		const identity = { key: new TextEncoder().encode('k'.repeat(40)), clinicId: 'clinic-1' };
		server = createHttpServer(
			config,
			'test',
			undefined,
			() => relay?.handleAuth,
			() => relay?.handleFeeds
		);
		relay = attachRelay(server, { config, identity, store: new MemoryStore() });
		await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
		const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		const jwt = await signToken(identity, {
			sub: 'user-1',
			role: 'front-desk',
			docs: ['schedule/'],
			access: 'write',
			ttlSeconds: 600
		});
		const create = (headers: Record<string, string> = {}) =>
			fetch(`${base}/feeds`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json', ...headers },
				body: JSON.stringify({ providerId: P1, label: 'Lee phone' })
			});
		return { base, jwt, create };
	}

	it('limits feed requests per address with 429 and Retry-After', async () => {
		const { base, create } = await start({ AUTH_RATE_REQUESTS: '6', AUTH_RATE_REQUEST_BURST: '3' });
		const { token } = (await (await create()).json()) as { token: string };
		const statuses: number[] = [];
		let retry: string | null = null;
		for (let i = 0; i < 5; i++) {
			const res = await fetch(`${base}/ical/${token}.ics`);
			statuses.push(res.status);
			if (res.status === 429) retry = res.headers.get('retry-after');
		}
		expect(statuses).toEqual([200, 200, 200, 429, 429]);
		expect(Number(retry)).toBeGreaterThanOrEqual(1);
		// Unknown tokens count too (guessing is limited as much as fetching).
		expect((await fetch(`${base}/ical/${'A'.repeat(43)}.ics`)).status).toBe(429);
	});

	it('refuses foreign origins, and answers an allow-listed one with CORS', async () => {
		const { base, create } = await start({ ALLOWED_ORIGINS: 'https://desk.example' });
		const evil = await create({ Origin: 'https://evil.example' });
		expect(evil.status).toBe(403);
		expect(await evil.json()).toEqual({ error: 'origin' });
		const ok = await create({ Origin: 'https://desk.example' });
		expect(ok.status).toBe(201);
		expect(ok.headers.get('access-control-allow-origin')).toBe('https://desk.example');
		const preflight = await fetch(`${base}/feeds/by-provider/${P1}/blocks`, {
			method: 'OPTIONS',
			headers: { Origin: 'https://desk.example', 'Access-Control-Request-Method': 'PUT' }
		});
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
		expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
		expect((await fetch(`${base}/feeds/nothing`)).status).toBe(404);
		expect((await fetch(`${base}/feeds`, { method: 'PATCH' })).status).toBe(405);
	});

	it('never logs the feed token, and serves HEAD without a body', async () => {
		const lines: string[] = [];
		const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
		vi.spyOn(console, 'log').mockImplementation(capture);
		vi.spyOn(console, 'error').mockImplementation(capture);
		const { base, create } = await start();
		const { token, id } = (await (await create()).json()) as { token: string; id: string };
		const head = await fetch(`${base}/ical/${token}.ics`, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		expect(await head.text()).toBe('');
		await fetch(`${base}/ical/${crypto.randomBytes(32).toString('base64url')}.ics`);
		expect(lines.some((l) => l.includes('feed-created') && l.includes(id))).toBe(true);
		expect(lines.some((l) => l.includes('feed-refused'))).toBe(true);
		expect(lines.join('\n')).not.toContain(token);
	});
});
