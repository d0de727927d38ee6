import path from 'node:path';

export interface SyncLimits {
	/** Largest WebSocket message accepted; must hold one month's document as a single update. */
	maxPayload: number;
	/** Per connection: sustained messages per second and the burst allowed above it. */
	messagesPerSecond: number;
	messageBurst: number;
	/** Per connection: sustained bytes per second (the burst is twice maxPayload or more). */
	bytesPerSecond: number;
	/** Documents one multiplexed connection may hold open at once. */
	maxChannels: number;
	/** A document with no subscribers for this long is compacted and dropped from memory. */
	idleEvictMs: number;
	/** Appended updates after which a document's log is compacted into one snapshot. */
	compactEvery: number;
	/** Tokens older than this (from their iat) are refused whatever their exp says. */
	tokenMaxAgeSeconds: number;
}

/** The login API (/auth/*): token lifetimes and attempt limits. */
export interface AuthSettings {
	/** Lifetime of an access token issued at login or refresh (capped by tokenMaxAgeSeconds). */
	accessTokenSeconds: number;
	/** Lifetime of a refresh token; each refresh issues a new one with a fresh lifetime. */
	refreshTokenDays: number;
	/** Login and passphrase attempts per client address and username: sustained per minute, burst. */
	attemptsPerMinute: number;
	attemptBurst: number;
	/** Every /auth/ request per client address: sustained per minute, burst. */
	requestsPerMinute: number;
	requestBurst: number;
	/** Take the client address from X-Forwarded-For (its last entry) when behind a reverse proxy. */
	trustProxy: boolean;
}

export interface RelayConfig {
	host: string;
	port: number;
	dataDir: string;
	appDir: string;
	/** Origins allowed to open sync sockets; empty means same-origin only. */
	allowedOrigins: string[];
	sync: SyncLimits;
	auth: AuthSettings;
}

const MiB = 1024 * 1024;

/** Reads the relay's settings from the environment; every value has an embedded default. */
export function loadConfig(
	env: NodeJS.ProcessEnv = process.env,
	defaultAppDir = path.resolve(import.meta.dirname, '../app')
): RelayConfig {
	const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
	}
	const int = (name: string, fallback: number, min: number, max: number) =>
		intSetting(env, name, fallback, min, max);
	return {
		host: env.HOST || '0.0.0.0',
		port,
		dataDir: path.resolve(env.DATA_DIR || 'data'),
		appDir: env.APP_DIR ? path.resolve(env.APP_DIR) : defaultAppDir,
		allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean),
		sync: {
			maxPayload: int('SYNC_MAX_PAYLOAD', 4 * MiB, 64 * 1024, 256 * MiB),
			messagesPerSecond: int('SYNC_RATE_MESSAGES', 300, 1, 1_000_000),
			messageBurst: int('SYNC_RATE_BURST', 1000, 1, 1_000_000),
			bytesPerSecond: int('SYNC_RATE_BYTES', 8 * MiB, 1024, 1024 * MiB),
			maxChannels: int('SYNC_MAX_CHANNELS', 256, 1, 65536),
			idleEvictMs: int('SYNC_IDLE_EVICT_MS', 60_000, 0, 24 * 3600_000),
			compactEvery: int('SYNC_COMPACT_EVERY', 500, 1, 1_000_000),
			tokenMaxAgeSeconds: int('TOKEN_MAX_AGE_SECONDS', 24 * 3600, 60, 30 * 24 * 3600)
		},
		auth: {
			accessTokenSeconds: int('ACCESS_TOKEN_SECONDS', 15 * 60, 60, 24 * 3600),
			refreshTokenDays: int('REFRESH_TOKEN_DAYS', 14, 1, 365),
			attemptsPerMinute: int('AUTH_RATE_ATTEMPTS', 10, 1, 10_000),
			attemptBurst: int('AUTH_RATE_ATTEMPT_BURST', 20, 1, 10_000),
			requestsPerMinute: int('AUTH_RATE_REQUESTS', 60, 1, 100_000),
			requestBurst: int('AUTH_RATE_REQUEST_BURST', 120, 1, 100_000),
			trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true'
		}
	};
}

function intSetting(
	env: NodeJS.ProcessEnv,
	name: string,
	fallback: number,
	min: number,
	max: number
): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
	}
	return value;
}
