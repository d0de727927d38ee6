import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/lib/domain/sync/claims';
import { createVerifier, signToken } from './auth';
import { loadIdentity, type RelayIdentity } from './identity';

const identity: RelayIdentity = { key: crypto.randomBytes(32), clinicId: 'clinic-1' };
const verify = createVerifier(identity, 24 * 3600);
const now = () => Math.floor(Date.now() / 1000);

function jwt(payload: Record<string, unknown>, o: { key?: Uint8Array; alg?: string } = {}) {
	return new SignJWT({
		sub: 'u1',
		role: 'front-desk',
		clinic: 'clinic-1',
		docs: ['directory'],
		access: 'write',
		iss: TOKEN_ISSUER,
		aud: TOKEN_AUDIENCE,
		iat: now(),
		exp: now() + 3600,
		...payload
	})
		.setProtectedHeader({ alg: o.alg ?? 'HS256' })
		.sign(o.key ?? identity.key);
}

describe('relay token verification', () => {
	it('accepts a token it signed and ends the grant at exp', async () => {
		const token = await signToken(identity, {
			sub: 'u1',
			role: 'nurse',
			docs: ['schedule/'],
			access: 'read',
			ttlSeconds: 600
		});
		const r = await verify(token);
		expect(r).toMatchObject({
			ok: true,
			claims: { sub: 'u1', role: 'nurse', docs: ['schedule/'], access: 'read' }
		});
		if (r.ok) expect(Math.abs(r.expiresAt - (Date.now() + 600_000))).toBeLessThan(2000);
	});

	it('ends the grant at iat + max age when exp is later', async () => {
		const r = await createVerifier(identity, 120)(await jwt({}));
		if (!r.ok) throw new Error(r.reason);
		expect(Math.abs(r.expiresAt - (Date.now() + 120_000))).toBeLessThan(2000);
	});

	it.each([
		['expired', () => jwt({ iat: now() - 7200, exp: now() - 3600 }), 'ERR_JWT_EXPIRED'],
		[
			'older than the maximum age',
			() => jwt({ iat: now() - 25 * 3600, exp: now() + 3600 }),
			'ERR_JWT_EXPIRED'
		],
		['for another audience', () => jwt({ aud: 'elsewhere' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
		['from another issuer', () => jwt({ iss: 'elsewhere' }), 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
		[
			'signed with another key',
			() => jwt({}, { key: crypto.randomBytes(32) }),
			'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
		],
		['signed with HS512', () => jwt({}, { alg: 'HS512' }), 'ERR_JOSE_ALG_NOT_ALLOWED'],
		['for another clinic', () => jwt({ clinic: 'clinic-2' }), 'other-clinic'],
		['with malformed claims', () => jwt({ docs: 'directory' }), 'bad-claims'],
		['with an unknown access level', () => jwt({ access: 'admin' }), 'bad-claims']
	])('refuses a token %s', async (_what, make, reason) => {
		expect(await verify(await make())).toEqual({ ok: false, reason });
	});

	it('refuses alg none, a token without exp, and garbage', async () => {
		const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
		const claims = { sub: 'u1', role: 'r', clinic: 'clinic-1', docs: ['*'], access: 'write' };
		const std = { iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, iat: now() };
		const none = `${part({ alg: 'none' })}.${part({ ...claims, ...std, exp: now() + 60 })}.`;
		expect((await verify(none)).ok).toBe(false);
		const noExp = await new SignJWT({ ...claims, ...std })
			.setProtectedHeader({ alg: 'HS256' })
			.sign(identity.key);
		expect(await verify(noExp)).toEqual({ ok: false, reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
		expect((await verify('a.b.c')).ok).toBe(false);
		expect(await verify('x'.repeat(9000))).toEqual({ ok: false, reason: 'token-length' });
	});
});

describe('relay identity', () => {
	it('creates the secret and clinic id once, private to the owner, and reuses them', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-id-'));
		const first = loadIdentity(dir, {});
		const second = loadIdentity(dir, {});
		expect(second).toEqual(first);
		expect(first.key.length).toBeGreaterThanOrEqual(32);
		expect(fs.statSync(path.join(dir, 'relay-secret')).mode & 0o777).toBe(0o600);
		expect(fs.statSync(path.join(dir, 'clinic-id')).mode & 0o777).toBe(0o600);
		fs.rmSync(dir, { recursive: true });
	});

	it('prefers the environment and refuses a short secret', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-id-'));
		const id = loadIdentity(dir, { RELAY_JWT_SECRET: 's'.repeat(32), CLINIC_ID: 'c-1' });
		expect(id.clinicId).toBe('c-1');
		expect(fs.existsSync(path.join(dir, 'relay-secret'))).toBe(false);
		expect(() => loadIdentity(dir, { RELAY_JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/);
		expect(() => loadIdentity(dir, { RELAY_JWT_SECRET: 's'.repeat(32), CLINIC_ID: 'a b' })).toThrow();
		fs.rmSync(dir, { recursive: true });
	});
});
