/**
 * Seeded convergence runs over the real relay code in-process (see convergence/simulation.ts):
 * random edits, reorderings, lost connections, relay restarts and crashes, then every replica must
 * be equal and every edit accounted for.
 *
 * CONVERGENCE_SEEDS (default 200) runs that many seeds from CONVERGENCE_SEED_START (default 1);
 * CONVERGENCE_STEPS sets the length of each run and CONVERGENCE_TRACE=1 prints every step.
 * A run also fails as soon as the relay holds a partly applied update (Chaos.checkRelay). A failure
 * names its seed; replay it alone with
 *   CONVERGENCE_SEED_START=<seed> CONVERGENCE_SEEDS=1 npx vitest run tests/integration/convergence.test.ts
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSeed, START_TIME, type RunStats } from './convergence/simulation';

const SEEDS = setting('CONVERGENCE_SEEDS', 200);
const FIRST = setting('CONVERGENCE_SEED_START', 1);
const STEPS = setting('CONVERGENCE_STEPS', 250);
/** Stop after this many failing seeds: one is enough to debug, a few show a pattern. */
const MAX_FAILURES = 5;

let maxListeners = 10;

beforeAll(() => {
	// Only timers and clocks: microtasks and setImmediate stay real, so promise chains run between steps.
	vi.useFakeTimers({
		toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
		now: START_TIME
	});
	// Each y-websocket provider listens for the process's 'exit'; a run holds a dozen at once.
	maxListeners = process.getMaxListeners();
	process.setMaxListeners(100);
});

afterAll(() => {
	vi.useRealTimers();
	process.setMaxListeners(maxListeners);
});

describe('convergence', () => {
	it(
		`ends with every replica equal and every edit kept, over seeds ${FIRST}–${FIRST + SEEDS - 1}`,
		async () => {
			const failures: string[] = [];
			const totals = new Map<keyof RunStats, number>();
			const started = process.hrtime.bigint();
			const cpu = process.cpuUsage();
			for (let seed = FIRST; seed < FIRST + SEEDS && failures.length < MAX_FAILURES; seed++) {
				try {
					const { stats } = await runSeed(seed, STEPS);
					for (const [k, v] of Object.entries(stats) as [keyof RunStats, number][]) {
						totals.set(k, (totals.get(k) ?? 0) + v);
					}
				} catch (e) {
					failures.push(e instanceof Error ? e.message : String(e));
				}
			}
			const wallMs = (process.hrtime.bigint() - started) / 1_000_000n;
			const { user, system } = process.cpuUsage(cpu);
			const summary = [...totals].map(([k, v]) => `${k}=${v}`).join(' ');
			process.stdout.write(
				`convergence: seeds ${FIRST}–${FIRST + SEEDS - 1}, ${STEPS} steps each: ${wallMs} ms ` +
					`(cpu ${Math.round((user + system) / 1000)} ms); ${summary}\n`
			);
			if (failures.length > 0) {
				throw new Error(
					`${failures.length} seed(s) failed; replay one with ` +
						`CONVERGENCE_SEED_START=<seed> CONVERGENCE_SEEDS=1 CONVERGENCE_STEPS=${STEPS}\n\n` +
						failures.join('\n\n')
				);
			}
			if (SEEDS >= 20) {
				// The runs must exercise what they claim to: concurrent edits of one record, same field and
				// different fields, and a relay that forgets documents and reloads them.
				expect(totals.get('sameFieldConflicts')).toBeGreaterThan(0);
				expect(totals.get('otherFieldConflicts')).toBeGreaterThan(0);
				expect(totals.get('evictions')).toBeGreaterThan(0);
			}
		},
		60_000 + SEEDS * 2_000
	);

	it('replays a seed exactly', async () => {
		const a = await runSeed(FIRST, 120);
		const b = await runSeed(FIRST, 120);
		expect(b.stats).toEqual(a.stats);
		expect(b.fingerprint).toBe(a.fingerprint);
	});
});

function setting(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 1)
		throw new Error(`${name} must be a positive integer, got "${raw}"`);
	return value;
}
