/**
 * Benchmark harness: `npm run bench`.
 *
 * Runs every `bench/*.bench.ts` in its own child process (`node --expose-gc --import tsx <file>`),
 * one at a time, so each file gets a fresh heap and its memory numbers do not include another's
 * leftovers, and two benchmarks never compete for the machine's cores. A child reports each metric
 * as a stdout line `BENCH_RESULT {json}` (bench/lib.ts `emit`). The harness prints a table and writes
 * the results as JSON; benchmarks are reported, never asserted.
 *
 * Environment:
 *   BENCH_FILTER=<substring>  only files whose name contains it (e.g. `codec`)
 *   BENCH_SMOKE=1             every benchmark with tiny sizes (for a test that checks they still run);
 *                             results go to bench/results/smoke.json so real numbers are not replaced
 *   BENCH_OUT=<path>          where to write the JSON (default bench/results/latest.json)
 *   BENCH_TIMEOUT_MS=<n>      per-file limit (default 30 min, 2 min in smoke mode)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = path.join(ROOT, 'bench');
const PREFIX = 'BENCH_RESULT ';

/**
 * @typedef {{ name: string, unit: string, value: number, baseline?: number, baselineName?: string,
 *   target?: number, notes?: string }} Metric
 * @typedef {{ date: string, smoke: boolean, loadAvg1: number, machine: { cpus: number, cpuModel: string,
 *   totalMemGiB: number, node: string }, metrics: Metric[] }} Report
 */

/** @param {unknown} m @returns {m is Metric} */
function isMetric(m) {
	if (typeof m !== 'object' || m === null) return false;
	const r = /** @type {Record<string, unknown>} */ (m);
	const optNumber = (/** @type {unknown} */ v) =>
		v === undefined || (typeof v === 'number' && Number.isFinite(v));
	const optString = (/** @type {unknown} */ v) => v === undefined || typeof v === 'string';
	return (
		typeof r.name === 'string' &&
		typeof r.unit === 'string' &&
		typeof r.value === 'number' &&
		Number.isFinite(r.value) &&
		optNumber(r.baseline) &&
		optString(r.baselineName) &&
		optNumber(r.target) &&
		optString(r.notes)
	);
}

export function machineInfo() {
	const cpus = os.cpus();
	return {
		cpus: cpus.length,
		cpuModel: cpus[0]?.model.trim() ?? 'unknown',
		totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
		node: process.version
	};
}

/** @param {string} [filter] */
export function benchFiles(filter) {
	return readdirSync(BENCH_DIR)
		.filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
		.sort()
		.map((f) => path.join(BENCH_DIR, f));
}

/**
 * @param {string} file
 * @param {{ env: NodeJS.ProcessEnv, timeoutMs: number }} opts
 * @returns {Promise<{ metrics: Metric[], error?: string }>}
 */
function runFile(file, { env, timeoutMs }) {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
			cwd: ROOT,
			env,
			stdio: ['ignore', 'pipe', 'inherit']
		});
		/** @type {Metric[]} */
		const metrics = [];
		/** @type {string[]} */
		const problems = [];
		const timer = setTimeout(() => {
			problems.push(`timed out after ${timeoutMs} ms`);
			child.kill('SIGKILL');
		}, timeoutMs);
		createInterface({ input: child.stdout }).on('line', (line) => {
			if (!line.startsWith(PREFIX)) {
				// Keep stdout for the table; whatever else a benchmark prints is progress.
				process.stderr.write(line + '\n');
				return;
			}
			try {
				const parsed = JSON.parse(line.slice(PREFIX.length));
				if (isMetric(parsed)) metrics.push(parsed);
				else problems.push(`malformed metric: ${line.slice(0, 200)}`);
			} catch {
				problems.push(`unparsable result line: ${line.slice(0, 200)}`);
			}
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code !== 0) problems.push(`exited with ${signal ?? `code ${code}`}`);
			else if (metrics.length === 0) problems.push('reported no metric');
			resolve(problems.length ? { metrics, error: problems.join('; ') } : { metrics });
		});
	});
}

