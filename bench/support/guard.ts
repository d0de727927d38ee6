/**
 * Keeps a benchmark's helper process from outliving the benchmark.
 *
 *   node --import tsx bench/support/guard.ts '<json: { rm: string[] }>' [<command> [args…]]
 *
 * The guard starts the command with the guard's own environment, stdout and stderr, prints
 * `GUARD_CHILD_PID <pid>` first (so the benchmark can read the child's /proc entry), and then:
 * - when its stdin closes — the benchmark ended, however it ended, even by the harness's SIGKILL —
 *   it kills the command with SIGKILL;
 * - SIGTERM or SIGINT is passed on to the command (an orderly stop);
 * - when the command exits, it removes the `rm` directories and exits with the command's code.
 * Without a command it only waits for stdin to close and then removes the directories: a janitor
 * for a benchmark's temporary directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [spec = '{}', command, ...args] = process.argv.slice(2);
const parsed: unknown = JSON.parse(spec);
const rm =
	typeof parsed === 'object' && parsed !== null && 'rm' in parsed && Array.isArray(parsed.rm)
		? parsed.rm.filter((d): d is string => typeof d === 'string' && path.isAbsolute(d))
		: [];

function removeDirs(): void {
	for (const dir of rm) fs.rmSync(dir, { recursive: true, force: true });
}

process.stdin.resume();

if (!command) {
	process.stdin.once('close', () => {
		removeDirs();
		process.exit(0);
	});
} else {
	const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
	process.stdout.write(`GUARD_CHILD_PID ${child.pid ?? -1}\n`);
	const kill = (signal: NodeJS.Signals) => {
		if (child.exitCode === null && child.signalCode === null) child.kill(signal);
	};
	process.stdin.once('close', () => kill('SIGKILL'));
	process.on('SIGTERM', () => kill('SIGTERM'));
	process.on('SIGINT', () => kill('SIGTERM'));
	child.once('error', (err) => {
		process.stderr.write(`guard: could not start ${command}: ${err.message}\n`);
		removeDirs();
		process.exit(1);
	});
	child.once('exit', (code, signal) => {
		removeDirs();
		process.exit(code ?? (signal ? 1 : 0));
	});
}
