import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Starts the real main job (`npm start`: build if needed, then serve) on a free port. */
export default async function globalSetup(): Promise<() => Promise<void>> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-e2e-'));
	// A fixed relay secret and clinic id, so that tests can sign their own tokens.
	process.env.RELAY_JWT_SECRET ??= randomBytes(32).toString('base64url');
	process.env.CLINIC_ID ??= randomUUID();
	const child = spawn(process.execPath, ['scripts/start.mjs'], {
		env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const url = await new Promise<string>((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 300_000);
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve(m[1]!);
			}
		});
		child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
	});
	process.env.CLINICDESK_URL = url;
	process.env.CLINICDESK_DATA_DIR = dataDir;
	return async () => {
		child.kill('SIGTERM');
		await new Promise((r) => child.once('exit', r));
		fs.rmSync(dataDir, { recursive: true, force: true });
	};
}
