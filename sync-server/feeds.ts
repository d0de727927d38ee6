/**
 * Calendar feeds (issue "Scheduling", point 10): a per-provider iCalendar subscription URL whose
 * random token is the capability, showing busy blocks only.
 *
 * The feed is not computed from the schedule documents. A workstation that may change the schedule
 * publishes a provider's busy blocks — start and end instants, nothing else (`publishedBlocks` in
 * src/lib/domain/schedule/ics.ts refuses any other field) — and the relay serves exactly those. So
 * whatever a feed token reveals, and whatever this table holds, is times: no patient, type or reason.
 *
 *   POST   /feeds                                { providerId, label } → 201 { id, token, path, url }
 *   GET    /feeds                                → { feeds: [{ id, providerId, label, createdBy,
 *                                                   createdAt, revokedAt, publishedAt }] }
 *   DELETE /feeds/<id>                           → { ok: true } (revoked; its URL answers 404)
 *   PUT    /feeds/by-provider/<providerId>/blocks { providerId, timeZone, blocks } → { feeds: n }
 *   GET    /ical/<token>.ics                     → text/calendar (no sign-in: the token is the key)
 *
 * `/feeds` needs a relay access token (Bearer) that may change `schedule/` to create, revoke and
 * publish, and one that may read it to list. The feed token (32 random bytes, base64url) is returned
 * once; only its SHA-256 is stored, and it is looked up by that hash, so a copy of relay.sqlite holds
 * no usable feed URL and the lookup's timing says nothing about the token. A revoked or unknown token
 * gets the same 404. Tokens are never logged (the relay logs no URLs).
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import { z } from 'zod';
import { recordId } from '../src/lib/domain/common/primitives';
import { busyFeedIcs, publishedBlocks, type BusyBlock } from '../src/lib/domain/schedule/ics';
import { mayOpen, mayWrite, type SyncClaims } from '../src/lib/domain/sync/claims';
import type { Verifier } from './auth';
import { KeyedLimiter } from './auth-limits';
import type { RelayConfig } from './config';
import { log } from './log';
import { clientAddress, readBody, type RequestHandler } from './login';
import type { FeedStore } from './store/types';
import { originAllowed } from './upgrade';

/** A permission check stands for every schedule document (the grant is by prefix `schedule/`). */
const SCHEDULE_DOC = 'schedule/~feeds';
/** 5000 blocks of two instants with offsets fit easily. */
export const MAX_FEED_BODY = 512 * 1024;
export const MAX_ACTIVE_FEEDS_PER_PROVIDER = 10;
export const MAX_ACTIVE_FEEDS = 500;
/** Subscribers are told to refresh this often (calendar applications may poll less often). */
const REFRESH_SECONDS = 15 * 60;
const TOKEN_BYTES = 32;
const ICAL_PATH = /^\/ical\/([A-Za-z0-9_-]{43})\.ics$/;
const FEED_PATH = /^\/feeds\/([0-9a-fA-F-]{36})$/;
const BLOCKS_PATH = /^\/feeds\/by-provider\/([0-9a-fA-F-]{36})\/blocks$/;

/**
 * Staff-chosen words that name where the feed is used ("Dr. Lee's phone"). Letters and spaces, and
 * the `.`, `'` and `-` that names and abbreviations need; no digits, so that a phone number, a date or
 * a record number cannot be typed in.
 */
