/**
 * A CPU profile of merge.bench.ts's "one diff each way" merge for one representation, outside the
 * harness (which only runs `*.bench.ts`):
 *
 *   node --expose-gc --cpu-prof --cpu-prof-dir=/tmp/merge-prof --import tsx bench/support/merge-profile.ts app
 *
 * (or any other name in merge-replicas.ts: `raw-json`, `raw-json+history`, `raw-json+history-string`,
 * `raw-nested`, `app+history`, `app+history-json`, `app-marks`, `app-marks+history`). The encode, apply
 * and re-read steps are functions of their own (`mergeEncode`, `mergeApply`, `mergeRead`) so a profile
 * viewer can isolate each. Prints the mean of each step over 5 runs after one warm-up, wall and CPU
 * time (process CPU, which a busy machine's waiting does not inflate).
 */
import * as Y from 'yjs';
import { demoMonth, planBoth, type Edit } from './merge-edits';
import { variants } from './merge-replicas';

const name = process.argv[2] ?? 'app';
const variant = variants.find((v) => v.name === name);
if (!variant) throw new Error(`Unknown variant ${name}; one of ${variants.map((v) => v.name).join(', ')}`);
const RUNS = 5;

function docWithId(clientID: number): Y.Doc {
	const doc = new Y.Doc();
	doc.clientID = clientID;
	return doc;
}

function offline(baseState: Uint8Array, id: number, by: string, plan: readonly Edit[]): Uint8Array {
	const doc = docWithId(id);
	Y.applyUpdate(doc, baseState);
	for (const edit of plan) variant!.apply(doc, edit, by);
	return Y.encodeStateAsUpdate(doc);
}

function mergeEncode(a: Y.Doc, b: Y.Doc): [toA: Uint8Array, toB: Uint8Array] {
	return [Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))];
}

function mergeApply(a: Y.Doc, b: Y.Doc, toA: Uint8Array, toB: Uint8Array): void {
	Y.applyUpdate(b, toB);
	Y.applyUpdate(a, toA);
}

function mergeRead(a: Y.Doc, b: Y.Doc): void {
	variant!.read(a);
	variant!.read(b);
}

const ctx = demoMonth(false);
const plans = planBoth(ctx, 5_000);
const seed = docWithId(1);
variant.writeAll(seed, ctx.base);
const baseState = Y.encodeStateAsUpdate(seed);
const stateA = offline(baseState, 2, '6f1c1b9e-2f43-4f43-9a51-0b1e2d3c4a5b', plans.A);
const stateB = offline(baseState, 3, '0c9d8e7f-6a5b-4c3d-8e1f-2a3b4c5d6e7f', plans.B);

function cpuMs(): number {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
}

const sums = { encode: 0, apply: 0, read: 0 };
const cpu = { encode: 0, apply: 0, read: 0 };
for (let i = 0; i <= RUNS; i++) {
	const a = docWithId(12);
	const b = docWithId(13);
	Y.applyUpdate(a, stateA);
	Y.applyUpdate(b, stateB);
	// As the bench does: a full GC first (with --expose-gc), so no earlier garbage is collected inside the steps.
	(globalThis as { gc?: () => void }).gc?.();
	const c0 = cpuMs();
	const t0 = performance.now();
	const [toA, toB] = mergeEncode(a, b);
	const t1 = performance.now();
	const c1 = cpuMs();
	mergeApply(a, b, toA, toB);
	const t2 = performance.now();
	const c2 = cpuMs();
	mergeRead(a, b);
	const t3 = performance.now();
	const c3 = cpuMs();
	if (i > 0) {
		sums.encode += t1 - t0;
		sums.apply += t2 - t1;
		sums.read += t3 - t2;
		cpu.encode += c1 - c0;
		cpu.apply += c2 - c1;
		cpu.read += c3 - c2;
	}
	a.destroy();
	b.destroy();
}
const mean = (ms: number) => `${(ms / RUNS).toFixed(0)} ms`;
process.stderr.write(
	`${name}: encode ${mean(sums.encode)}, apply ${mean(sums.apply)}, read ${mean(sums.read)}; ` +
		`CPU encode ${mean(cpu.encode)}, apply ${mean(cpu.apply)}, read ${mean(cpu.read)} (mean of ${RUNS})\n`
);
