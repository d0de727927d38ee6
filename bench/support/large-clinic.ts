/**
 * A large clinic on a clinic server, for the benchmarks that run the app in Chromium against it.
 *
 * Creating the `large` demo inside the browser takes minutes, so the clinic is made here in Node
 * with the app's own code and handed to the server the way a workstation would hand it over:
 * - the documents: `generateDemoClinic` (the large preset, the demo seed, today in the clinic's zone),
 *   today packed with 5 × 40 visits by `withDenseDay` as `?demo=dense` does (so the day view has the
 *   same 200 blocks on any weekday), written by `writeClinic` — what `WorkspaceState.openDemo` does;
 * - the keyring: `Keyring.bootstrap` with WebCrypto, the demo administrator and passphrase;
 * - both pushed over one multiplexed `/sync` connection with a setup token (as the first
 *   workstation of a clinic server holds), each document as the catch-up (sync step 2) answering the
 *   relay's step 1, confirmed by a second step 1 whose answer proves it was applied.
 * The server doing this runs with its rate limits raised (60 MB at the default 8 MiB/s per connection
 * would take most of the time) and is then stopped, which flushes its store; the benchmarks start the
 * server again, with its defaults, on the same data directory. A workstation then joins by logging
 * in and fetches what it opens: its first full sync.
 */
import path from 'node:path';
import * as Y from 'yjs';
import { writeClinic } from '../../src/lib/crdt/seed';
import { directoryDoc, keyringDoc, scheduleDoc, type DocName } from '../../src/lib/crdt/layout';
import { localDate } from '../../src/lib/domain';
import { DEMO_PRESETS, generateDemoClinic, withDenseDay } from '../../src/lib/domain/demo';
import { patientsIn } from '../../src/lib/crdt/collections';
import { patientsDocFor } from '../../src/lib/crdt/layout';
import type { Patient } from '../../src/lib/domain/patients/schemas';
import { Keyring } from '../../src/lib/persistence/keyring';
import { SqliteStore } from '../../sync-server/store/sqlite';
import { token } from '../../tests/integration/support/clients';
import type { RelayIdentityForTests } from '../../tests/integration/support/relay';
import { APP_DIR } from './browser';
import { ROOT, spawnGuarded, type Guarded } from './processes';
import { kindOf, MuxLink, step1Message, within, type DocLink } from './raw-client';

/** What `WorkspaceState` uses (src/lib/state/workspace.svelte.ts, which Node cannot import: runes). */
export const DEMO_SEED = 20261128;
export const DEMO_PASSPHRASE = 'demo clinic passphrase';
export const CLINIC_ZONE = DEMO_PRESETS.large.timeZone ?? 'America/Chicago';

export interface ClinicSize {
	patients: number;
	monthsBack: number;
	monthsAhead: number;
}

export const LARGE: ClinicSize = {
	patients: DEMO_PRESETS.large.patients ?? 20_000,
	monthsBack: DEMO_PRESETS.large.monthsBack ?? 36,
	monthsAhead: DEMO_PRESETS.large.monthsAhead ?? 6
};

export interface ClinicDocs {
	today: string;
	/** Every document as one encoded update. */
	docs: Map<DocName, Uint8Array>;
	/** The 200 visits of today (the dense day), in order of provider. */
	todayIds: string[];
	appointments: number;
	patients: number;
	patientIds: Set<string>;
	ms: { generate: number; write: number; encode: number };
}

/** The clinic's documents, encoded (each Y.Doc destroyed once encoded, to bound the heap). */
export function buildClinicDocs(size: ClinicSize, now = new Date()): ClinicDocs {
	const today = localDate(now, CLINIC_ZONE);
	let t = performance.now();
	const generated = generateDemoClinic({
		seed: DEMO_SEED,
		today,
		...DEMO_PRESETS.large,
		...size
	});
	const data = withDenseDay(generated, today);
	const todayIds = data.appointments
		.filter((a) => localDate(a.start, CLINIC_ZONE) === today)
		.map((a) => a.id);
	const generate = performance.now() - t;
	t = performance.now();
	const open = new Map<DocName, Y.Doc>();
	writeClinic((name) => {
		let doc = open.get(name);
		if (!doc) open.set(name, (doc = new Y.Doc()));
		return doc;
	}, data);
	const write = performance.now() - t;
	t = performance.now();
	const docs = new Map<DocName, Uint8Array>();
	for (const [name, doc] of open) {
		docs.set(name, Y.encodeStateAsUpdate(doc));
		doc.destroy();
	}
	return {
		today,
		docs,
		todayIds,
		appointments: data.appointments.length,
		patients: data.patients.length,
		patientIds: new Set(data.patients.map((p) => p.id)),
		ms: { generate, write, encode: performance.now() - t }
	};
}

/**
 * Patients of a bigger panel (the same generator and seed with `total` patients) that the clinic
 * does not have yet: with the clinic's own, `total` patients. Returned as one update per patient
 * shard that only adds records (new keys of the shard's `patients` map, from a client of its own), so
 * it applies on top of what the relay has; and the whole panel, to type queries for.
 */
export function extraPatientDocs(
	clinic: ClinicDocs,
	total: number
): { docs: Map<DocName, Uint8Array>; added: number; everyone: Patient[] } {
	const bigger = generateDemoClinic({
		seed: DEMO_SEED,
		today: clinic.today,
		...DEMO_PRESETS.large,
		patients: total,
		// No appointments: the patient stream does not depend on them (ids repeat, createdAt moves).
		monthsBack: 0,
		monthsAhead: 0,
		fillRatio: 0
	});
	const byDoc = new Map<DocName, Patient[]>();
	for (const p of bigger.patients) {
		if (clinic.patientIds.has(p.id)) continue;
		const name = patientsDocFor(p.id);
		byDoc.set(name, [...(byDoc.get(name) ?? []), p]);
	}
	const docs = new Map<DocName, Uint8Array>();
	let added = 0;
	for (const [name, list] of byDoc) {
		const doc = new Y.Doc();
		doc.transact(() => {
			for (const p of list) patientsIn(doc).insert(p);
		});
		added += list.length;
		docs.set(name, Y.encodeStateAsUpdate(doc));
		doc.destroy();
	}
	return { docs, added, everyone: bigger.patients };
}

