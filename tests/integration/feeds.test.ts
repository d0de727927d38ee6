/**
 * Calendar feeds (sync-server/feeds.ts) against the real relay process: a front-desk token (may
 * change the schedule) creates a feed, publishes busy blocks, and the feed URL — no sign-in, the
 * token is the key — serves them as iCalendar that ical.js reads back exactly; revoking makes the URL
 * answer like an unknown one. A billing token (reads the schedule) may list but not change feeds.
 * Tokens carry the grants the login API issues for those roles (tokenGrant over DEFAULT_ROLES); the
 * login itself is tested in login.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROLES, tokenGrant, type Role } from '../../src/lib/domain/security/roles';
import { busyBlockUid } from '../../src/lib/domain/schedule/ics';
import { FeedsClient, FeedsError } from '../../src/lib/sync/feeds-client';
import { token } from './support/clients';
import {
	ensureRelayBuilt,
	newIdentity,
	removeTempDirs,
	startRelay,
	tempDir,
	type RunningRelay
} from './support/relay';

const identity = newIdentity();
const dataDir = tempDir('feeds');
let relay: RunningRelay;
let front: string;
let billing: string;

const LEE = '10000000-0000-4000-8000-00000000000a';
const KIM = '10000000-0000-4000-8000-00000000000b';
const TZ = 'America/Chicago';
// Busy blocks on the US DST change days and an ordinary one: instants must survive exactly.
const BLOCKS = [
	{ start: '2026-03-08T07:30:00.000Z', end: '2026-03-08T08:30:00.000Z' }, // 01:30 CST – 03:30 CDT
	{ start: '2026-03-08T14:00:00.000Z', end: '2026-03-08T16:00:00.000Z' },
	{ start: '2026-11-01T06:30:00.000Z', end: '2026-11-01T08:00:00.000Z' }, // 01:30 CDT – 02:00 CST
	{ start: '2026-11-01T15:00:00.000Z', end: '2026-11-01T15:45:00.000Z' },
	{ start: '2026-05-04T14:00:00.000Z', end: '2026-05-04T14:30:00.000Z' }
];

async function tokenFor(role: Role, sub: string): Promise<string> {
	const grant = tokenGrant(DEFAULT_ROLES, role, `desk-${sub}-01`);
	return token(identity, { sub, role, docs: grant.docs, access: 'write', extra: { write: grant.write } });
}

interface Reply {
	status: number;
	body: Record<string, unknown>;
	headers: Headers;
}

async function api(method: string, p: string, jwt: string | null, payload?: unknown): Promise<Reply> {
	const res = await fetch(`${relay.httpUrl}${p}`, {
		method,
		headers: {
			...(jwt ? { Authorization: `Bearer ${jwt}` } : {}),
			...(payload === undefined ? {} : { 'Content-Type': 'application/json' })
		},
		body: payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload)
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

async function ics(p: string): Promise<{ status: number; text: string; headers: Headers }> {
	const res = await fetch(`${relay.httpUrl}${p}`);
	return { status: res.status, text: await res.text(), headers: res.headers };
}

function events(text: string) {
	const cal = new ICAL.Component(ICAL.parse(text));
	return cal.getAllSubcomponents('vevent').map((ve) => {
		const e = new ICAL.Event(ve);
		return {
			uid: e.uid,
			summary: e.summary,
			start: e.startDate.toJSDate().toISOString(),
			end: e.endDate.toJSDate().toISOString()
		};
	});
}

/** The relay's database files as they are on disk (the WAL holds recent commits). */
function databaseBytes(): Buffer {
	const files = ['relay.sqlite', 'relay.sqlite-wal'].map((f) => path.join(dataDir, f));
	return Buffer.concat(files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

beforeAll(async () => {
	await ensureRelayBuilt();
	// The per-address limit is tested in-process (sync-server/feeds.test.ts).
	relay = await startRelay({ identity, dataDir, env: { AUTH_RATE_REQUEST_BURST: '100000' } });
	front = await tokenFor('front-desk', 'user-fran');
	billing = await tokenFor('billing', 'user-bill');
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

describe('calendar feeds', () => {
	let feed: { id: string; token: string; path: string; url: string };
	let kimFeed: { id: string; token: string; path: string };

	it('front desk creates a feed: the token comes back once, with its URL', async () => {
		const res = await api('POST', '/feeds', front, { providerId: LEE, label: "  Dr. Lee's   phone " });
		expect(res.status, JSON.stringify(res.body)).toBe(201);
		feed = res.body as typeof feed;
		expect(feed.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(feed.path).toBe(`/ical/${feed.token}.ics`);
		expect(feed.url).toBe(`${relay.httpUrl}${feed.path}`);
		expect(res.headers.get('cache-control')).toBe('no-store');
		const kim = await api('POST', '/feeds', front, { providerId: KIM, label: 'Front desk screen' });
		expect(kim.status).toBe(201);
		kimFeed = kim.body as typeof kimFeed;
	});

	it('billing (reads the schedule) may list feeds but not create, publish or revoke them', async () => {
		const created = await api('POST', '/feeds', billing, { providerId: LEE, label: 'Billing' });
		expect(created).toMatchObject({ status: 403, body: { error: 'forbidden' } });
		const published = await api('PUT', `/feeds/by-provider/${LEE}/blocks`, billing, {
			providerId: LEE,
			timeZone: TZ,
			blocks: []
		});
		expect(published.status).toBe(403);
		expect((await api('DELETE', `/feeds/${feed.id}`, billing)).status).toBe(403);

		const listed = await api('GET', '/feeds', billing);
		expect(listed.status).toBe(200);
		const feeds = listed.body.feeds as Record<string, unknown>[];
		expect(feeds.map((f) => f.id)).toEqual([feed.id, kimFeed.id]);
		expect(feeds[0]).toEqual({
			id: feed.id,
			providerId: LEE,
			label: "Dr. Lee's phone",
			createdBy: 'user-fran',
			createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			revokedAt: null,
			publishedAt: null
		});
		expect(JSON.stringify(listed.body)).not.toContain(feed.token);

		// Without a valid token, nothing.
		expect((await api('GET', '/feeds', null)).status).toBe(401);
		expect((await api('GET', '/feeds', `${front}x`)).status).toBe(401);
		// The office manager reads the schedule, so may list; a token without the schedule may not.
		expect((await api('GET', '/feeds', await tokenFor('office-manager', 'user-otto'))).status).toBe(200);
		const noSchedule = await token(identity, { sub: 'user-x', docs: ['directory'], access: 'write' });
		expect((await api('GET', '/feeds', noSchedule)).status).toBe(403);
	});

	it('refuses labels with digits or over 60 characters, and a provider that is not an id', async () => {
		for (const label of ['Room 12', 'x'.repeat(61), '', '   ', '<script>', 'Lee;phone', '555-0100']) {
			const res = await api('POST', '/feeds', front, { providerId: LEE, label });
			expect(res.status, label).toBe(400);
			expect(String(res.body.message)).toMatch(/^label: /);
		}
		const bad = await api('POST', '/feeds', front, { providerId: 'dr-lee', label: 'Lee' });
		expect(bad.status).toBe(400);
		expect(bad.body.message).toMatch(/^providerId: /);
	});

	it('serves an empty calendar until blocks are published', async () => {
		const res = await ics(feed.path);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		expect(res.headers.get('cache-control')).toBe('no-store');
		expect(events(res.text)).toEqual([]);
	});

	it('publishes busy blocks; the feed holds exactly those instants, DST days included', async () => {
		// Offsets as a workstation in Chicago might write them: stored and served as the same instants.
		const local = BLOCKS.map((b, i) =>
			i === 0 ? { start: '2026-03-08T01:30:00-06:00', end: '2026-03-08T03:30:00-05:00' } : b
		);
		const res = await api('PUT', `/feeds/by-provider/${LEE}/blocks`, front, {
			providerId: LEE,
			timeZone: TZ,
			blocks: local
		});
		expect(res).toMatchObject({ status: 200, body: { feeds: 1 } });

		const served = await ics(feed.path);
		expect(served.status).toBe(200);
		const sorted = [...BLOCKS].sort((a, b) => a.start.localeCompare(b.start));
		expect(events(served.text)).toEqual(
			sorted.map((b) => ({ uid: busyBlockUid(LEE, b), summary: 'Busy', start: b.start, end: b.end }))
		);
		const cal = new ICAL.Component(ICAL.parse(served.text));
		expect(cal.getFirstPropertyValue('x-wr-timezone')).toBe(TZ);
		// The same publication serves the same UIDs (calendar applications update, not duplicate).
		expect(events((await ics(feed.path)).text).map((e) => e.uid)).toEqual(
			events(served.text).map((e) => e.uid)
		);
		// Another provider's feed is untouched.
		expect(events((await ics(kimFeed.path)).text)).toEqual([]);
		const listed = await api('GET', '/feeds', front);
		const lee = (listed.body.feeds as { id: string; publishedAt: string | null }[]).find(
			(f) => f.id === feed.id
		);
		expect(lee?.publishedAt).toMatch(/^\d{4}-/);
	});

	it('refuses a garbage payload with 400 and a message that says what is wrong', async () => {
		const put = (payload: unknown) => api('PUT', `/feeds/by-provider/${LEE}/blocks`, front, payload);
		const backwards = await put({
			providerId: LEE,
			timeZone: TZ,
			blocks: [{ start: '2026-05-04T15:00:00Z', end: '2026-05-04T14:00:00Z' }]
		});
		expect(backwards).toMatchObject({
			status: 400,
			body: { error: 'bad-request', message: 'blocks.0.end: A block must end after it starts' }
		});
		const long = await put({
			providerId: LEE,
			timeZone: TZ,
			blocks: [{ start: '2026-05-04T00:00:00Z', end: '2026-05-04T13:00:00Z' }]
		});
		expect(long.body.message).toBe('blocks.0.end: A block cannot last over 12 hours');
		// A patient's name cannot ride along: unknown fields are refused, not dropped.
		const withName = await put({
			providerId: LEE,
			timeZone: TZ,
			blocks: [{ start: '2026-05-04T14:00:00Z', end: '2026-05-04T15:00:00Z', summary: 'Zqxy Testpatient' }]
		});
		expect(withName.status).toBe(400);
		expect(withName.body.message).toMatch(/^blocks\.0: .*summary/);
		expect(JSON.stringify(withName.body)).not.toContain('Zqxy');
		const zone = await put({ providerId: LEE, timeZone: 'Mars/Olympus', blocks: [] });
		expect(zone.body.message).toBe('timeZone: Unknown time zone');
		const other = await put({ providerId: KIM, timeZone: TZ, blocks: [] });
		expect(other).toMatchObject({
			status: 400,
			body: { message: 'providerId in the body does not match the address' }
		});
		expect((await put('{not json')).body).toMatchObject({
			error: 'bad-request',
			message: 'The request body is not JSON'
		});
		expect((await put({ blocks: 'x' })).status).toBe(400);
		const many = Array.from({ length: 5001 }, (_, i) => {
			const s = Date.parse('2026-01-01T00:00:00Z') + i * 3600_000;
			return { start: new Date(s).toISOString(), end: new Date(s + 1800_000).toISOString() };
		});
		expect((await put({ providerId: LEE, timeZone: TZ, blocks: many })).body.message).toBe(
			'blocks: At most 5000 blocks can be published at once'
		);
		const text = await fetch(`${relay.httpUrl}/feeds/by-provider/${LEE}/blocks`, {
			method: 'PUT',
			headers: { Authorization: `Bearer ${front}`, 'Content-Type': 'text/plain' },
			body: 'x'
		});
		expect(text.status).toBe(415);
		// The feed still serves the last good publication, and no name ever reached it.
		const served = await ics(feed.path);
		expect(events(served.text)).toHaveLength(BLOCKS.length);
		expect(served.text).not.toContain('Zqxy');
	});

	it('answers an unknown or malformed token with 404', async () => {
		const unknown = await ics(`/ical/${crypto.randomBytes(32).toString('base64url')}.ics`);
		expect(unknown.status).toBe(404);
		expect(unknown.text).toBe('Not found');
		expect((await ics('/ical/short.ics')).status).toBe(404);
		expect((await ics(`/ical/${feed.token}`)).status).toBe(404);
		expect((await fetch(`${relay.httpUrl}${feed.path}`, { method: 'POST' })).status).toBe(405);
	});

	it('keeps only the hash of the token in the database, and never logs it', async () => {
		const bytes = databaseBytes();
		const hash = crypto.createHash('sha256').update(feed.token).digest('hex');
		// The scan looks at the right bytes: the hash and the provider's id are there.
		expect(bytes.includes(hash)).toBe(true);
		expect(bytes.includes(LEE)).toBe(true);
		for (const t of [feed.token, kimFeed.token]) {
			expect(bytes.includes(t)).toBe(false);
			expect(bytes.includes(Buffer.from(t, 'base64url'))).toBe(false);
			expect(relay.output()).not.toContain(t);
		}
		expect(bytes.includes('Zqxy')).toBe(false);
	});

	it('revokes: the URL then answers exactly like an unknown token', async () => {
		const res = await api('DELETE', `/feeds/${feed.id}`, front);
		expect(res).toMatchObject({ status: 200, body: { ok: true } });
		const gone = await ics(feed.path);
		const unknown = await ics(`/ical/${crypto.randomBytes(32).toString('base64url')}.ics`);
		expect(gone.status).toBe(404);
		expect([gone.status, gone.text, gone.headers.get('content-type')]).toEqual([
			unknown.status,
			unknown.text,
			unknown.headers.get('content-type')
		]);
		// Revoking again is harmless; an unknown id is 404.
		expect((await api('DELETE', `/feeds/${feed.id}`, front)).status).toBe(200);
		expect((await api('DELETE', `/feeds/${crypto.randomUUID()}`, front)).status).toBe(404);
		// A revoked feed gets no more publications; the list shows when it was revoked.
		const again = await api('PUT', `/feeds/by-provider/${LEE}/blocks`, front, {
			providerId: LEE,
			timeZone: TZ,
			blocks: BLOCKS
		});
		expect(again.body).toEqual({ feeds: 0 });
		const listed = (await api('GET', '/feeds', front)).body.feeds as {
			id: string;
			revokedAt: string | null;
		}[];
		expect(listed.find((f) => f.id === feed.id)?.revokedAt).toMatch(/^\d{4}-/);
		expect(listed.find((f) => f.id === kimFeed.id)?.revokedAt).toBeNull();
		expect((await ics(kimFeed.path)).status).toBe(200);
	});
});

describe('FeedsClient (the workstation side) against the relay', () => {
	it('creates, lists, publishes and revokes, and turns refusals into reasons', async () => {
		const client = new FeedsClient({ baseUrl: relay.httpUrl });
		const created = await client.createFeed(front, KIM, 'Kim laptop');
		expect(created.url).toBe(`${relay.httpUrl}/ical/${created.token}.ics`);
		expect((await client.listFeeds(billing)).map((f) => f.id)).toContain(created.id);
		expect(await client.publishBlocks(front, { providerId: KIM, timeZone: TZ, blocks: BLOCKS })).toBe(2);
		expect(events(await (await fetch(created.url)).text())).toHaveLength(BLOCKS.length);

		const reason = (p: Promise<unknown>) =>
			p.then(
				() => 'resolved',
				(e: unknown) => (e instanceof FeedsError ? [e.reason, e.detail] : e)
			);
		expect(await reason(client.createFeed(billing, KIM, 'Billing'))).toEqual(['forbidden', '']);
		expect(await reason(client.listFeeds('not-a-token'))).toEqual(['signed-out', '']);
		expect(await reason(client.createFeed(front, KIM, 'Room 12'))).toEqual([
			'invalid',
			"label: Use letters and spaces only (and . ' -)"
		]);
		// Checked before it leaves the workstation, with the same words.
		const backwards = { start: '2026-05-04T15:00:00Z', end: '2026-05-04T14:00:00Z' };
		expect(
			await reason(client.publishBlocks(front, { providerId: KIM, timeZone: TZ, blocks: [backwards] }))
		).toEqual(['invalid', 'blocks.0.end: A block must end after it starts']);
		expect(await reason(client.revokeFeed(front, crypto.randomUUID()))).toEqual(['not-found', '']);
		await client.revokeFeed(front, created.id);
		expect((await fetch(created.url)).status).toBe(404);
		const offline = new FeedsClient({ baseUrl: 'http://127.0.0.1:1' });
		expect(await reason(offline.listFeeds(front))).toEqual(['offline', '']);
	});
});
