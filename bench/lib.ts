/**
 * Helpers for benchmark files (`bench/*.bench.ts`).
 *
 * Each benchmark file runs in its own `node --expose-gc --import tsx` process started by
 * scripts/bench.mjs, so heap numbers are not polluted by other benchmarks. A file reports each
 * metric as one stdout line `BENCH_RESULT {json}`; anything else it wants to say goes to stderr so
 * the harness's table stays readable.
 */

export interface Metric {
	name: string;
	unit: string;
	value: number;
	/** The comparable number this one should be read against (e.g. the same measure for another codec). */
	baseline?: number;
	baselineName?: string;
	/** A budget from ARCHITECTURE.md or an issue; benchmarks report it, they never fail on it. */
	target?: number;
	notes?: string;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

/** `BENCH_SMOKE=1`: tiny sizes, so a test can check that every benchmark still runs end to end. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

export function emit(metric: Metric): void {
	if (!Number.isFinite(metric.value)) throw new Error(`Metric ${metric.name} is not a finite number`);
	process.stdout.write(RESULT_PREFIX + JSON.stringify(metric) + '\n');
}

export function log(message: string): void {
	process.stderr.write(message + '\n');
}

/** Milliseconds taken by `fn`, from the monotonic high-resolution clock. */
export function timeMs(fn: () => void): number {
	const t0 = process.hrtime.bigint();
	fn();
	return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function median(values: readonly number[]): number {
	if (values.length === 0) throw new Error('median of no values');
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `sample` `runs` times and returns the median of what it returns (usually a `timeMs`). */
export function medianOf(runs: number, sample: () => number): number {
	const values: number[] = [];
	for (let i = 0; i < runs; i++) values.push(sample());
	return median(values);
}

/**
 * A full collection, so that a timed section does not pay for garbage left by the one before it and
 * heap readings count only live objects. Twice, because weak callbacks and finalizers run by the
 * first collection can free more on the second.
 */
export function gc(): void {
	const collect = globalThis.gc;
	if (!collect) throw new Error('Run with node --expose-gc (npm run bench does)');
	collect();
	collect();
}

/** Live JS heap bytes after a full collection. */
export function heapUsed(): number {
	gc();
	return process.memoryUsage().heapUsed;
}

/**
 * A place to park values so V8 cannot treat them as dead (and collect them, or skip computing them)
 * before a measurement is taken.
 */
const parked: unknown[] = [];
export function keep(value: unknown): void {
	parked.push(value);
}
export function release(): void {
	parked.length = 0;
}

/** `10000` → `10k`, for metric names. */
export function sizeLabel(n: number): string {
	if (n >= 1000 && n % 100 === 0) return `${n / 1000}k`;
	return String(n);
}
