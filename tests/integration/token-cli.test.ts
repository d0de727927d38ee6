import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { subprotocolsFor } from '../../src/lib/domain/sync/mux';
import { provider, tryConnect, whenSynced } from './support/clients';
import {
	ensureRelayBuilt,
	root,
	startRelay,
	tempDir,
	type RunningRelay,
	removeTempDirs
} from './support/relay';

const run = promisify(execFile);
const dataDir = tempDir('token-cli');
let relay: RunningRelay;

async function cli(...args: string[]): Promise<string> {
	const { stdout } = await run(process.execPath, ['scripts/token.mjs', ...args, '--data-dir', dataDir], {
		cwd: root,
		env: { PATH: process.env.PATH ?? '' }
	});
	return stdout.trim();
}

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({ identity: null, dataDir });
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

describe('npm run token', () => {
	it('prints a token the relay on the same DATA_DIR accepts, with the default grants', async () => {
		expect(fs.statSync(path.join(dataDir, 'relay-secret')).mode & 0o777).toBe(0o600);
		const jwt = await cli('--user', 'desk-1', '--role', 'front-desk');
		expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
		const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
		expect(claims).toMatchObject({
			sub: 'desk-1',
			docs: ['directory', 'schedule/', 'patients/'],
			access: 'write'
		});
		const doc = new Y.Doc();
		const p = provider(relay.wsUrl, 'patients/b', doc, jwt);
		await whenSynced(p);
		p.destroy();
		expect((await tryConnect(`${relay.wsUrl}/billing/2026-01`, subprotocolsFor(jwt))).status).toBe(403);
	});

	it('honours --docs, --read-only and --ttl', async () => {
		const jwt = await cli(
			'--user',
			'aud-1',
			'--role',
			'auditor',
			'--docs',
			'billing/',
			'--read-only',
			'--ttl',
			'60'
		);
		const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
		expect(claims).toMatchObject({ docs: ['billing/'], access: 'read', role: 'auditor' });
		expect(claims.exp - claims.iat).toBe(60);
		const r = await tryConnect(`${relay.wsUrl}/billing/2026-01`, subprotocolsFor(jwt));
		expect(r.status).toBe(101);
		r.ws?.close();
	});

	it('refuses to run without --user', async () => {
		await expect(cli('--role', 'x')).rejects.toMatchObject({ code: 2 });
	});
});