export const feedLabel = z
	.string()
	.transform((s) => s.trim().replace(/\s+/g, ' '))
	.pipe(
		z
			.string()
			.min(1, 'Give the feed a label')
			.max(60, 'A label has at most 60 characters')
			.regex(/^\p{L}[\p{L}\p{M} .'’-]*$/u, "Use letters and spaces only (and . ' -)")
	);

const createBody = z.strictObject({ providerId: recordId, label: feedLabel });

export function feedTokenHash(token: string): string {
	return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface FeedsDeps {
	config: Pick<RelayConfig, 'auth' | 'allowedOrigins'>;
	verify: Verifier;
	store: FeedStore;
	isClosing(): boolean;
	now?: () => number;
}

interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

const fail = (status: number, error: string, extra: Record<string, unknown> = {}): Reply => ({
	status,
	body: { error, ...extra }
});

class HttpError extends Error {
	constructor(readonly reply: Reply) {
		super('http');
	}
}

export function createFeedsHandler(deps: FeedsDeps): RequestHandler {
	const { config, verify, store } = deps;
	const now = deps.now ?? Date.now;
	// Separate buckets: calendar applications polling feeds do not use up the workstations' budget.
	const feedRequests = new KeyedLimiter(config.auth.requestsPerMinute, config.auth.requestBurst);
	const icalRequests = new KeyedLimiter(config.auth.requestsPerMinute, config.auth.requestBurst);

	async function claimsOf(req: http.IncomingMessage): Promise<SyncClaims> {
		const header = req.headers.authorization ?? '';
		const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
		const result = await verify(token);
		if (!result.ok) throw new HttpError(fail(401, 'invalid-token'));
		return result.claims;
	}

	function requireWrite(claims: SyncClaims, route: string): void {
		if (mayWrite(claims, SCHEDULE_DOC)) return;
		log.info('feeds-refused', { route, reason: 'forbidden', user: claims.sub, role: claims.role });
		throw new HttpError(fail(403, 'forbidden'));
	}

	async function create(req: http.IncomingMessage, raw: unknown): Promise<Reply> {
		const claims = await claimsOf(req);
		requireWrite(claims, 'create');
		const { providerId, label } = parse(createBody, raw);
		const active = (await store.listFeeds()).filter((f) => f.revokedAt === null);
		if (
			active.length >= MAX_ACTIVE_FEEDS ||
			active.filter((f) => f.providerId === providerId).length >= MAX_ACTIVE_FEEDS_PER_PROVIDER
		) {
			return fail(409, 'too-many-feeds', {
				message: `A provider can have at most ${MAX_ACTIVE_FEEDS_PER_PROVIDER} feeds (the clinic ${MAX_ACTIVE_FEEDS}); revoke one first`
			});
		}
		const id = crypto.randomUUID();
		const token = crypto.randomBytes(TOKEN_BYTES).toString('base64url');
		await store.insertFeed({
			id,
			tokenHash: feedTokenHash(token),
			providerId,
			label,
			createdBy: claims.sub,
			createdAt: now()
		});
		log.info('feed-created', { feed: id, provider: providerId, user: claims.sub });
		const path = `/ical/${token}.ics`;
		return { status: 201, body: { id, token, path, url: `${originOf(req, config.auth.trustProxy)}${path}` } };
	}

	async function list(req: http.IncomingMessage): Promise<Reply> {
		const claims = await claimsOf(req);
		if (!mayOpen(claims, SCHEDULE_DOC)) throw new HttpError(fail(403, 'forbidden'));
		const feeds = (await store.listFeeds()).map((f) => ({
			id: f.id,
			providerId: f.providerId,
			label: f.label,
			createdBy: f.createdBy,
			createdAt: iso(f.createdAt),
			revokedAt: f.revokedAt === null ? null : iso(f.revokedAt),
			publishedAt: f.publishedAt === null ? null : iso(f.publishedAt)
		}));
		return { status: 200, body: { feeds } };
	}

	async function revoke(req: http.IncomingMessage, id: string): Promise<Reply> {
		const claims = await claimsOf(req);
		requireWrite(claims, 'revoke');
		const feed = await store.revokeFeed(id.toLowerCase(), now());
		if (!feed) return fail(404, 'not-found');
		log.info('feed-revoked', { feed: feed.id, user: claims.sub });
		return { status: 200, body: { ok: true } };
	}

	async function publish(req: http.IncomingMessage, providerId: string, raw: unknown): Promise<Reply> {
		const claims = await claimsOf(req);
		requireWrite(claims, 'publish');
		const payload = parse(publishedBlocks, raw);
		if (payload.providerId.toLowerCase() !== providerId.toLowerCase()) {
			return fail(400, 'bad-request', {
				message: 'providerId in the body does not match the address',
				issues: [{ path: 'providerId', message: 'providerId in the body does not match the address' }]
			});
		}
		// Stored in one spelling (UTC, sorted), whatever offsets the workstation wrote.
		const blocks: BusyBlock[] = payload.blocks
			.map((b) => ({ start: new Date(b.start).toISOString(), end: new Date(b.end).toISOString() }))
			.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
		const feeds = await store.publishFeedBlocks(
			payload.providerId,
			payload.timeZone,
			JSON.stringify(blocks),
			now()
		);
		log.info('feed-published', {
			provider: payload.providerId,
			blocks: blocks.length,
			feeds,
			user: claims.sub
		});
		return { status: 200, body: { feeds } };
	}

	function serveIcal(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
		const notFound = () => {
			res.writeHead(404, {
				'Content-Type': 'text/plain; charset=utf-8',
				'Cache-Control': 'no-store',
				'X-Content-Type-Options': 'nosniff'
			});
			res.end(req.method === 'HEAD' ? undefined : 'Not found');
		};
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
			res.end('Method not allowed');
			return;
		}
		if (deps.isClosing()) {
			res.writeHead(503, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', 'Retry-After': '5' });
			res.end('Unavailable');
			return;
		}
		const wait = icalRequests.take(clientAddress(req, config.auth.trustProxy));
		if (wait > 0) {
			log.info('feed-limited', { retryAfter: wait });
			res.writeHead(429, {
				'Content-Type': 'text/plain',
				'Cache-Control': 'no-store',
				'Retry-After': String(wait)
			});
			res.end('Too many requests');
			return;
		}
		const token = ICAL_PATH.exec(path)?.[1];
		if (!token) return notFound();
		const hash = feedTokenHash(token);
		store.feedByTokenHash(hash).then(
			(feed) => {
				// The lookup is by hash; the comparison restates it in constant time.
				const same =
					feed !== undefined &&
					crypto.timingSafeEqual(Buffer.from(feed.tokenHash, 'utf8'), Buffer.from(hash, 'utf8'));
				if (!feed || !same || feed.revokedAt !== null) {
					log.info('feed-refused', { reason: feed ? 'revoked' : 'unknown' });
					return notFound();
				}
				const text = busyFeedIcs({
					name: `ClinicDesk: ${feed.label}`,
					providerId: feed.providerId,
					timeZone: feed.timeZone ?? 'UTC',
					blocks: storedBlocks(feed.blocksJson),
					stamp: new Date(feed.publishedAt ?? feed.createdAt),
					refreshSeconds: REFRESH_SECONDS
				});
				const body = Buffer.from(text, 'utf8');
				res.writeHead(200, {
					'Content-Type': 'text/calendar; charset=utf-8',
					'Content-Length': String(body.length),
					'Content-Disposition': 'inline; filename="busy.ics"',
					'Cache-Control': 'no-store',
					'X-Content-Type-Options': 'nosniff',
					'Referrer-Policy': 'no-referrer'
				});
				res.end(req.method === 'HEAD' ? undefined : body);
				log.debug('feed-served', { feed: feed.id });
			},
			(e: unknown) => {
				log.error('feed-failed', { route: 'ical', error: e instanceof Error ? e.name : 'unknown' });
				res.writeHead(500, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
				res.end('Internal error');
			}
		);
	}

	return (req, res) => {
		const path = (req.url ?? '/').split('?')[0] ?? '/';
		if (path.startsWith('/ical/')) return serveIcal(req, res, path);

		const origin = req.headers.origin;
		const cors: Record<string, string> =
			origin !== undefined && config.allowedOrigins.includes(origin)
				? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
				: {};
		const send = (reply: Reply) => respond(res, reply, cors);
		const id = FEED_PATH.exec(path)?.[1];
		const provider = BLOCKS_PATH.exec(path)?.[1];
		const allowed = path === '/feeds' ? 'GET, POST' : id ? 'DELETE' : provider ? 'PUT' : undefined;
		if (!allowed) return send(fail(404, 'not-found'));
		if (!originAllowed(req, config.allowedOrigins)) return send(fail(403, 'origin'));
		if (req.method === 'OPTIONS' && cors['Access-Control-Allow-Origin']) {
			return send({
				status: 204,
				body: null,
				headers: {
					'Access-Control-Allow-Methods': allowed,
					'Access-Control-Allow-Headers': 'Authorization, Content-Type',
					'Access-Control-Max-Age': '600'
				}
			});
		}
		if (!allowed.split(', ').includes(req.method ?? '')) {
			return send({ ...fail(405, 'method-not-allowed'), headers: { Allow: allowed } });
		}
		if (deps.isClosing()) return send(fail(503, 'unavailable'));
		const wait = feedRequests.take(clientAddress(req, config.auth.trustProxy));
		if (wait > 0) {
			log.info('feed-limited', { retryAfter: wait });
			return send({ ...fail(429, 'too-many-attempts'), headers: { 'Retry-After': String(wait) } });
		}
		const run = async (): Promise<Reply> => {
			if (req.method === 'GET') return list(req);
			if (req.method === 'DELETE') return revoke(req, id!);
			const body = await jsonBody(req);
			return req.method === 'POST' ? create(req, body) : publish(req, provider!, body);
		};
		run().then(send, (e: unknown) => {
			if (e instanceof HttpError) return send(e.reply);
			log.error('feed-failed', { route: req.method, error: e instanceof Error ? e.name : 'unknown' });
			send(deps.isClosing() ? fail(503, 'unavailable') : fail(500, 'internal'));
		});
	};
}

async function jsonBody(req: http.IncomingMessage): Promise<unknown> {
	const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
	if (type !== 'application/json') {
		req.resume();
		throw new HttpError(fail(415, 'unsupported-media-type'));
	}
	let text: string | null;
	try {
		text = await readBody(req, MAX_FEED_BODY);
	} catch {
		throw new HttpError(fail(400, 'bad-request', { message: 'The request body could not be read' }));
	}
	if (text === null) {
		throw new HttpError({
			...fail(413, 'too-large', { message: 'The request body is over 512 KiB' }),
			headers: { Connection: 'close' }
		});
	}
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new HttpError(fail(400, 'bad-request', { message: 'The request body is not JSON' }));
	}
}

/**
 * Validates with `schema`, or a 400 that says what is wrong and where: paths and the schema's own
 * messages (at most 10), never the values sent.
 */
function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
	const r = schema.safeParse(raw);
	if (r.success) return r.data;
	const issues = r.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
	const first = issues[0];
	throw new HttpError(
		fail(400, 'bad-request', {
			message: first ? `${first.path || 'body'}: ${first.message}` : 'Invalid request',
			issues
		})
	);
}

/** Blocks as stored (validated when published); a damaged row serves an empty calendar. */
function storedBlocks(json: string | null): BusyBlock[] {
	if (!json) return [];
	try {
		const r = z.array(z.object({ start: z.string(), end: z.string() })).safeParse(JSON.parse(json));
		return r.success ? r.data : [];
	} catch {
		return [];
	}
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/**
 * The relay's own address as the caller reached it: the Host header, and behind a proxy
 * (TRUST_PROXY) the scheme it forwarded. Only a hint for the caller, which knows its relay's address.
 */
function originOf(req: http.IncomingMessage, trustProxy: boolean): string {
	const forwarded = trustProxy
		? String(req.headers['x-forwarded-proto'] ?? '')
				.split(',')[0]
				?.trim()
		: '';
	const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : 'http';
	const host = req.headers.host ?? 'localhost';
	return /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${scheme}://${host}` : '';
}

function respond(res: http.ServerResponse, reply: Reply, cors: Record<string, string>): void {
	if (res.headersSent) return;
	const payload = reply.body === null ? '' : JSON.stringify(reply.body);
	res.writeHead(reply.status, {
		...(payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
		'Cache-Control': 'no-store',
		'X-Content-Type-Options': 'nosniff',
		'Content-Length': String(Buffer.byteLength(payload)),
		...cors,
		...reply.headers
	});
	res.end(payload);
}
