/**
 * The relay's login API as the workstation calls it (sync-server/login.ts is the other side).
 * Only the authentication key derived from the passphrase travels, never the passphrase, and that
 * key cannot unwrap anything (persistence/keywrap.ts). Tokens are kept in memory by the session.
 */
import { z } from 'zod';
import type { Keybag } from '../domain/security/users';

export const loginResponse = z.object({
	accessToken: z.string().min(1).max(8192),
	refreshToken: z.string().min(1).max(512),
	expiresAt: z.number(),
	clinicId: z.string().min(1).max(64),
	userId: z.string().min(1).max(64),
	role: z.string().min(1).max(40)
});
export type LoginResponse = z.infer<typeof loginResponse>;

/** Why a call failed: a reason code the screens turn into words. */
export class AuthError extends Error {
	override name = 'AuthError';
	constructor(
		readonly reason:
			| 'offline'
			| 'invalid-login'
			| 'invalid-refresh'
			| 'disabled'
			| 'no-users'
			| 'too-many-attempts'
			| 'server',
		readonly status = 0
	) {
		super(`Clinic server sign-in failed: ${reason}`);
	}
}

export interface AuthClientOptions {
	/** http(s) origin of the clinic server; defaults to the page's own origin. */
	baseUrl?: string;
	fetch?: typeof fetch;
}

export class AuthClient {
	private readonly base: string;
	private readonly doFetch: typeof fetch;

	constructor(opts: AuthClientOptions = {}) {
		this.base = opts.baseUrl ?? (typeof location !== 'undefined' ? location.origin : '');
		this.doFetch = opts.fetch ?? ((...a) => fetch(...a));
	}

	async prelogin(username: string): Promise<{ salt: string; iterations: number }> {
		const body = await this.post('/auth/prelogin', { username });
		return z.object({ salt: z.base64(), iterations: z.number().int() }).parse(body);
	}

	async login(username: string, authKey: Uint8Array, deviceId: string): Promise<LoginResponse> {
		return loginResponse.parse(await this.post('/auth/login', { username, authKey: b64(authKey), deviceId }));
	}

	async refresh(refreshToken: string): Promise<LoginResponse> {
		return loginResponse.parse(await this.post('/auth/refresh', { refreshToken }));
	}

	async changePassphrase(username: string, authKey: Uint8Array, keybag: Keybag): Promise<void> {
		await this.post('/auth/passphrase', { username, authKey: b64(authKey), keybag });
	}

	/** Names of every workstation's audit log on the relay (for an administrator's audit screen). */
	async auditLogs(accessToken: string): Promise<string[]> {
		let res: Response;
		try {
			res = await this.doFetch(`${this.base}/auth/audit-logs`, {
				headers: { Authorization: `Bearer ${accessToken}` },
				cache: 'no-store'
			});
		} catch {
			throw new AuthError('offline');
		}
		if (!res.ok) throw new AuthError('server', res.status);
		return z.object({ docs: z.array(z.string().max(80)).max(100_000) }).parse(await res.json()).docs;
	}

	private async post(path: string, payload: unknown): Promise<unknown> {
		let res: Response;
		try {
			res = await this.doFetch(`${this.base}${path}`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(payload),
				cache: 'no-store'
			});
		} catch {
			throw new AuthError('offline');
		}
		let body: unknown = null;
		try {
			body = await res.json();
		} catch {
			// A proxy's HTML error page: treated as a server problem below.
		}
		if (res.ok) return body;
		const code = (body as { error?: unknown } | null)?.error;
		const known = ['invalid-login', 'invalid-refresh', 'disabled', 'no-users', 'too-many-attempts'] as const;
		const reason = known.find((k) => k === code) ?? 'server';
		throw new AuthError(reason, res.status);
	}
}

function b64(bytes: Uint8Array): string {
	let s = '';
	for (const b of bytes) s += String.fromCharCode(b);
	return btoa(s);
}
