/**
 * The two relays the sync benchmarks run, each as its own process under a guard (processes.ts):
 *
 * - the real relay: the esbuild bundle of sync-server/ under plain Node, as `npm start` runs it and
 *   as the integration tests start it (same environment contract, same build step, reused from
 *   tests/integration/support/relay.ts), with JWT auth and SQLite persistence in a temporary DATA_DIR;
 * - the bare relay (bare-relay.ts): y-websocket's classic server logic, no auth, in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { token } from '../../tests/integration/support/clients';
import {
	ensureRelayBuilt,
	newIdentity,
	type RelayIdentityForTests
} from '../../tests/integration/support/relay';
import { ROOT, spawnGuarded, type Guarded } from './processes';

export interface RelayProcess {
	kind: 'relay' | 'bare';
	proc: Guarded;
	port: number;
	/** `ws://127.0.0.1:<port>`; the real relay serves `/sync` and `/sync/<doc>` under it. */
	wsBase: string;
}

export interface RealRelay extends RelayProcess {
	kind: 'relay';
	identity: RelayIdentityForTests;
	dataDir: string;
}

export { newIdentity, type RelayIdentityForTests };

/**
 * `BENCH_RELAY_PROF_DIR=<dir>`: both relays run under `node --cpu-prof`, each writing its profile
 * into `<dir>/<kind>` when it stops (open them in Chrome DevTools).
 */
function profileArgs(kind: RelayProcess['kind']): string[] {
	const dir = process.env.BENCH_RELAY_PROF_DIR;
	if (!dir) return [];
	const out = path.join(path.resolve(dir), kind);
	fs.mkdirSync(out, { recursive: true });
	return ['--cpu-prof', `--cpu-prof-dir=${out}`, '--cpu-prof-interval=250'];
}

/**
 * Rate limits high enough never to trip: throughput runs send far more than the 300 messages/s a
 * connection may sustain by default, which would otherwise be what they measure. The limiter still
 * runs on every message.
 */
export const UNLIMITED_RATES: Record<string, string> = {
	SYNC_RATE_MESSAGES: '1000000',
	SYNC_RATE_BURST: '1000000',
	SYNC_RATE_BYTES: String(1024 * 1024 * 1024)
};

export async function startRealRelay(opts: {
	dataDir: string;
	appDir: string;
	identity: RelayIdentityForTests;
	env?: Record<string, string>;
}): Promise<RealRelay> {
	// BENCH_RELAY_BUNDLE=<file>: another build of the relay (e.g. an older commit's) to compare with.
	const bundle = process.env.BENCH_RELAY_BUNDLE
		? path.resolve(process.env.BENCH_RELAY_BUNDLE)
		: path.join(ROOT, 'build/server/main.js');
	if (!process.env.BENCH_RELAY_BUNDLE) await ensureRelayBuilt();
	if (!fs.existsSync(path.join(opts.appDir, 'index.html'))) {
		fs.mkdirSync(opts.appDir, { recursive: true });
		fs.writeFileSync(path.join(opts.appDir, 'index.html'), '<!doctype html><title>stub</title>');
	}
	const proc = await spawnGuarded([process.execPath, ...profileArgs('relay'), bundle], {
		PATH: process.env.PATH ?? '',
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: opts.dataDir,
		APP_DIR: opts.appDir,
		RELAY_JWT_SECRET: opts.identity.secret,
		CLINIC_ID: opts.identity.clinicId,
		// One line per connection at 'info' would be thousands of lines in the memory run.
		LOG_LEVEL: 'warn',
		...opts.env
	});
	try {
		const m = await proc.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 20_000);
		const port = Number(m[1]);
		return {
			kind: 'relay',
			proc,
			port,
			wsBase: `ws://127.0.0.1:${port}`,
			identity: opts.identity,
			dataDir: opts.dataDir
		};
	} catch (e) {
		await proc.stop();
		throw e;
	}
}

/** `cork`: the bare relay batches each turn's sends per socket as the real relay does (BARE_CORK). */
export async function startBareRelay(opts: { cork?: boolean } = {}): Promise<RelayProcess> {
	const proc = await spawnGuarded(
		[
			process.execPath,
			...profileArgs('bare'),
			'--import',
			'tsx',
			path.join(ROOT, 'bench/support/bare-relay.ts')
		],
		{ PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...(opts.cork ? { BARE_CORK: '1' } : {}) }
	);
	try {
		const m = await proc.waitFor(/bare relay listening on 127\.0\.0\.1:(\d+)/, 20_000);
		const port = Number(m[1]);
		return { kind: 'bare', proc, port, wsBase: `ws://127.0.0.1:${port}` };
	} catch (e) {
		await proc.stop();
		throw e;
	}
}

/** A write token for every document, valid for an hour. */
export function writeToken(relay: RealRelay, sub = 'bench'): Promise<string> {
	return token(relay.identity, { sub, docs: ['*'], ttlSeconds: 3600 });
}
