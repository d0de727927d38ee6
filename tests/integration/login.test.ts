/**
 * The relay's login API (sync-server/login.ts) against the real relay process: the keyring is built
 * with the app's own code (persistence/keyring.ts) and pushed to the relay as a workstation would,
 * then users log in with the key their passphrase derives, and the tokens they get are tried on
 * /sync. Expected grants are derived from DEFAULT_ROLES here, not from tokenGrant, so a bug in
 * tokenGrant shows.
 */
import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { DEFAULT_ROLES, role as roleEnum, type Role, type Scope } from '../../src/lib/domain/security/roles';
import type { StaffUser } from '../../src/lib/domain/security/users';
import { subprotocolsFor } from '../../src/lib/domain/sync/mux';
import { Keyring, type UnlockedKeys } from '../../src/lib/persistence/keyring';
import { changeKeybagPassphrase, deriveUserSecrets, fromB64, toB64 } from '../../src/lib/persistence/keywrap';
import type { Session } from '../../sync-server/login';
import { eventually, provider, syncMessage, token, tryConnect, whenSynced } from './support/clients';
import { MuxClient } from './support/mux';
import {
	ensureRelayBuilt,
	newIdentity,
	removeTempDirs,
	startRelay,
	tempDir,
	type RunningRelay
} from './support/relay';

const identity = newIdentity();
const dataDir = tempDir('login');
// The per-address limit is tested in sync-server/login.test.ts; here it would count the polling.
const env = { AUTH_RATE_REQUEST_BURST: '100000' };
let relay: RunningRelay;

interface Reply {
	status: number;
	body: Record<string, unknown>;
	headers: Headers;
}

