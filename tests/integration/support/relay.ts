/**
 * Starts the real relay (the esbuild bundle under plain Node, as `npm start` runs it) on a free
 * port with a temporary DATA_DIR and a stub app, and stops it with a signal. The bundle is built
 * once per source change; a lock directory keeps test files running in parallel from building it
 * at the same time (esbuild rewrites the file in place).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../../..');
const bundle = path.join(root, 'build/server/main.js');
const lockDir = path.join(root, 'build/.relay-build.lock');
const inputs = ['sync-server', 'src/lib/domain', 'scripts/build-server.mjs', 'package.json'];

function newestMtime(p: string): number {
	if (!fs.existsSync(p)) return 0;
	const st = fs.statSync(p);
	if (!st.isDirectory()) return p.endsWith('.test.ts') ? 0 : st.mtimeMs;
	let newest = 0;
	for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
	return newest;
}

function isFresh(): boolean {
	if (!fs.existsSync(bundle)) return false;
	const sources = Math.max(...inputs.map((p) => newestMtime(path.join(root, p))));
	return fs.statSync(bundle).mtimeMs >= sources;
}

export async function ensureRelayBuilt(): Promise<void> {
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	const deadline = Date.now() + 60_000;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			break;
		} catch {
			// A lock left by a killed run is stale after a minute.
			const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
			if (age > 60_000) fs.rmSync(lockDir, { recursive: true, force: true });
			if (Date.now() > deadline) throw new Error('timed out waiting for the relay build lock');
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	try {
		if (isFresh()) return;
		const r = spawnSync(process.execPath, ['scripts/build-server.mjs'], { cwd: root, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`relay build failed:\n${r.stderr}`);
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

export interface RelayIdentityForTests {
	secret: string;
	clinicId: string;
}

export interface RunningRelay {
	port: number;
	httpUrl: string;
	wsUrl: string;
	dataDir: string;
	child: ChildProcess;
	/** Everything the process printed so far. */
	output(): string;
	/** SIGTERM (or another signal) and wait for the exit code. */
	stop(signal?: NodeJS.Signals): Promise<number | null>;
	exited: Promise<number | null>;
}

const temporary: string[] = [];

/** Removes every directory made by tempDir (call it in afterAll, once the relays have stopped). */
export function removeTempDirs(): void {
	for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A directory for this test file, removed by removeTempDirs. */
export function tempDir(prefix: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clinicdesk-${prefix}-`));
	temporary.push(dir);
	return dir;
}

export function newIdentity(): RelayIdentityForTests {
	return { secret: crypto.randomBytes(32).toString('base64url'), clinicId: crypto.randomUUID() };
}

function stubApp(): string {
	const dir = tempDir('app');
	fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>stub</title>');
	return dir;
}

export async function startRelay(opts: {
	/** null: the relay reads or creates DATA_DIR/relay-secret and DATA_DIR/clinic-id itself. */
	identity: RelayIdentityForTests | null;
	dataDir?: string;
	env?: Record<string, string>;
}): Promise<RunningRelay> {
	const dataDir = opts.dataDir ?? tempDir('relay');
	const appDir = stubApp();
	const child = spawn(process.execPath, [bundle], {
		cwd: root,
		env: {
			PATH: process.env.PATH ?? '',
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			APP_DIR: appDir,
			...(opts.identity ? { RELAY_JWT_SECRET: opts.identity.secret, CLINIC_ID: opts.identity.clinicId } : {}),
			...opts.env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let out = '';
	child.stdout.on('data', (c: Buffer) => (out += c.toString()));
	child.stderr.on('data', (c: Buffer) => (out += c.toString()));
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const port = await new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`relay did not start:\n${out}`)), 15_000);
		const onData = () => {
			const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				child.stdout.off('data', onData);
				resolve(Number(m[1]));
			}
		};
		child.stdout.on('data', onData);
		void exited.then((code) => reject(new Error(`relay exited with ${code}:\n${out}`)));
	});
	return {
		port,
		httpUrl: `http://127.0.0.1:${port}`,
		wsUrl: `ws://127.0.0.1:${port}/sync`,
		dataDir,
		child,
		output: () => out,
		exited,
		async stop(signal = 'SIGTERM') {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			return exited;
		}
	};
}

export async function health(relay: RunningRelay): Promise<{ documents: number; connections: number }> {
	const res = await fetch(`${relay.httpUrl}/healthz`);
	return (await res.json()) as { documents: number; connections: number };
}
