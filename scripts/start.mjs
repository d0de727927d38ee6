// `npm start`: build the app and relay if the build is missing or older than the sources,
// then run the relay, which serves the PWA and (from the sync issue on) the sync endpoint.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outputs = ['build/app/index.html', 'build/server/main.js'].map((p) => path.join(root, p));
const inputs = ['src', 'sync-server', 'static', 'package.json', 'svelte.config.js', 'vite.config.ts'];

function newestMtime(p) {
	if (!fs.existsSync(p)) return 0;
	const st = fs.statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let newest = st.mtimeMs;
	for (const entry of fs.readdirSync(p)) {
		if (entry.endsWith('.test.ts')) continue;
		newest = Math.max(newest, newestMtime(path.join(p, entry)));
	}
	return newest;
}

const builtAt = Math.min(...outputs.map((p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0)));
const sourcesAt = Math.max(...inputs.map((p) => newestMtime(path.join(root, p))));
if (builtAt === 0 || sourcesAt > builtAt || process.env.FORCE_BUILD === '1') {
	console.log('ClinicDesk: building the app (first start or sources changed)…');
	const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
	if (r.status !== 0) {
		console.error('ClinicDesk: build failed, see the messages above.');
		process.exit(r.status ?? 1);
	}
}

await import(path.join(root, 'build/server/main.js'));