/** The keyring of a new clinic with the demo administrator (`admin`, DEMO_PASSPHRASE). */
export async function buildKeyring(): Promise<Uint8Array> {
	const doc = new Y.Doc();
	await new Keyring(doc).bootstrap({
		displayName: 'Avery Admin',
		username: 'admin',
		passphrase: DEMO_PASSPHRASE
	});
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

export { directoryDoc, keyringDoc, scheduleDoc };

// ---------------------------------------------------------------------------------------------------
// The clinic server

/**
 * Writes the documents into the relay's store (`DATA_DIR/relay.sqlite`) with the relay's own store
 * code, as if a first workstation had sent each as one update, before the server starts. Ten times
 * faster than through the relay (`pushDocs`), which checks and applies every 1.5 MB update, then
 * re-encodes and compacts it: 38 s and 7 s more to stop for the large clinic, on a loaded machine.
 */
export async function storeDocs(dataDir: string, docs: Map<DocName, Uint8Array>): Promise<void> {
	const store = new SqliteStore(path.join(dataDir, 'relay.sqlite'));
	try {
		for (const [name, update] of docs) {
			await store.append(name, update, { userId: 'setup', role: 'administrator', bytes: update.byteLength });
		}
	} finally {
		await store.close();
	}
}

export interface ClinicServer {
	url: string;
	wsBase: string;
	proc: Guarded;
}

/** Rate limits that never trip, for seeding only. */
const SEEDING_RATES: Record<string, string> = {
	SYNC_RATE_MESSAGES: '1000000',
	SYNC_RATE_BURST: '1000000',
	SYNC_RATE_BYTES: String(1024 * 1024 * 1024),
	SYNC_MAX_PAYLOAD: String(64 * 1024 * 1024)
};

/** The built app and relay (`build/server/main.js`, as `npm start` runs it) with a known identity. */
export async function startClinicServer(opts: {
	dataDir: string;
	identity: RelayIdentityForTests;
	seeding?: boolean;
	/** 0 (the default): any free port. */
	port?: number;
}): Promise<ClinicServer> {
	const proc = await spawnGuarded([process.execPath, path.join(ROOT, 'build/server/main.js')], {
		PATH: process.env.PATH ?? '',
		PORT: String(opts.port ?? 0),
		HOST: '127.0.0.1',
		DATA_DIR: opts.dataDir,
		APP_DIR,
		RELAY_JWT_SECRET: opts.identity.secret,
		CLINIC_ID: opts.identity.clinicId,
		LOG_LEVEL: 'warn',
		// The relay's timeline (sync-server/bench-trace.ts) for the remote edit's hops.
		RELAY_BENCH_TRACE: '1',
		...(opts.seeding ? SEEDING_RATES : {})
	});
	try {
		const m = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:(\d+))/, 20_000);
		return { url: m[1]!, wsBase: `ws://127.0.0.1:${m[2]!}`, proc };
	} catch (e) {
		await proc.stop();
		throw e;
	}
}

/** What `npm run token` prints for the first workstation: administrator, every document. */
export function setupToken(identity: RelayIdentityForTests, sub = 'setup'): Promise<string> {
	return token(identity, { sub, role: 'administrator', docs: ['*'], access: 'write', ttlSeconds: 3600 });
}

/** Resolves with the next message of `kind` on the link (replacing its onMessage). */
export function nextMessage(link: DocLink, kind: ReturnType<typeof kindOf>, ms: number): Promise<Uint8Array> {
	return within(
		new Promise<Uint8Array>((resolve) => {
			link.onMessage = (m) => {
				if (kindOf(m) === kind) {
					link.onMessage = null;
					resolve(m);
				}
			};
		}),
		ms,
		`${kind} on ${link.docName}`
	);
}

/**
 * Hands documents to the relay over multiplexed connections (one per worker, so a per-connection
 * rate limit applies to each), a few at a time; resolves once the relay has applied each: its answer
 * to a step 1 sent after our step 2 on the same channel. `base`: what the relay already has of a
 * document `docs` only adds to, so that answer carries nothing back.
 */
export async function pushDocs(
	wsBase: string,
	jwt: string,
	docs: Map<DocName, Uint8Array>,
	base?: Map<DocName, Uint8Array>,
	parallel = 6
): Promise<void> {
	const list = [...docs];
	let next = 0;
	const worker = async () => {
		const mux = await MuxLink.connect(wsBase, jwt);
		try {
			while (next < list.length) {
				const [name, update] = list[next++]!;
				const link = mux.open(name, update);
				await within(link.subscribed, 60_000, `${name} subscription`);
				const answered = nextMessage(link, 'step2', 120_000);
				link.send(step1Message(stateVector(update, base?.get(name))));
				await answered;
				link.close();
			}
		} finally {
			mux.close();
		}
	};
	await Promise.all(Array.from({ length: Math.min(parallel, list.length) }, worker));
}

/** The state vector of `update` and `base` together. */
function stateVector(update: Uint8Array, base?: Uint8Array): Uint8Array {
	const sv = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update));
	if (base) {
		for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(base)))
			sv.set(client, Math.max(clock, sv.get(client) ?? 0));
	}
	return Y.encodeStateVector(sv);
}