/** @param {number} v @param {string} unit */
function formatValue(v, unit) {
	if (unit === 'bytes') {
		if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(2)} MB`;
		if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(1)} kB`;
		return `${v} B`;
	}
	if (unit === 'ms') return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;
	if (unit === 'bool') return v ? 'yes' : 'no';
	return `${v} ${unit}`;
}

/** @param {Metric[]} metrics */
export function formatTable(metrics) {
	const header = ['metric', 'value', 'vs baseline', 'target'];
	/** @type {string[][]} */
	const rows = [];
	for (const m of metrics) {
		const ratio = m.baseline ? `${(m.value / m.baseline).toFixed(2)}× ${m.baselineName ?? ''}`.trim() : '';
		rows.push([
			m.name,
			formatValue(m.value, m.unit),
			ratio,
			m.target === undefined ? '' : formatValue(m.target, m.unit)
		]);
	}
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
	const line = (/** @type {string[]} */ r) =>
		r
			.map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
			.join('  ')
			.trimEnd();
	return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * @param {{ filter?: string, smoke?: boolean, out?: string, timeoutMs?: number }} [options]
 * @returns {Promise<{ report: Report, out: string, failures: string[] }>}
 */
export async function runBenchmarks(options = {}) {
	const smoke = options.smoke ?? process.env.BENCH_SMOKE === '1';
	const filter = options.filter ?? process.env.BENCH_FILTER ?? '';
	const timeoutMs =
		options.timeoutMs ?? (Number(process.env.BENCH_TIMEOUT_MS) || (smoke ? 120_000 : 1_800_000));
	const out = path.resolve(
		ROOT,
		options.out ?? process.env.BENCH_OUT ?? `bench/results/${smoke ? 'smoke' : 'latest'}.json`
	);
	const files = benchFiles(filter);
	if (files.length === 0)
		throw new Error(`No bench/*.bench.ts matches BENCH_FILTER=${JSON.stringify(filter)}`);
	// Timings are only comparable on an otherwise idle machine; say so rather than hide it.
	const loadAvg1 = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
	if (!smoke && loadAvg1 > os.cpus().length / 2) {
		process.stderr.write(`⚠ load average ${loadAvg1} on ${os.cpus().length} cores: timings will be noisy\n`);
	}

	// The children read the mode from the environment, as when a file is run by hand.
	const env = { ...process.env, BENCH_SMOKE: smoke ? '1' : '' };
	/** @type {Metric[]} */
	const metrics = [];
	/** @type {string[]} */
	const failures = [];
	for (const file of files) {
		const name = path.relative(ROOT, file);
		process.stderr.write(`▶ ${name}${smoke ? ' (smoke)' : ''}\n`);
		const result = await runFile(file, { env, timeoutMs });
		metrics.push(...result.metrics);
		if (result.error) failures.push(`${name}: ${result.error}`);
	}

	/** @type {Report} */
	const report = { date: new Date().toISOString(), smoke, loadAvg1, machine: machineInfo(), metrics };
	mkdirSync(path.dirname(out), { recursive: true });
	writeFileSync(out, JSON.stringify(report, null, '\t') + '\n');
	return { report, out, failures };
}

async function main() {
	const { report, out, failures } = await runBenchmarks();
	const { machine } = report;
	process.stdout.write(
		`${formatTable(report.metrics)}\n\n${machine.cpus} × ${machine.cpuModel}, ${machine.totalMemGiB} GiB, ` +
			`Node ${machine.node}; ${report.metrics.length} metrics written to ${path.relative(ROOT, out)}\n`
	);
	for (const f of failures) process.stderr.write(`✗ ${f}\n`);
	if (failures.length) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	main().catch((err) => {
		process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
		process.exitCode = 1;
	});
}
