/**
 * The login API: JSON over POST under /auth/. Workstations trade a user's authentication key
 * (derived from the passphrase on the workstation, keywrap.ts; the relay compares its SHA-256 with
 * the keybag's verifier) for a short-lived relay token scoped by the user's role, plus a refresh
 * token that is rotated on every use.
 *
 *   POST /auth/prelogin   { username }                    → { salt, iterations }
 *   POST /auth/login      { username, authKey, deviceId } → session
 *   POST /auth/refresh    { refreshToken }                → session (with a new refresh token)
 *   POST /auth/passphrase { username, authKey, keybag }   → { ok: true }
 *
 *   session = { accessToken, refreshToken, expiresAt, clinicId, userId, role }
 *
 * Accounts, keybags and the role matrix are read from the live `keyring` document, so a change made
 * on any workstation (a disabled account, a new role) applies at the next login or refresh. Unknown
 * login names get a stable made-up salt at prelogin and the same 401 as a wrong passphrase at login.
 * The passphrase change goes through here because only administrators' tokens may write the
 * keyring; the relay checks the current passphrase and lets only the passphrase fields change.
 *
 * Nothing a person typed, no key and no token is logged: only user ids, roles and short codes.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { tokenGrant } from '../src/lib/domain/security/roles';
import { keybag, type StaffUser } from '../src/lib/domain/security/users';
import { signToken } from './auth';
import { KeyedLimiter } from './auth-limits';
import type { RelayConfig } from './config';
import type { DocManager } from './docs';
import type { RelayIdentity } from './identity';
import {
	KEYRING_DOC,
	onlyPassphraseChanged,
	readKeyring,
	writePassphraseChange,
	type KeyringView
} from './keyring-view';
import { log } from './log';
import { RefreshTokens } from './refresh-store';
import type { SharedDoc, Subscriber } from './shared-doc';
import type { RefreshTokenStore } from './store/types';
import { originAllowed } from './upgrade';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface LoginDeps {
	config: Pick<RelayConfig, 'auth' | 'sync' | 'allowedOrigins'>;
	identity: RelayIdentity;
	docs: DocManager;
	refresh: RefreshTokenStore;
	isClosing(): boolean;
	now?: () => number;
}

export const MAX_BODY = 64 * 1024;
const FAKE_ITERATIONS = 600_000;
const DEVICE_ID = /^[0-9a-z-]{8,64}$/;

const usernameField = z
	.string()
	.min(1)
	.max(64)
	.transform((s) => s.trim().toLowerCase());
const authKeyField = z
	.base64()
	.max(64)
	.transform((s) => Buffer.from(s, 'base64'))
	.refine((b) => b.length === 32);

const preloginBody = z.object({ username: usernameField });
const loginBody = z.object({
	username: usernameField,
	authKey: authKeyField,
	deviceId: z.string().regex(DEVICE_ID)
});
const refreshBody = z.object({ refreshToken: z.string().min(1).max(256) });
const passphraseBody = z.object({ username: usernameField, authKey: authKeyField, keybag });

interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

const fail = (status: number, error: string, headers?: Record<string, string>): Reply => ({
	status,
	body: { error },
	headers
});

export interface Session {
	accessToken: string;
	refreshToken: string;
	expiresAt: number;
	clinicId: string;
	userId: string;
	role: string;
}

class HttpError extends Error {
	constructor(readonly reply: Reply) {
		super(String((reply.body as { error: string }).error));
	}
}

export function createLoginHandler(deps: LoginDeps): RequestHandler {
	const { config, identity, docs } = deps;
	const now = deps.now ?? Date.now;
	const auth = config.auth;
	const refreshTokens = new RefreshTokens(deps.refresh, auth.refreshTokenDays * 24 * 3600_000, now);
	const perAddress = new KeyedLimiter(auth.requestsPerMinute, auth.requestBurst);
	const perAttempt = new KeyedLimiter(auth.attemptsPerMinute, auth.attemptBurst);
	const accessSeconds = Math.min(auth.accessTokenSeconds, config.sync.tokenMaxAgeSeconds);
	// Compared against when the login name is unknown, so both paths do the same work.
	const dummyVerifier = crypto.randomBytes(32).toString('hex');

	const routes: Record<string, (body: unknown, address: string) => Promise<Reply>> = {
		'/auth/prelogin': prelogin,
		'/auth/login': login,
		'/auth/refresh': refresh,
		'/auth/passphrase': passphrase
	};

	/** Reads the keyring document as it is now (it stays resident only while in use). */
	async function withKeyring<T>(fn: (shared: SharedDoc) => T): Promise<T> {
		let shared: SharedDoc;
		try {
			shared = await docs.acquire(KEYRING_DOC);
		} catch {
			throw new HttpError(fail(503, 'unavailable'));
		}
		try {
			return fn(shared);
		} finally {
			docs.release(shared);
		}
	}

	function limitAttempt(address: string, username: string): void {
		const wait = perAttempt.take(`${address}\n${username}`);
		if (wait > 0) {
			log.info('auth-limited', { kind: 'attempt', retryAfter: wait });
			throw new HttpError(fail(429, 'too-many-attempts', { 'Retry-After': String(wait) }));
		}
	}

	function fakeSalt(username: string): string {
		return crypto
			.createHmac('sha256', identity.key)
			.update(`prelogin:${username}`, 'utf8')
			.digest()
			.subarray(0, 16)
			.toString('base64');
	}

	/** The account whose verifier the key matches; 409 when the keyring has no users, else 401. */
	function verify(view: KeyringView, username: string, authKey: Buffer, route: string): StaffUser {
		if (view.users.length === 0) throw new HttpError(fail(409, 'no-users'));
		const presented = Buffer.from(crypto.createHash('sha256').update(authKey).digest('hex'), 'utf8');
		const candidates = view.byUsername(username);
		let found: StaffUser | undefined;
		for (const user of candidates.length > 0 ? candidates : [undefined]) {
			const stored = (user && view.bag(user.id)?.verifier) ?? dummyVerifier;
			if (crypto.timingSafeEqual(presented, Buffer.from(stored, 'utf8')) && user) found ??= user;
		}
		if (!found) {
			log.info('auth-refused', { route, reason: 'invalid-login' });
			throw new HttpError(fail(401, 'invalid-login'));
		}
		if (found.disabled) {
			log.info('auth-refused', { route, reason: 'disabled', user: found.id });
			throw new HttpError(fail(403, 'disabled'));
		}
		return found;
	}

	async function accessToken(view: KeyringView, user: StaffUser, deviceId: string) {
		const grant = tokenGrant(view.policy.roles, user.role, deviceId);
		const token = await signToken(identity, {
			sub: user.id,
			role: user.role,
			docs: grant.docs,
			write: grant.write,
			access: 'write',
			ttlSeconds: accessSeconds
		});
		return { token, expiresAt: (decodeJwt(token).exp ?? 0) * 1000 };
	}

	async function session(view: KeyringView, user: StaffUser, deviceId: string, refreshToken: string) {
		const access = await accessToken(view, user, deviceId);
		const body: Session = {
			accessToken: access.token,
			refreshToken,
			expiresAt: access.expiresAt,
			clinicId: identity.clinicId,
			userId: user.id,
			role: user.role
		};
		return { status: 200, body };
	}

	async function prelogin(raw: unknown): Promise<Reply> {
		const { username } = parse(preloginBody, raw);
		const found = await withKeyring((shared) => {
			const view = readKeyring(shared.doc);
			for (const user of view.byUsername(username)) {
				const bag = view.bag(user.id);
				if (bag) return { salt: bag.salt, iterations: bag.iterations };
			}
			return undefined;
		});
		return { status: 200, body: found ?? { salt: fakeSalt(username), iterations: FAKE_ITERATIONS } };
	}

	async function login(raw: unknown, address: string): Promise<Reply> {
		const { username, authKey, deviceId } = parse(loginBody, raw);
		limitAttempt(address, username);
		const { view, user } = await withKeyring((shared) => {
			const view = readKeyring(shared.doc);
			return { view, user: verify(view, username, authKey, 'login') };
		});
		const issued = await refreshTokens.issue(user.id, deviceId);
		log.info('auth-login', {
			user: user.id,
			role: user.role,
			device: deviceId,
			family: short(issued.family)
		});
		return session(view, user, deviceId, issued.token);
	}

	async function refresh(raw: unknown): Promise<Reply> {
		const { refreshToken } = parse(refreshBody, raw);
		const checked = await refreshTokens.check(refreshToken);
		if (!checked.ok) {
			const family = checked.family ? short(checked.family) : undefined;
			if (checked.reason === 'reused') log.warn('auth-refresh-reused', { family });
			else log.info('auth-refused', { route: 'refresh', reason: checked.reason, family });
			return fail(401, 'invalid-refresh');
		}
		const { row } = checked;
		const { view, user } = await withKeyring((shared) => {
			const view = readKeyring(shared.doc);
			return { view, user: view.userById(row.userId) };
		});
		if (!user || user.disabled || !view.bag(user.id)) {
			await refreshTokens.revoke(row.family);
			log.info('auth-refused', { route: 'refresh', reason: 'disabled', user: row.userId });
			return fail(403, 'disabled');
		}
		const issued = await refreshTokens.rotate(row);
		if (!issued) {
			log.warn('auth-refresh-reused', { family: short(row.family) });
			return fail(401, 'invalid-refresh');
		}
		log.info('auth-refresh', {
			user: user.id,
			role: user.role,
			device: row.deviceId,
			family: short(row.family)
		});
		return session(view, user, row.deviceId, issued.token);
	}

	async function passphrase(raw: unknown, address: string): Promise<Reply> {
		const { username, authKey, keybag: next } = parse(passphraseBody, raw);
		limitAttempt(address, username);
		const at = new Date(now()).toISOString();
		const user = await withKeyring((shared) => {
			const view = readKeyring(shared.doc);
			const user = verify(view, username, authKey, 'passphrase');
			const current = view.bag(user.id)!;
			if (next.id !== user.id || !onlyPassphraseChanged(current, next)) {
				log.info('auth-refused', { route: 'passphrase', reason: 'keybag-mismatch', user: user.id });
				throw new HttpError(fail(409, 'keybag-mismatch'));
			}
			// A transaction is stored and broadcast when its origin is one of the document's
			// subscribers, so the relay subscribes for the duration of the write.
			const writer: Subscriber = {
				canWrite: () => true,
				identity: () => ({ userId: user.id, role: user.role }),
				send: () => undefined
			};
			shared.subscribe(writer);
			try {
				writePassphraseChange(shared.doc, next, at, writer);
			} finally {
				shared.unsubscribe(writer);
			}
			return user;
		});
		log.info('auth-passphrase-changed', { user: user.id });
		return { status: 200, body: { ok: true } };
	}

	return (req, res) => {
		const path = (req.url ?? '/').split('?')[0] ?? '/';
		const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
		const origin = req.headers.origin;
		const cors: Record<string, string> =
			origin !== undefined && config.allowedOrigins.includes(origin)
				? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
				: {};
		const send = (reply: Reply) => respond(res, reply, cors);
		if (!route) return send(fail(404, 'not-found'));
		if (!originAllowed(req, config.allowedOrigins)) return send(fail(403, 'origin'));
		if (req.method === 'OPTIONS' && cors['Access-Control-Allow-Origin']) {
			return send({
				status: 204,
				body: null,
				headers: {
					'Access-Control-Allow-Methods': 'POST',
					'Access-Control-Allow-Headers': 'Content-Type',
					'Access-Control-Max-Age': '600'
				}
			});
		}
		if (req.method !== 'POST') return send(fail(405, 'method-not-allowed', { Allow: 'POST' }));
		if (deps.isClosing()) return send(fail(503, 'unavailable'));
		const address = clientAddress(req, auth.trustProxy);
		const wait = perAddress.take(address);
		if (wait > 0) {
			log.info('auth-limited', { kind: 'address', retryAfter: wait });
			return send(fail(429, 'too-many-attempts', { 'Retry-After': String(wait) }));
		}
		const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
		if (type !== 'application/json') return send(fail(415, 'unsupported-media-type'));
		readBody(req).then(
			async (text) => {
				if (text === null) return send(fail(413, 'too-large', { Connection: 'close' }));
				let body: unknown;
				try {
					body = JSON.parse(text);
				} catch {
					return send(fail(400, 'bad-request'));
				}
				try {
					send(await route(body, address));
				} catch (e) {
					if (e instanceof HttpError) return send(e.reply);
					log.error('auth-failed', { route: path, error: e instanceof Error ? e.name : 'unknown' });
					send(deps.isClosing() ? fail(503, 'unavailable') : fail(500, 'internal'));
				}
			},
			() => send(fail(400, 'bad-request'))
		);
	};
}

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
	const r = schema.safeParse(raw);
	if (!r.success) throw new HttpError(fail(400, 'bad-request'));
	return r.data;
}

function short(id: string): string {
	return id.slice(0, 8);
}

export function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
	if (trustProxy) {
		const forwarded = req.headers['x-forwarded-for'];
		const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
		const last = list[list.length - 1]?.trim();
		if (last) return last;
	}
	return req.socket.remoteAddress ?? 'unknown';
}

/** The body as text, or null when it is larger than `max` bytes (the rest is discarded). */
export function readBody(req: http.IncomingMessage, max = MAX_BODY): Promise<string | null> {
	return new Promise((resolve, reject) => {
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > max) {
			req.resume();
			resolve(null);
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > max) {
				req.off('data', onData);
				req.resume();
				resolve(null);
				return;
			}
			chunks.push(chunk);
		};
		req.on('data', onData);
		req.once('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
		req.once('error', reject);
	});
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
