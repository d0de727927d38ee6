/**
 * The relay's signing key and clinic id. Both come from the environment when set (so several relay
 * instances can share them), otherwise from files in DATA_DIR created on first start. The token CLI
 * reads the same files, so a token it prints is accepted by the relay on the same DATA_DIR.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface RelayIdentity {
	/** HS256 key: the UTF-8 bytes of the secret string. */
	key: Uint8Array;
	clinicId: string;
}

const MIN_SECRET_BYTES = 32;
const CLINIC_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function loadIdentity(dataDir: string, env: NodeJS.ProcessEnv = process.env): RelayIdentity {
	fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const secret =
		env.RELAY_JWT_SECRET ||
		readOrCreate(path.join(dataDir, 'relay-secret'), () => crypto.randomBytes(32).toString('base64url'));
	const key = new TextEncoder().encode(secret);
	if (key.length < MIN_SECRET_BYTES) {
		throw new Error(`RELAY_JWT_SECRET (or DATA_DIR/relay-secret) must be at least ${MIN_SECRET_BYTES} bytes`);
	}
	const clinicId = env.CLINIC_ID || readOrCreate(path.join(dataDir, 'clinic-id'), () => crypto.randomUUID());
	if (!CLINIC_ID.test(clinicId)) {
		throw new Error(
			'CLINIC_ID (or DATA_DIR/clinic-id) must be 1–64 letters, digits, dots, dashes or underscores'
		);
	}
	return { key, clinicId };
}

/** Creates the file exclusively, so a relay and the token CLI starting together agree on one value. */
function readOrCreate(file: string, make: () => string): string {
	try {
		fs.writeFileSync(file, `${make()}\n`, { flag: 'wx', mode: 0o600 });
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
	}
	return fs.readFileSync(file, 'utf8').trim();
}
