import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, type AuthClient, type LoginResponse } from '../sync';
import { RelaySession } from './relay-session';

const MIN = 60_000;

/** A relay that answers from a script: each call takes the next outcome. */
function fakeAuth(outcomes: ('ok' | AuthError)[]) {
	const calls: string[] = [];
	let n = 0;
	const answer = (kind: string): Promise<LoginResponse> => {
		calls.push(kind);
		const o = outcomes[Math.min(n++, outcomes.length - 1)]!;
		if (o instanceof AuthError) return Promise.reject(o);
		return Promise.resolve({
			accessToken: `access-${n}`,
			refreshToken: `refresh-${n}`,
			expiresAt: Date.now() + 15 * MIN,
			clinicId: 'clinic',
			userId: 'u',
			role: 'front-desk'
		});
	};
	const auth = {
		login: () => answer('login'),
		refresh: () => answer('refresh')
	} as unknown as AuthClient;
	return { auth, calls };
}

function session(auth: AuthClient, initial?: LoginResponse) {
	const tokens: string[] = [];
	const refused: string[] = [];
	const s = new RelaySession({
		auth,
		...(initial ? { initial } : {}),
		username: 'fran',
		authKey: new Uint8Array(32),
		deviceId: 'ws-test-0001',
		onToken: (l) => tokens.push(l.accessToken),
		onRefused: (r) => refused.push(r)
	});
	return { s, tokens, refused };
}

afterEach(() => vi.useRealTimers());

const joined = (expiresInMs: number): LoginResponse => ({
	accessToken: 'access-joined',
	refreshToken: 'refresh-joined',
	expiresAt: Date.now() + expiresInMs,
	clinicId: 'clinic',
	userId: 'u',
	role: 'front-desk'
});

describe('relay session tokens', () => {
	it("starts with a join's fresh tokens without logging in again, then refreshes with them", async () => {
		vi.useFakeTimers();
		const refreshed: string[] = [];
		const { auth, calls } = fakeAuth(['ok']);
		const refresh = auth.refresh.bind(auth);
		auth.refresh = (token: string) => (refreshed.push(token), refresh(token));
		const { s, tokens } = session(auth, joined(15 * MIN));
		await s.start();
		expect(calls).toEqual([]);
		expect(tokens).toEqual(['access-joined']);
		await vi.advanceTimersByTimeAsync(14.5 * MIN);
		expect(calls).toEqual(['refresh']);
		expect(refreshed).toEqual(['refresh-joined']);
		s.stop();
	});

	it("refreshes at once when a join's access token is about to expire", async () => {
		const { auth, calls } = fakeAuth(['ok']);
		const { s, tokens } = session(auth, joined(30_000));
		await s.start();
		expect(calls).toEqual(['refresh']);
		expect(tokens).toEqual(['access-1']);
		s.stop();
	});

	it('logs in, then refreshes a minute before the access token expires', async () => {
		vi.useFakeTimers();
		const { auth, calls } = fakeAuth(['ok']);
		const { s, tokens } = session(auth);
		await s.start();
		expect(calls).toEqual(['login']);
		await vi.advanceTimersByTimeAsync(13 * MIN);
		expect(calls).toEqual(['login']);
		await vi.advanceTimersByTimeAsync(1.5 * MIN);
		expect(calls).toEqual(['login', 'refresh']);
		expect(tokens).toEqual(['access-1', 'access-2']);
		s.stop();
	});

	it('keeps trying with backoff while the server is unreachable, however long', async () => {
		vi.useFakeTimers();
		const offline = new AuthError('offline');
		const { auth, calls } = fakeAuth([offline, offline, offline, offline, offline, offline, offline, 'ok']);
		const { s, tokens } = session(auth);
		await s.start();
		// Three days offline: the retries continue (backoff caps at two minutes) until one is answered,
		// and from then on the token is refreshed as usual.
		await vi.advanceTimersByTimeAsync(3 * 24 * 60 * MIN);
		expect(tokens[0]).toBe('access-8');
		expect(calls.slice(0, 8).every((c) => c === 'login')).toBe(true);
		expect(calls[8]).toBe('refresh');
		s.stop();
	});

	it('falls back to the login key when the refresh token is no longer accepted', async () => {
		vi.useFakeTimers();
		const { auth, calls } = fakeAuth(['ok', new AuthError('invalid-refresh', 401), 'ok']);
		const { s, tokens } = session(auth);
		await s.start();
		await vi.advanceTimersByTimeAsync(15 * MIN);
		expect(calls).toEqual(['login', 'refresh', 'login']);
		expect(tokens).toEqual(['access-1', 'access-3']);
		s.stop();
	});

	it('ends the session when the server says the account is disabled', async () => {
		vi.useFakeTimers();
		const { auth } = fakeAuth(['ok', new AuthError('disabled', 403)]);
		const { s, refused } = session(auth);
		await s.start();
		await vi.advanceTimersByTimeAsync(15 * MIN);
		expect(refused).toEqual(['disabled']);
		s.stop();
	});

	it('stops for good when stopped: no more calls', async () => {
		vi.useFakeTimers();
		const { auth, calls } = fakeAuth(['ok']);
		const { s } = session(auth);
		await s.start();
		s.stop();
		await vi.advanceTimersByTimeAsync(60 * MIN);
		expect(calls).toEqual(['login']);
	});
});
