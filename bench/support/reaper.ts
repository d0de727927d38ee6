/**
 * Keeps a browser a benchmark launched from outliving the benchmark.
 *
 *   node --import tsx bench/support/reaper.ts <pid>
 *
 * Playwright starts Chromium itself (guard.ts cannot be its parent), so this process watches it
 * instead: when its stdin — a pipe from the benchmark — closes, however the benchmark ended, even
 * SIGKILLed by the harness's timeout, it SIGKILLs `pid` and every process descended from it
 * (renderers, the GPU and zygote processes). It does so only while `pid` is the process it was when
 * the reaper started (same start time), so a pid reused after an orderly close is left alone.
 */
import fs from 'node:fs';

const pid = Number(process.argv[2]);

/** Fields of /proc/<p>/stat after the command name (which may contain spaces), or null if gone. */
function statFields(p: number): string[] | null {
	try {
		const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return null;
	}
}

function parentOf(p: number): number | null {
	const f = statFields(p);
	return f ? Number(f[1]) : null;
}

/** Clock ticks after boot at which `p` started: with the pid, what identifies a process. */
const startTime = (p: number) => statFields(p)?.[19] ?? null;
const started = pid > 0 ? startTime(pid) : null;

function descendants(root: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of fs.readdirSync('/proc')) {
		const p = Number(entry);
		if (!Number.isInteger(p) || p <= 0) continue;
		const parent = parentOf(p);
		if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), p]);
	}
	const out: number[] = [];
	const queue = [root];
	while (queue.length) {
		const p = queue.shift()!;
		for (const c of children.get(p) ?? []) {
			out.push(c);
			queue.push(c);
		}
	}
	return out;
}

function reap(): void {
	if (started === null || startTime(pid) !== started) return;
	// Children first would let the browser respawn a renderer; the browser first orphans them, so
	// collect the tree before any kill.
	const tree = [pid, ...descendants(pid)];
	for (const p of tree) {
		try {
			process.kill(p, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
}

process.stdin.resume();
process.stdin.once('close', () => {
	reap();
	process.exit(0);
});
