/**
 * Child processes and temporary directories for the sync benchmarks, set up so that nothing is left
 * behind: every child runs under guard.ts, whose stdin is a pipe from this process. However the
 * benchmark ends — normally, by an exception, or SIGKILLed by the harness's timeout — the pipe
 * closes, and the guard kills its child and removes the directories it was given.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const GUARD = path.join(ROOT, 'bench/support/guard.ts');
/** Enough of a child's output to explain a failure; older output is dropped. */
const KEEP_OUTPUT = 64 * 1024;

export interface Guarded {
	/** The command's own pid (not the guard's), for /proc. */
	pid: number;
	/** The most recent output (stdout and stderr). */
	output(): string;
	/** Resolves with the first match of `re` in the output, waiting for it if need be. */
	waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
	/** SIGTERM, then SIGKILL if the command has not exited after `graceMs`; resolves with the exit code. */
	stop(graceMs?: number): Promise<number | null>;
	exited: Promise<number | null>;
}

type GuardProcess = ChildProcessByStdio<Writable, Readable, Readable>;

function startGuard(
	rm: string[],
	command: string[],
	env: NodeJS.ProcessEnv
): { guard: GuardProcess; exited: Promise<number | null> } {
	const guard = spawn(process.execPath, ['--import', 'tsx', GUARD, JSON.stringify({ rm }), ...command], {
		cwd: ROOT,
		env,
		stdio: ['pipe', 'pipe', 'pipe']
	});
	// The guard may be gone before we write or close; that must not throw here.
	guard.stdin.on('error', () => undefined);
	const exited = new Promise<number | null>((resolve) => guard.once('exit', (code) => resolve(code)));
	return { guard, exited };
}

/** Runs `command` under a guard, with exactly `env` (nothing else is inherited). */
export async function spawnGuarded(command: string[], env: NodeJS.ProcessEnv): Promise<Guarded> {
	const { guard, exited } = startGuard([], command, env);
	let out = '';
	const waiters = new Set<() => void>();
	const onData = (chunk: Buffer) => {
		out = (out + chunk.toString()).slice(-KEEP_OUTPUT);
		for (const w of [...waiters]) w();
	};
	guard.stdout.on('data', onData);
	guard.stderr.on('data', onData);
	void exited.then(() => {
		for (const w of [...waiters]) w();
	});

	const waitFor = (re: RegExp, timeoutMs: number) =>
		new Promise<RegExpExecArray>((resolve, reject) => {
			const check = () => {
				const m = re.exec(out);
				if (m) {
					done();
					resolve(m);
				} else if (guard.exitCode !== null || guard.signalCode !== null) {
					done();
					reject(new Error(`${command.join(' ')} exited before printing ${re}:\n${out.slice(-4000)}`));
				}
			};
			const timer = setTimeout(() => {
				done();
				reject(
					new Error(`${command.join(' ')} did not print ${re} within ${timeoutMs} ms:\n${out.slice(-4000)}`)
				);
			}, timeoutMs);
			const done = () => {
				clearTimeout(timer);
				waiters.delete(check);
			};
			waiters.add(check);
			check();
		});

	const pidMatch = await waitFor(/GUARD_CHILD_PID (-?\d+)/, 20_000);
	const pid = Number(pidMatch[1]);
	if (!(pid > 0)) throw new Error(`could not start ${command.join(' ')}:\n${out}`);

	return {
		pid,
		output: () => out,
		waitFor,
		exited,
		async stop(graceMs = 12_000) {
			if (guard.exitCode !== null || guard.signalCode !== null) return exited;
			guard.kill('SIGTERM');
			const timer = setTimeout(() => guard.stdin.destroy(), graceMs);
			const code = await exited;
			clearTimeout(timer);
			return code;
		}
	};
}

export interface TempRoot {
	dir: string;
	/** A fresh directory inside the root. */
	sub(name: string): string;
	dispose(): Promise<void>;
}

/**
 * A temporary directory for one benchmark file, removed by `dispose` — or, should this process be
 * killed first, by a janitor guard that notices its stdin closing.
 */
export function tempRoot(prefix: string): TempRoot {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clinicdesk-${prefix}-`));
	const { guard, exited } = startGuard([dir], [], { PATH: process.env.PATH ?? '' });
	guard.stdout.resume();
	guard.stderr.resume();
	return {
		dir,
		sub(name) {
			const p = path.join(dir, name);
			fs.mkdirSync(p, { recursive: true, mode: 0o700 });
			return p;
		},
		async dispose() {
			fs.rmSync(dir, { recursive: true, force: true });
			guard.stdin.destroy();
			await exited;
		}
	};
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
	if (!m) throw new Error(`no VmRSS for pid ${pid}`);
	return Number(m[1]) * 1024;
}

/** RSS once it stops moving: two readings 250 ms apart within 1 MB of each other, or after `maxMs`. */
export async function settledRss(pid: number, maxMs: number): Promise<number> {
	const deadline = Date.now() + maxMs;
	let last = rssBytes(pid);
	for (;;) {
		await sleep(250);
		const now = rssBytes(pid);
		if (Math.abs(now - last) < 1e6 || Date.now() > deadline) return now;
		last = now;
	}
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	// Fields after the command name (which may contain spaces) start after the last ')'.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	return (ticks * 1000) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it holds; throws after `timeoutMs`. */
export async function until(
	what: string,
	check: () => boolean,
	timeoutMs: number,
	everyMs = 10
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(everyMs);
	}
}