async function post(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Reply> {
	const res = await fetch(`${relay.httpUrl}${path}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', ...headers },
		body: typeof payload === 'string' ? payload : JSON.stringify(payload)
	});
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
}

const PASS = 'correct horse battery';
const rolePass = (r: string) => `${r} staple passphrase`;

let ydoc: Y.Doc;
let keyringSync: WebsocketProvider;
let setupGone = false;
let keyring: Keyring;
let admin: UnlockedKeys;
const users = new Map<string, StaffUser>();
const authKeys = new Map<string, Uint8Array>();

async function authKeyFor(username: string, passphrase: string): Promise<Uint8Array> {
	const pre = await post('/auth/prelogin', { username });
	expect(pre.status).toBe(200);
	const secrets = await deriveUserSecrets(
		passphrase,
		fromB64(pre.body.salt as string),
		pre.body.iterations as number
	);
	return secrets.authKey;
}

async function login(username: string, deviceId = `desk-${username}-01`, key = authKeys.get(username)!) {
	return post('/auth/login', { username, authKey: toB64(key), deviceId });
}

function keyringAudit(): { user_id: string; role: string }[] {
	const db = new Database(path.join(dataDir, 'relay.sqlite'), { readonly: true });
	try {
		return db.prepare("SELECT user_id, role FROM audit WHERE doc = 'keyring' ORDER BY id").all() as {
			user_id: string;
			role: string;
		}[];
	} finally {
		db.close();
	}
}

/** Waits until the relay's own copy of the keyring satisfies `check` (seen by a fresh reader). */
async function relayHas(check: (keyringDoc: Keyring) => boolean): Promise<void> {
	const jwt = await token(identity, { sub: 'observer', docs: ['keyring'], access: 'read' });
	const d = new Y.Doc();
	const p = provider(relay.wsUrl, 'keyring', d, jwt);
	try {
		await whenSynced(p);
		const view = new Keyring(d);
		await eventually(() => check(view));
	} finally {
		p.destroy();
	}
}

async function session(username: string, deviceId?: string): Promise<Session> {
	const res = await login(username, deviceId);
	expect(res.status, JSON.stringify(res.body)).toBe(200);
	return res.body as unknown as Session;
}

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({ identity, dataDir, env });
});

afterAll(async () => {
	if (keyringSync && !setupGone) keyringSync.destroy();
	await relay.stop();
	removeTempDirs();
});

describe('login API before the clinic has users', () => {
	it('answers login with 409 no-users, and prelogin with a made-up salt', async () => {
		const res = await post('/auth/login', {
			username: 'ada',
			authKey: toB64(new Uint8Array(32)),
			deviceId: 'desk-ada-01'
		});
		expect(res).toMatchObject({ status: 409, body: { error: 'no-users' } });
		expect(res.headers.get('cache-control')).toBe('no-store');
		const pre = await post('/auth/prelogin', { username: 'ada' });
		expect(pre.status).toBe(200);
		expect(pre.body.iterations).toBe(600_000);
	});
});

describe('login API', () => {
	beforeAll(async () => {
		// The first workstation: a setup token (npm run token … --docs '*') carries the keyring.
		ydoc = new Y.Doc();
		const setup = await token(identity, { sub: 'setup', role: 'administrator', docs: ['*'] });
		keyringSync = provider(relay.wsUrl, 'keyring', ydoc, setup);
		await whenSynced(keyringSync);
		keyring = new Keyring(ydoc);
		admin = await keyring.bootstrap({ displayName: 'Ada Admin', username: 'ada', passphrase: PASS });
		users.set('ada', admin.user);
		authKeys.set('ada', admin.authKey);
		const staff: [string, string, Role][] = [
			['fran', 'Fran Front', 'front-desk'],
			['bill', 'Bill Billing', 'billing'],
			['meg', 'Meg Secretary', 'medical-secretary'],
			['phil', 'Phil Physician', 'physician'],
			['otto', 'Otto Manager', 'office-manager'],
			['dora', 'Dora Desk', 'front-desk']
		];
		for (const [username, displayName, r] of staff) {
			const user = await keyring.addUser(admin, { displayName, username, role: r, passphrase: rolePass(r) });
			users.set(username, user);
		}
		// Everything has reached the relay once the last user's real salt is served.
		const last = keyring.bag(users.get('dora')!.id)!;
		await eventually(
			async () => (await post('/auth/prelogin', { username: 'dora' })).body.salt === last.salt
		);
		for (const [username, , r] of staff) authKeys.set(username, await authKeyFor(username, rolePass(r)));
	}, 120_000);

	describe('prelogin', () => {
		it("serves a user's own salt and iterations", async () => {
			const bag = keyring.bag(users.get('fran')!.id)!;
			const res = await post('/auth/prelogin', { username: 'fran' });
			expect(res).toMatchObject({ status: 200, body: { salt: bag.salt, iterations: bag.iterations } });
			// Login names are case-insensitive, as the lock screen treats them.
			expect((await post('/auth/prelogin', { username: ' FRAN ' })).body.salt).toBe(bag.salt);
		});

		it('makes up a stable salt for an unknown name, indistinguishable in shape', async () => {
			const a = await post('/auth/prelogin', { username: 'nobody' });
			const again = await post('/auth/prelogin', { username: 'nobody' });
			const other = await post('/auth/prelogin', { username: 'nobody.else' });
			expect(a.status).toBe(200);
			expect(a.body).toEqual(again.body);
			expect(other.body.salt).not.toBe(a.body.salt);
			expect(a.body.iterations).toBe(600_000);
			expect(Object.keys(a.body).sort()).toEqual(['iterations', 'salt']);
			const expected = crypto
				.createHmac('sha256', identity.secret)
				.update('prelogin:nobody')
				.digest()
				.subarray(0, 16)
				.toString('base64');
			expect(a.body.salt).toBe(expected);
			expect(Buffer.from(a.body.salt as string, 'base64')).toHaveLength(16);
		});
	});

	describe('login', () => {
		it('issues a token for the role that /sync accepts with exactly that grant', async () => {
			const before = Date.now();
			const s = await session('fran', 'desk-fran-01');
			const fran = users.get('fran')!;
			expect(s).toMatchObject({ clinicId: identity.clinicId, userId: fran.id, role: 'front-desk' });
			expect(s.refreshToken).toMatch(/^[\w-]{43}$/);
			const claims = decodeJwt(s.accessToken);
			expect(claims).toMatchObject({ sub: fran.id, role: 'front-desk', clinic: identity.clinicId });
			expect(s.expiresAt).toBe(claims.exp! * 1000);
			expect(s.expiresAt - before).toBeGreaterThan(14 * 60_000);
			expect(s.expiresAt - before).toBeLessThanOrEqual(15 * 60_000 + 1000);

			const open = async (doc: string) =>
				(await tryConnect(`${relay.wsUrl}/${doc}`, subprotocolsFor(s.accessToken))).status;
			const results = Object.fromEntries(
				await Promise.all(
					[
						'schedule/2026-05',
						'patients/a',
						'directory',
						'keyring',
						'audit/desk-fran-01/2026-11',
						'billing/2026-05',
						'clinical/2026-05',
						'inventory',
						'audit/desk-other-01/2026-11'
					].map(async (d) => [d, await open(d)] as const)
				)
			);
			expect(results).toEqual({
				'schedule/2026-05': 101,
				'patients/a': 101,
				directory: 101,
				keyring: 101,
				'audit/desk-fran-01/2026-11': 101,
				'billing/2026-05': 403,
				'clinical/2026-05': 403,
				inventory: 403,
				'audit/desk-other-01/2026-11': 403
			});
		});

		it('refuses a wrong key and an unknown name alike, with 401 invalid-login', async () => {
			const wrong = await login('fran', 'desk-fran-01', crypto.randomBytes(32));
			expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid-login' } });
			// Another user's key does not open this account either.
			const crossed = await login('fran', 'desk-fran-01', authKeys.get('bill'));
			expect(crossed).toMatchObject({ status: 401, body: { error: 'invalid-login' } });
			const unknown = await login('nobody', 'desk-fran-01', authKeys.get('fran'));
			expect(unknown).toMatchObject({ status: 401, body: { error: 'invalid-login' } });
		});

		it('answers malformed requests with 400, other methods with 405', async () => {
			const key = toB64(authKeys.get('fran')!);
			const bad: unknown[] = [
				'{not json',
				[],
				{ username: 'fran', authKey: key },
				{ username: 'fran', authKey: key, deviceId: 'UPPER-CASE-ID' },
				{ username: 'fran', authKey: key, deviceId: 'short' },
				{ username: 'fran', authKey: toB64(new Uint8Array(16)), deviceId: 'desk-fran-01' },
				{ username: 'fran', authKey: 'not base64!', deviceId: 'desk-fran-01' },
				{ username: 42, authKey: key, deviceId: 'desk-fran-01' }
			];
			for (const body of bad) {
				expect(await post('/auth/login', body), JSON.stringify(body)).toMatchObject({
					status: 400,
					body: { error: 'bad-request' }
				});
			}
			const get = await fetch(`${relay.httpUrl}/auth/login`);
			expect(get.status).toBe(405);
			expect(get.headers.get('allow')).toBe('POST');
			const form = await fetch(`${relay.httpUrl}/auth/login`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: 'username=fran'
			});
			expect(form.status).toBe(415);
			const huge = await post('/auth/prelogin', { username: 'x'.repeat(70 * 1024) });
			expect(huge.status).toBe(413);
		});

		it('lets a billing token read the schedule but drops its writes', async () => {
			const s = await session('bill');
			const writerToken = await token(identity, { sub: 'writer', docs: ['*'] });
			const writerDoc = new Y.Doc();
			const readerDoc = new Y.Doc();
			const writer = provider(relay.wsUrl, 'schedule/2026-06', writerDoc, writerToken);
			const reader = provider(relay.wsUrl, 'schedule/2026-06', readerDoc, s.accessToken);
			await Promise.all([whenSynced(writer), whenSynced(reader)]);
			writerDoc.getMap('appointments').set('w', 'by writer');
			await eventually(() => readerDoc.getMap('appointments').get('w') === 'by writer');
			readerDoc.getMap('appointments').set('r', 'by billing');
			// Awareness is the barrier: once the writer sees the reader's presence, the relay has
			// handled every message the reader sent before it.
			reader.awareness.setLocalStateField('user', { name: 'bill' });
			await eventually(() => writer.awareness.getStates().get(readerDoc.clientID)?.user?.name === 'bill');
			writerDoc.getMap('appointments').set('w2', 'second');
			await eventually(() => readerDoc.getMap('appointments').get('w2') === 'second');
			expect([...writerDoc.getMap('appointments').keys()].sort()).toEqual(['w', 'w2']);
			writer.destroy();
			reader.destroy();
		});
	});

	describe('the role matrix through the relay', () => {
		const sampleDoc: Record<Exclude<Scope, 'audit'>, string> = {
			directory: 'directory',
			schedule: 'schedule/2026-07',
			patients: 'patients/b',
			clinical: 'clinical/2026-07',
			billing: 'billing/2026-07',
			inventory: 'inventory',
			comms: 'comms/2026-07'
		};
		const usernameOf: Record<Role, string> = {
			administrator: 'ada',
			'front-desk': 'fran',
			billing: 'bill',
			'medical-secretary': 'meg',
			physician: 'phil',
			'office-manager': 'otto'
		};
		const deviceOf = (r: Role) => `device-${r}`;
		const OTHER_DEVICE = 'device-somebody-else';

		/** What each role may do with each probed document, straight from the matrix. */
		function expected(r: Role): Map<string, 'none' | 'read' | 'write'> {
			const out = new Map<string, 'none' | 'read' | 'write'>();
			for (const [s, doc] of Object.entries(sampleDoc) as [Exclude<Scope, 'audit'>, string][]) {
				out.set(doc, DEFAULT_ROLES[r][s]);
			}
			out.set('keyring', r === 'administrator' ? 'write' : 'read');
			for (const other of roleEnum.options)
				out.set(`audit/${deviceOf(other)}/2026-11`, other === r ? 'write' : 'none');
			out.set(`audit/${OTHER_DEVICE}/2026-11`, 'none');
			if (DEFAULT_ROLES[r].audit !== 'none') {
				for (const other of roleEnum.options)
					if (other !== r) out.set(`audit/${deviceOf(other)}/2026-11`, 'read');
				out.set(`audit/${OTHER_DEVICE}/2026-11`, 'read');
			}
			return out;
		}

		const probeDocs = () => [...expected('administrator').keys()];

		/** Opens every probed document on one socket and tries to write `role` into each. */
		async function probe(r: Role, jwt: string): Promise<Map<string, 'none' | 'open'>> {
			const mux = new MuxClient(relay.wsUrl, jwt);
			await mux.opened;
			const docs = probeDocs();
			const outcome = new Map<string, 'none' | 'open'>();
			const update = (() => {
				const d = new Y.Doc();
				d.getMap('probe').set(r, true);
				return Y.encodeStateAsUpdate(d);
			})();
			await Promise.all(
				docs.map(async (docName, i) => {
					const channel = i + 1;
					mux.send({ type: 'open', channel, docName });
					const first = await mux.waitFor((f) => f.type !== 'auth' && f.channel === channel);
					if (first.type === 'close') {
						expect(first.code, `${r} ${docName}`).toBe(4403);
						outcome.set(docName, 'none');
						return;
					}
					outcome.set(docName, 'open');
					// Sync step 2 carrying the update: applied at once if this channel may write.
					mux.send({ type: 'message', channel, payload: syncMessage(1, update) });
					const before = mux.frames.length;
					mux.send({ type: 'message', channel, payload: new Uint8Array([3]) });
					await mux.waitFor(
						(f) =>
							f.type === 'message' &&
							f.channel === channel &&
							f.payload[0] === 1 &&
							mux.frames.indexOf(f) >= before
					);
				})
			);
			mux.close();
			return outcome;
		}

		it('grants each role exactly what DEFAULT_ROLES says, plus keyring and its own audit log', async () => {
			const opened = new Map<Role, Map<string, 'none' | 'open'>>();
			for (const r of roleEnum.options) {
				const s = await session(usernameOf[r], deviceOf(r));
				expect(s.role).toBe(r);
				opened.set(r, await probe(r, s.accessToken));
			}
			// Who managed to write what: read back with an all-documents token.
			const observerToken = await token(identity, { sub: 'observer', docs: ['*'], access: 'read' });
			const written = new Map<string, string[]>();
			for (const docName of probeDocs()) {
				const d = new Y.Doc();
				const p = provider(relay.wsUrl, docName, d, observerToken);
				await whenSynced(p);
				written.set(docName, [...d.getMap('probe').keys()].sort());
				p.destroy();
			}
			const actual: Record<string, Record<string, string>> = {};
			const wanted: Record<string, Record<string, string>> = {};
			for (const r of roleEnum.options) {
				actual[r] = {};
				wanted[r] = {};
				for (const [docName, access] of expected(r)) {
					wanted[r][docName] = access;
					const open = opened.get(r)!.get(docName) === 'open';
					actual[r][docName] = !open ? 'none' : written.get(docName)!.includes(r) ? 'write' : 'read';
				}
			}
			expect(actual).toEqual(wanted);
		});

		it('applies a role change at the next refresh', async () => {
			const s = await session('otto', 'device-otto-02');
			expect(decodeJwt(s.accessToken).role).toBe('office-manager');
			const otto = users.get('otto')!.id;
			await keyring.setRole(admin, otto, 'front-desk');
			await relayHas((k) => k.user(otto)?.role === 'front-desk');
			const next = await post('/auth/refresh', { refreshToken: s.refreshToken });
			expect(next.status).toBe(200);
			expect(next.body.role).toBe('front-desk');
			const claims = decodeJwt(next.body.accessToken as string);
			expect(claims.role).toBe('front-desk');
			expect(claims.write).toContain('schedule/');
			expect(claims.docs).not.toContain('inventory');
			// The device id of the original login is kept.
			expect(claims.write).toContain('audit/device-otto-02/');
		});
	});

	describe('audit log listing', () => {
		it('lists every workstation’s audit log to an administrator, and to nobody else', async () => {
			const get = (jwt: string) =>
				fetch(`${relay.httpUrl}/auth/audit-logs`, { headers: { Authorization: `Bearer ${jwt}` } });
			// Two workstations' logs reach the relay (each user writes its own device's log).
			for (const [user, device] of [
				['fran', 'desk-one-0001'],
				['meg', 'desk-two-0002']
			] as const) {
				const s = await session(user, device);
				const d = new Y.Doc();
				d.getMap('chains').set('c-000000000001', new Y.Array());
				const p = provider(relay.wsUrl, `audit/${device}/2026-11`, d, s.accessToken);
				await whenSynced(p);
				p.destroy();
			}
			const adminSession = await session('ada', 'desk-admin-01');
			await eventually(async () => {
				const res = await get(adminSession.accessToken);
				const body = (await res.json()) as { docs: string[] };
				return (
					res.status === 200 &&
					['audit/desk-one-0001/2026-11', 'audit/desk-two-0002/2026-11'].every((n) => body.docs.includes(n))
				);
			});
			expect((await get((await session('fran', 'desk-one-0001')).accessToken)).status).toBe(403);
			expect((await get('not-a-token')).status).toBe(401);
			expect((await fetch(`${relay.httpUrl}/auth/audit-logs`)).status).toBe(401);
		});
	});

	describe('refresh', () => {
		it('rotates the refresh token, and a reused one revokes its whole family', async () => {
			const first = await session('meg', 'desk-meg-01');
			const other = await session('meg', 'desk-meg-02');
			const r2 = await post('/auth/refresh', { refreshToken: first.refreshToken });
			expect(r2.status).toBe(200);
			expect(r2.body).toMatchObject({ userId: users.get('meg')!.id, role: 'medical-secretary' });
			expect(r2.body.refreshToken).not.toBe(first.refreshToken);
			const ws = await tryConnect(
				`${relay.wsUrl}/clinical/2026-05`,
				subprotocolsFor(r2.body.accessToken as string)
			);
			expect(ws.status).toBe(101);
			ws.ws?.close();
			const r3 = await post('/auth/refresh', { refreshToken: r2.body.refreshToken });
			expect(r3.status).toBe(200);

			// The first token again: someone else holds a copy. Its family is revoked…
			const reused = await post('/auth/refresh', { refreshToken: first.refreshToken });
			expect(reused).toMatchObject({ status: 401, body: { error: 'invalid-refresh' } });
			const latest = await post('/auth/refresh', { refreshToken: r3.body.refreshToken });
			expect(latest).toMatchObject({ status: 401, body: { error: 'invalid-refresh' } });
			// …but not the same user's login on another workstation.
			const elsewhere = await post('/auth/refresh', { refreshToken: other.refreshToken });
			expect(elsewhere.status).toBe(200);
		});

		it('refuses unknown and malformed refresh tokens', async () => {
			const made = crypto.randomBytes(32).toString('base64url');
			expect(await post('/auth/refresh', { refreshToken: made })).toMatchObject({
				status: 401,
				body: { error: 'invalid-refresh' }
			});
			expect((await post('/auth/refresh', { refreshToken: 'short' })).status).toBe(401);
			expect((await post('/auth/refresh', {})).status).toBe(400);
		});
	});

	describe('disabled accounts', () => {
		it('are refused at login and at refresh, and their refresh family is revoked', async () => {
			const s = await session('dora');
			const dora = users.get('dora')!.id;
			keyring.setDisabled(admin, dora, true);
			await relayHas((k) => k.user(dora)?.disabled === true);
			expect(await login('dora')).toMatchObject({ status: 403, body: { error: 'disabled' } });
			// A wrong key still says only invalid-login: "disabled" is not told to a guesser.
			expect((await login('dora', undefined, crypto.randomBytes(32))).status).toBe(401);
			const refreshed = await post('/auth/refresh', { refreshToken: s.refreshToken });
			expect(refreshed).toMatchObject({ status: 403, body: { error: 'disabled' } });

			keyring.setDisabled(admin, dora, false);
			await relayHas((k) => k.user(dora)?.disabled === false);
			expect((await login('dora', 'desk-dora-02')).status).toBe(200);
			// Enabled again, the old session stays ended.
			const again = await post('/auth/refresh', { refreshToken: s.refreshToken });
			expect(again.status).toBe(401);
		});
	});

	describe('passphrase change', () => {
		const NEW_PASS = 'a brand new passphrase';
		let newBag: Awaited<ReturnType<typeof changeKeybagPassphrase>>;

		it('refuses a keybag whose public key or wrapped keys changed, and a wrong current key', async () => {
			const phil = users.get('phil')!;
			const bag = keyring.bag(phil.id)!;
			newBag = await changeKeybagPassphrase(bag, rolePass('physician'), NEW_PASS, new Date().toISOString());
			const key = toB64(authKeys.get('phil')!);
			const otherKey = keyring.bag(users.get('fran')!.id)!.publicKey;
			const swapped = await post('/auth/passphrase', {
				username: 'phil',
				authKey: key,
				keybag: { ...newBag, publicKey: otherKey }
			});
			expect(swapped).toMatchObject({ status: 409, body: { error: 'keybag-mismatch' } });
			const fewerKeys = await post('/auth/passphrase', {
				username: 'phil',
				authKey: key,
				keybag: { ...newBag, keys: {} }
			});
			expect(fewerKeys.status).toBe(409);
			const someoneElse = await post('/auth/passphrase', {
				username: 'phil',
				authKey: key,
				keybag: { ...newBag, id: users.get('fran')!.id }
			});
			expect(someoneElse.status).toBe(409);
			const wrongKey = await post('/auth/passphrase', {
				username: 'phil',
				authKey: toB64(crypto.randomBytes(32)),
				keybag: newBag
			});
			expect(wrongKey).toMatchObject({ status: 401, body: { error: 'invalid-login' } });
			const broken = await post('/auth/passphrase', {
				username: 'phil',
				authKey: key,
				keybag: { ...newBag, verifier: 'nope' }
			});
			expect(broken).toMatchObject({ status: 400, body: { error: 'bad-request' } });
			expect(keyring.bag(phil.id)!.verifier).toBe(bag.verifier);
			expect((await login('phil')).status).toBe(200);
		});

		it('replaces the verifier: the old key fails, the new one works, and workstations see it', async () => {
			const phil = users.get('phil')!;
			const res = await post('/auth/passphrase', {
				username: 'phil',
				authKey: toB64(authKeys.get('phil')!),
				keybag: newBag
			});
			expect(res).toMatchObject({ status: 200, body: { ok: true } });
			expect((await login('phil')).status).toBe(401);
			const fresh = await authKeyFor('phil', NEW_PASS);
			expect((await login('phil', undefined, fresh)).status).toBe(200);
			authKeys.set('phil', fresh);
			// The relay's edit reaches the workstations' keyring like any other change.
			await eventually(() => keyring.bag(phil.id)?.verifier === newBag.verifier);
			const bag = keyring.bag(phil.id)!;
			expect(bag.salt).toBe(newBag.salt);
			expect(bag.privateKey).toEqual(newBag.privateKey);
			expect(keyring.user(phil.id)!.mustChangePassphrase).toBe(false);
			// Stored through the relay's update log, audited as the user's own change.
			await eventually(() => keyringAudit().some((r) => r.user_id === phil.id));
			const rows = keyringAudit().filter((r) => r.user_id === phil.id);
			expect(rows.length).toBe(1);
			expect(rows[0]!.role).toBe('physician');
			// And the app's own unlock opens the changed keybag with the new passphrase.
			await expect(keyring.unlock('phil', NEW_PASS)).resolves.toMatchObject({ user: { id: phil.id } });
		});
	});

	describe('attempt limits', () => {
		it('answers 429 with Retry-After once a name has had its burst of attempts', async () => {
			const statuses: number[] = [];
			let retryAfter: string | null = null;
			for (let i = 0; i < 22; i++) {
				const res = await login('mallory', 'desk-mallory-1', crypto.randomBytes(32));
				statuses.push(res.status);
				if (res.status === 429) {
					expect(res.body).toEqual({ error: 'too-many-attempts' });
					retryAfter = res.headers.get('retry-after');
				}
			}
			expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
			expect(statuses.slice(20)).toEqual([429, 429]);
			expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
			// Other names from the same address are not held up.
			expect((await login('fran')).status).toBe(200);
		});
	});

	describe('across a restart', () => {
		it('keeps refresh tokens and the relay-written passphrase change', async () => {
			const s = await session('phil');
			// Without the setup workstation, so only what the relay stored can answer.
			keyringSync.destroy();
			setupGone = true;
			await relay.stop();
			relay = await startRelay({ identity, dataDir, env });
			expect((await login('phil')).status).toBe(200);
			const refreshed = await post('/auth/refresh', { refreshToken: s.refreshToken });
			expect(refreshed.status).toBe(200);
		});
	});
});
