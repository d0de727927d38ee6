import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBenchmarks } from '../scripts/bench.mjs';

interface Metric {
	name: string;
	unit: string;
	value: number;
}

describe('benchmark code (smoke run with tiny sizes, no timing asserted)', () => {
	it('runs every benchmark and writes one metric per entry', async () => {
		const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')), 'smoke.json');
		const { report, failures } = (await runBenchmarks({ smoke: true, out })) as {
			report: { metrics: Metric[] };
			failures: string[];
		};
		expect(failures).toEqual([]);
		expect(report.metrics.length).toBeGreaterThan(0);
		for (const m of report.metrics) {
			expect(m.name).toBeTruthy();
			expect(Number.isFinite(m.value)).toBe(true);
		}
		const written = JSON.parse(fs.readFileSync(out, 'utf8')) as { metrics: Metric[] };
		expect(written.metrics).toHaveLength(report.metrics.length);
	}, 300_000);
});
