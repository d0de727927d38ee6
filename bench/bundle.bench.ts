/**
 * What the browser downloads (issue "Performance": "initial JavaScript, gzipped (target ≤ 150 KB),
 * and the size of the precache"). Reads the production build in `build/app` (built first if missing):
 *   - initial JS: the modules index.html preloads (SvelteKit's entry, app and root layout), the
 *     schedule route's node (the screen the app opens on), and every module they import statically —
 *     what must arrive before today's schedule can paint. Dynamic imports are not included: they
 *     load on demand (demo generator, import/export, FHIR, the .ics generator, first-run screens) or
 *     once the schedule has painted (rrule for recurring series, the patient search index).
 *   - the largest files of the initial JS, so a regression shows where it came from.
 *   - the precache: every file the service worker's manifest lists, raw and gzipped.
 * Gzip level 9, as a server would send with static compression; brotli would be smaller.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { emit, log, SMOKE } from './lib';

const ROOT = path.resolve(import.meta.dirname, '..');
const APP = path.join(ROOT, 'build/app');
const TARGET_KB = 150;

function ensureBuild(): boolean {
	if (fs.existsSync(path.join(APP, 'index.html'))) return true;
	// The smoke run (inside `npm test`, before any build) checks only that the code runs.
	if (SMOKE) return false;
	log('build/app missing: running npm run build');
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
	return true;
}

const gz = (file: string) => gzipSync(fs.readFileSync(file), { level: 9 }).length;

/** Static imports of a built module (`import … from"./x.js"`, `import"./x.js"`), as absolute paths. */
function staticImports(file: string): string[] {
	const text = fs.readFileSync(file, 'utf8');
	const out: string[] = [];
	// Only the import statements at module level: minified output puts them first, `import(` is dynamic.
	for (const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[^'"()]*?from\s*)?["']([^"']+\.js)["']/g))
		out.push(path.resolve(path.dirname(file), m[1]!));
	return out;
}

function closure(roots: string[]): Set<string> {
	const seen = new Set<string>();
	const stack = [...roots];
	while (stack.length > 0) {
		const f = stack.pop()!;
		if (seen.has(f) || !fs.existsSync(f)) continue;
		seen.add(f);
		stack.push(...staticImports(f));
	}
	return seen;
}

function scheduleNode(): string | undefined {
	const dir = path.join(APP, '_app/immutable/nodes');
	return (
		fs
			.readdirSync(dir)
			.map((f) => path.join(dir, f))
			// The page's component may sit in a chunk its node re-exports (when a lazy view shares its code).
			.find((f) =>
				[...closure([f])].some((c) => fs.readFileSync(c, 'utf8').includes('Schedule · ClinicDesk'))
			)
	);
}

if (!ensureBuild()) {
	// The harness treats a file that reports nothing as failed: say what was skipped and why.
	log('bundle: skipped — smoke run without a build');
	emit({ name: 'bundle: skipped', unit: 'bool', value: 1, notes: 'smoke run without a build' });
	process.exit(0);
}
const html = fs.readFileSync(path.join(APP, 'index.html'), 'utf8');
const preloaded = [...html.matchAll(/href="([^"]+\.js)" rel="modulepreload"/g)].map((m) =>
	path.join(APP, m[1]!)
);
const node = scheduleNode();
if (!node) throw new Error('The schedule route was not found in the build');
const initial = closure([...preloaded, node]);
const initialRaw = [...initial].reduce((n, f) => n + fs.statSync(f).size, 0);
const initialSizes = [...initial].map((f) => ({ f, gz: gz(f) })).sort((a, b) => b.gz - a.gz);
const initialGz = initialSizes.reduce((n, x) => n + x.gz, 0);
log(`initial JS: ${initial.size} modules, ${(initialRaw / 1024).toFixed(1)} KB raw`);
for (const { f, gz: size } of initialSizes.slice(0, 5))
	log(`  ${(size / 1024).toFixed(1).padStart(6)} KB gzip  ${path.relative(APP, f)}`);

const sw = fs.readFileSync(path.join(APP, 'sw.js'), 'utf8');
const precached = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => path.join(APP, m[1]!));
const missing = precached.filter((f) => !fs.existsSync(f));
if (missing.length > 0) throw new Error(`Precache lists missing files: ${missing.join(', ')}`);
const precacheRaw = precached.reduce((n, f) => n + fs.statSync(f).size, 0);
const precacheGz = precached.reduce((n, f) => n + gz(f), 0);
const allJs = precached.filter((f) => f.endsWith('.js'));

emit({
	name: 'bundle: initial JS before the schedule paints (gzip)',
	unit: 'KB',
	value: initialGz / 1024,
	target: TARGET_KB,
	notes: `${initial.size} modules, ${(initialRaw / 1024).toFixed(1)} KB uncompressed`
});
emit({
	name: 'bundle: schedule route node before the schedule paints (gzip)',
	unit: 'KB',
	value: gz(node) / 1024,
	notes: 'the views, dialogs and panels of the schedule screen (the rest is shared)'
});
emit({
	name: 'bundle: largest shared chunk before the schedule paints (gzip)',
	unit: 'KB',
	value: (initialSizes.find((x) => x.f !== node)?.gz ?? 0) / 1024,
	notes: 'today the state layer: zod, Yjs and lib0, domain rules, keys, sync'
});
emit({
	name: 'bundle: all JS in the precache (gzip)',
	unit: 'KB',
	value: allJs.reduce((n, f) => n + gz(f), 0) / 1024,
	notes: `${allJs.length} files`
});
emit({
	name: 'bundle: precache (gzip)',
	unit: 'KB',
	value: precacheGz / 1024,
	notes: `${precached.length} files, ${(precacheRaw / 1024).toFixed(1)} KB uncompressed`
});
