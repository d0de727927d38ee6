/**
 * What the security layer costs a person at the desk (issue "Users, roles, keys and audit"):
 *   - unlocking (PBKDF2-SHA256 at 600,000 iterations, then unwrapping every scope key), which happens
 *     at every login and after every automatic logoff;
 *   - creating an account (a new RSA key pair plus the derivation) and rotating a scope key;
 *   - appending to and verifying the hash-chained audit log.
 * Node's WebCrypto here; Chromium's numbers are recorded by hand in BENCHMARKS.md.
 */
import * as Y from 'yjs';
import { AuditLog, readAuditDocs } from '../src/lib/crdt/audit-log';
import { Keyring } from '../src/lib/persistence/keyring';
import { emit, log, median, SMOKE } from './lib';

const PASS = 'bench passphrase words';
const RUNS = SMOKE ? 1 : 5;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
	const t0 = performance.now();
	const out = await fn();
	return [performance.now() - t0, out];
}

async function main(): Promise<void> {
	const keyring = new Keyring(new Y.Doc());
	const [bootMs, admin] = await timed(() =>
		keyring.bootstrap({ displayName: 'Bench Admin', username: 'admin', passphrase: PASS })
	);
	log(`bootstrap (7 scope keys + administrator): ${bootMs.toFixed(0)} ms`);

	const createMs: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const [ms] = await timed(() =>
			keyring.addUser(admin, {
				displayName: 'Bench Staff',
				username: `staff-${i}`,
				role: 'front-desk',
				passphrase: PASS
			})
		);
		createMs.push(ms);
	}
	emit({
		name: 'keys: add a user (RSA-2048 pair + PBKDF2 600k + wrap 4 scope keys)',
		unit: 'ms',
		value: median(createMs)
	});

	const unlockMs: number[] = [];
	for (let i = 0; i < RUNS; i++) unlockMs.push((await timed(() => keyring.unlock('admin', PASS)))[0]);
	emit({
		name: 'keys: unlock administrator (PBKDF2 600k + unwrap 7 scope keys)',
		unit: 'ms',
		value: median(unlockMs),
		notes: 'paid at every login and after every automatic logoff'
	});

	const wrongMs: number[] = [];
	for (let i = 0; i < RUNS; i++)
		wrongMs.push((await timed(() => keyring.unlock('admin', 'wrong guess').catch(() => null)))[0]);
	emit({
		name: 'keys: refuse a wrong passphrase',
		unit: 'ms',
		value: median(wrongMs),
		notes: 'the cost per guess'
	});

	const [rotateMs] = await timed(() => keyring.rotateScope(admin, 'patients'));
	emit({
		name: `keys: rotate one scope key for ${keyring.users().length} users`,
		unit: 'ms',
		value: rotateMs
	});

	const entries = SMOKE ? 200 : 10_000;
	const doc = new Y.Doc();
	const audit = new AuditLog(doc, { deviceId: 'ws-bench-0001' });
	const [appendMs] = await timed(async () => {
		for (let i = 0; i < entries; i++) {
			await audit.append({
				userId: admin.user.id,
				action: 'view',
				recordType: 'patient',
				recordId: crypto.randomUUID()
			});
		}
	});
	emit({
		name: 'audit: append one entry (hash + Yjs insert)',
		unit: 'µs',
		value: (appendMs * 1000) / entries
	});
	const [verifyMs] = await timed(() => readAuditDocs([{ deviceId: 'ws-bench-0001', doc }]));
	emit({ name: `audit: read and verify a ${entries}-entry chain`, unit: 'ms', value: verifyMs });
	emit({
		name: `audit: document size for ${entries} entries`,
		unit: 'bytes/entry',
		value: Y.encodeStateAsUpdate(doc).byteLength / entries
	});
}

await main();
