/**
 * A logged-in user's relay tokens: logs in with the authentication key derived at unlock, refreshes
 * the short-lived access token a minute before it expires (rotating the refresh token), and when the
 * server cannot be reached keeps trying (with backoff, and at once when the browser says it is online
 * again), however long the workstation was offline. Both tokens live in memory only and are dropped
 * at lock; neither can decrypt local data, which needs the user's passphrase.
 */
import { AuthError, type AuthClient, type LoginResponse } from '../sync/auth-client';

export interface RelaySessionOptions {
	auth: AuthClient;
	username: string;
	authKey: Uint8Array;
	deviceId: string;
	/** Tokens from a login made moments ago (joining): used first instead of logging in again. */
	initial?: LoginResponse;
	onToken: (login: LoginResponse) => void;
	/** The server says this account is disabled (or gone): the session must end. */
	onRefused: (reason: 'disabled' | 'invalid-login') => void;
	now?: () => number;
}

const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 120_000;
const REFRESH_BEFORE_MS = 60_000;

export class RelaySession {
	private refreshToken: string | null = null;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private retryMs = RETRY_MIN_MS;
	private stopped = false;
	private running: Promise<void> | null = null;
	private readonly now: () => number;
	private initial: LoginResponse | null;

	constructor(private readonly opts: RelaySessionOptions) {
		this.now = opts.now ?? Date.now;
		this.initial = opts.initial ?? null;
		if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
	}

	/** Logs in now (or refreshes); resolves when this attempt ended either way. */
	start(): Promise<void> {
		this.running ??= this.cycle().finally(() => (this.running = null));
		return this.running;
	}

	stop(): void {
		this.stopped = true;
		this.refreshToken = null;
		this.initial = null;
		clearTimeout(this.timer);
		if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
	}

	private readonly onOnline = () => {
		clearTimeout(this.timer);
		void this.start();
	};

	private async cycle(): Promise<void> {
		if (this.stopped) return;
		try {
			const res = await this.obtain();
			if (this.stopped) return;
			this.refreshToken = res.refreshToken;
			this.retryMs = RETRY_MIN_MS;
			this.opts.onToken(res);
			this.later(Math.max(5_000, res.expiresAt - this.now() - REFRESH_BEFORE_MS));
		} catch (e) {
			if (this.stopped) return;
			const reason = e instanceof AuthError ? e.reason : 'server';
			if (reason === 'disabled' || reason === 'invalid-login') {
				this.opts.onRefused(reason);
				return;
			}
			this.later(this.retryMs);
			this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
		}
	}

	private async obtain(): Promise<LoginResponse> {
		const initial = this.initial;
		this.initial = null;
		if (initial && initial.expiresAt - this.now() > REFRESH_BEFORE_MS) return initial;
		if (initial) this.refreshToken ??= initial.refreshToken;
		if (this.refreshToken) {
			try {
				return await this.opts.auth.refresh(this.refreshToken);
			} catch (e) {
				// An expired or rotated-away refresh token: fall back to the key from this unlock.
				if (!(e instanceof AuthError) || e.reason !== 'invalid-refresh') throw e;
				this.refreshToken = null;
			}
		}
		return this.opts.auth.login(this.opts.username, this.opts.authKey, this.opts.deviceId);
	}

	private later(ms: number): void {
		clearTimeout(this.timer);
		this.timer = setTimeout(() => void this.start(), ms);
	}
}
