/**
 * First full sync of a new workstation over a slow link: one socket per document against the
 * multiplexed connection.
 *
 * The real relay (spawned, auth and SQLite on) is loaded once over loopback with the demo clinic
 * (generateDemoClinic's small preset, written by the app's own writeClinic: directory, 16 patient
 * shards, the schedule months). Then an empty workstation syncs every document through a delaying
 * proxy (bench/support/delay-proxy.ts, 150 ms each way = 300 ms round trip), timed from the start
 * until every document's provider is synced and holds exactly the relay's state:
 *
 * - perDoc:       a stock y-websocket WebsocketProvider per document on `/sync/<doc>`, all sockets
 *                 opened at once — what Node's `ws` does;
 * - perDocSerial: the same, but each socket is opened only once the one before it is open, which is
 *                 what browsers do: RFC 6455 §4.1 allows one connection per host in CONNECTING state;
 * - mux:          the app's SyncClient, every document a channel on one socket;
 * - mux.inStep:   the same run, until the SyncClient's status says every document is in step (what
 *                 the header shows; it adds the confirmation round trip of relay-ack.ts).
 *
 * Each is run twice: with every chunk delayed ("ws"), and with two more round trips per connection
 * before its upgrade can go out ("wss": the TCP and TLS 1.3 handshakes of a real deployment).
 * Documents are resident in the relay for these runs (a clinic in use); `muxCold` repeats the mux
 * run right after a relay restart, so the relay loads every document from SQLite first.
 */
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { DocName } from '../src/lib/crdt/layout';
import { writeClinic } from '../src/lib/crdt/seed';
import { DEMO_PRESETS, generateDemoClinic } from '../src/lib/domain/demo';
import { subprotocolsFor } from '../src/lib/domain/sync/mux';
import { SyncClient } from '../src/lib/sync/client';
import { emit, log, median, SMOKE } from './lib';
import { DelayProxy } from './support/delay-proxy';
import { cpuMs, settledRss, sleep, tempRoot, until } from './support/processes';
import { newIdentity, startRealRelay, writeToken, type RealRelay } from './support/relays';

const ONE_WAY_MS = SMOKE ? 10 : 150;
const RTT = 2 * ONE_WAY_MS;
/** Runs per measure: the times are dominated by round trips, so they repeat closely. */
const REPS = SMOKE ? 1 : 3;
/** Issue target for the first full sync at 300 ms RTT. */
const TARGET_MS = 5_000;
const SYNC_TIMEOUT_MS = SMOKE ? 15_000 : 60_000;

const demoOptions = SMOKE
	? { ...DEMO_PRESETS.small, providers: 1, rooms: 1, patients: 20, monthsBack: 0, monthsAhead: 0 }
	: DEMO_PRESETS.small;

type Mode = 'perDoc' | 'perDocSerial' | 'mux';

interface Clinic {
	names: DocName[];
	/** Each document's state vector on the relay: a workstation is done when it has exactly that. */
	stateVectors: Map<DocName, Uint8Array>;
	bytes: number;
}

interface RunResult {
	ms: number;
	/** mux only: until the SyncClient's status reports every document in step. */
	inStepMs?: number;
	/** Traffic through the proxy, counted until the link has been quiet for a while after the sync. */
	bytesDown: number;
	bytesUp: number;
	connections: number;
	/** CPU time the relay process spent during the run (user + system). */
	relayCpuMs: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}

function buildClinic(): { clinic: Clinic; docs: Map<DocName, Y.Doc> } {
	const data = generateDemoClinic({ seed: 20261128, today: '2026-11-28', ...demoOptions });
	const docs = new Map<DocName, Y.Doc>();
	const names = writeClinic((name) => {
		let doc = docs.get(name);
		if (!doc) docs.set(name, (doc = new Y.Doc()));
		return doc;
	}, data);
	const stateVectors = new Map(names.map((n) => [n, Y.encodeStateVector(docs.get(n)!)] as const));
	const bytes = names.reduce((s, n) => s + Y.encodeStateAsUpdate(docs.get(n)!).byteLength, 0);
	return { clinic: { names, stateVectors, bytes }, docs };
}

/** Pushes the clinic to the relay over loopback and waits until the relay has confirmed all of it. */
async function seed(relay: RealRelay, jwt: string, docs: Map<DocName, Y.Doc>): Promise<void> {
	const client = new SyncClient({
		baseUrl: relay.wsBase,
		token: jwt,
		WebSocketImpl: WebSocket,
		crossTab: false
	});
	try {
		for (const [name, doc] of docs) client.attach(name, doc);
		await until(
			'the relay to confirm the demo clinic',
			() => {
				const s = client.status;
				return s.syncedDocs === docs.size && s.unsyncedChanges === 0;
			},
			60_000,
			20
		);
	} finally {
		client.destroy();
	}
}

function allSynced(clinic: Clinic, providers: Map<DocName, WebsocketProvider>, docs: Map<DocName, Y.Doc>) {
	for (const name of clinic.names) {
		if (!providers.get(name)?.synced) return false;
	}
	return clinic.names.every((n) => sameBytes(Y.encodeStateVector(docs.get(n)!), clinic.stateVectors.get(n)!));
}

async function run(
	mode: Mode,
	clinic: Clinic,
	proxy: DelayProxy,
	relay: RealRelay,
	jwt: string
): Promise<RunResult> {
	const base = `ws://127.0.0.1:${proxy.port}`;
	const docs = new Map(clinic.names.map((n) => [n, new Y.Doc()] as const));
	const providers = new Map<DocName, WebsocketProvider>();
	let client: SyncClient | null = null;
	proxy.resetCounters();
	const cpu0 = cpuMs(relay.proc.pid);
	const t0 = performance.now();
	let inStepMs: number | undefined;
	try {
		if (mode === 'mux') {
			const c = new SyncClient({ baseUrl: base, token: jwt, WebSocketImpl: WebSocket, crossTab: false });
			client = c;
			for (const [name, doc] of docs) providers.set(name, c.attach(name, doc));
		} else {
			for (const [name, doc] of docs) {
				providers.set(
					name,
					new WebsocketProvider(`${base}/sync`, name, doc, {
						WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
						protocols: subprotocolsFor(jwt),
						disableBc: true,
						connect: mode === 'perDoc',
						maxBackoffTime: 1_000
					})
				);
			}
			if (mode === 'perDocSerial') {
				// One connection in CONNECTING state at a time, as a browser opens sockets to one host.
				for (const p of providers.values()) {
					const opened = new Promise<void>((resolve) => {
						const on = (e: { status: string }) => {
							if (e.status !== 'connected') return;
							p.off('status', on);
							resolve();
						};
						p.on('status', on);
					});
					p.connect();
					await Promise.race([opened, sleep(SYNC_TIMEOUT_MS)]);
				}
			}
		}
		await until(
			`${mode}: every document synced`,
			() => allSynced(clinic, providers, docs),
			SYNC_TIMEOUT_MS,
			2
		);
		const ms = performance.now() - t0;
		if (client) {
			const c = client;
			await until(
				'SyncClient in step',
				() => c.status.syncedDocs === docs.size && c.status.unsyncedChanges === 0,
				SYNC_TIMEOUT_MS,
				2
			);
			inStepMs = performance.now() - t0;
		}
		// Whatever the relay still sends for this sync (e.g. answers to later sync step 1s) arrives
		// within a round trip or two; count it too.
		await settle(proxy);
		return {
			ms,
			...(inStepMs === undefined ? {} : { inStepMs }),
			bytesDown: proxy.bytesDown,
			bytesUp: proxy.bytesUp,
			connections: proxy.connections,
			relayCpuMs: cpuMs(relay.proc.pid) - cpu0
		};
	} finally {
		if (client) client.destroy();
		else for (const p of providers.values()) p.destroy();
		for (const d of docs.values()) d.destroy();
		// Let the relay see the sockets close before the next run opens new ones.
		await sleep(RTT + 100);
	}
}

/** Waits until no byte has crossed the proxy for two round trips (at most 10 s). */
async function settle(proxy: DelayProxy): Promise<void> {
	const deadline = Date.now() + 10_000;
	let last = -1;
	while (proxy.bytesDown + proxy.bytesUp !== last && Date.now() < deadline) {
		last = proxy.bytesDown + proxy.bytesUp;
		await sleep(2 * RTT + 50);
	}
}

const label = (setupRtts: number) => `rtt${RTT}${setupRtts > 0 ? 'tls' : ''}`;

async function measureVariant(
	relay: RealRelay,
	clinic: Clinic,
	jwt: string,
	setupRtts: number
): Promise<Map<Mode, RunResult[]>> {
	const proxy = await DelayProxy.start({ targetPort: relay.port, oneWayMs: ONE_WAY_MS, setupRtts });
	const results = new Map<Mode, RunResult[]>();
	try {
		for (let r = 0; r < REPS; r++) {
			for (const mode of ['mux', 'perDoc', 'perDocSerial'] as const) {
				// Serialized handshakes cost a round trip or three per document, every time: one run says it.
				if (mode === 'perDocSerial' && r > 0) continue;
				const res = await run(mode, clinic, proxy, relay, jwt);
				log(
					`first sync ${label(setupRtts)} ${mode}: ${res.ms.toFixed(0)} ms` +
						(res.inStepMs === undefined ? '' : ` (in step ${res.inStepMs.toFixed(0)} ms)`) +
						`, ${res.connections} connections, ${(res.bytesDown / 1e6).toFixed(2)} MB down, ${(res.bytesUp / 1e3).toFixed(1)} kB up, relay CPU ${res.relayCpuMs.toFixed(0)} ms`
				);
				results.set(mode, [...(results.get(mode) ?? []), res]);
			}
		}
	} finally {
		await proxy.close();
	}
	return results;
}

function report(variant: string, setupRtts: number, clinic: Clinic, results: Map<Mode, RunResult[]>): void {
	const ms = (mode: Mode) => median((results.get(mode) ?? []).map((r) => r.ms));
	const link =
		`${RTT} ms RTT (${ONE_WAY_MS} ms each way on every chunk)` +
		(setupRtts > 0 ? ` + ${setupRtts} RTT per connection before its upgrade (TCP + TLS 1.3)` : '');
	const what = `${clinic.names.length} docs, ${(clinic.bytes / 1e6).toFixed(2)} MB encoded; ${link}`;
	const runs = (mode: Mode) => {
		const n = results.get(mode)?.length ?? 0;
		return n > 1 ? `median of ${n}` : 'one run';
	};
	const serial = ms('perDocSerial');
	emit({
		name: `sync.firstSync.${variant}.mux`,
		unit: 'ms',
		value: Math.round(ms('mux')),
		baseline: Math.round(serial),
		baselineName: `sync.firstSync.${variant}.perDocSerial`,
		target: TARGET_MS,
		notes: `SyncClient, one socket, until every provider is synced; ${what}; ${runs('mux')}`
	});
	emit({
		name: `sync.firstSync.${variant}.mux.inStep`,
		unit: 'ms',
		value: Math.round(median((results.get('mux') ?? []).map((r) => r.inStepMs ?? 0))),
		target: TARGET_MS,
		notes: `same runs, until SyncClient.status has every doc in step (adds relay-ack's confirmation); ${runs('mux')}`
	});
	emit({
		name: `sync.firstSync.${variant}.perDoc`,
		unit: 'ms',
		value: Math.round(ms('perDoc')),
		target: TARGET_MS,
		notes: `a WebsocketProvider per doc on /sync/<doc>, sockets opened in parallel (Node's ws); ${what}; ${runs('perDoc')}`
	});
	emit({
		name: `sync.firstSync.${variant}.perDocSerial`,
		unit: 'ms',
		value: Math.round(serial),
		target: TARGET_MS,
		notes: `as perDoc, one socket in CONNECTING state at a time (as browsers open sockets to one host); ${what}; ${runs('perDocSerial')}`
	});
	if (setupRtts === 0) {
		for (const mode of ['mux', 'perDoc'] as const) {
			emit({
				name: `sync.firstSync.${variant}.${mode}.bytesDown`,
				unit: 'bytes',
				value: Math.round(median((results.get(mode) ?? []).map((r) => r.bytesDown))),
				notes: `bytes relay → workstation through the proxy (TCP payload: HTTP upgrade, frames, sync messages)`
			});
		}
	}
}

async function main(): Promise<void> {
	process.setMaxListeners(200); // y-websocket adds a process 'exit' listener per provider in Node
	const root = tempRoot('bench-mux');
	let relay: RealRelay | null = null;
	try {
		const identity = newIdentity();
		const dataDir = root.sub('data');
		const appDir = root.sub('app');
		relay = await startRealRelay({
			dataDir,
			appDir,
			identity,
			env: { SYNC_IDLE_EVICT_MS: String(3_600_000) }
		});
		const jwt = await writeToken(relay);
		const { clinic, docs } = buildClinic();
		const t0 = performance.now();
		await seed(relay, jwt, docs);
		for (const d of docs.values()) d.destroy();
		log(
			`seeded ${clinic.names.length} docs (${(clinic.bytes / 1e6).toFixed(2)} MB) over loopback in ${(performance.now() - t0).toFixed(0)} ms`
		);
		emit({
			name: 'sync.firstSync.clinicBytes',
			unit: 'bytes',
			value: clinic.bytes,
			notes: `demo clinic (small preset): ${clinic.names.length} docs, sum of Y.encodeStateAsUpdate sizes`
		});

		if (!SMOKE) {
			// Warm-up through an undelayed proxy: the first sync in this process also compiles Yjs's
			// decoding paths, which would otherwise count against whichever mode runs first.
			const proxy = await DelayProxy.start({ targetPort: relay.port, oneWayMs: 0 });
			try {
				for (const mode of ['mux', 'perDoc'] as const) await run(mode, clinic, proxy, relay, jwt);
			} finally {
				await proxy.close();
			}
		}

		for (const setupRtts of [0, 2]) {
			const results = await measureVariant(relay, clinic, jwt, setupRtts);
			report(label(setupRtts), setupRtts, clinic, results);
		}

		// Cold: the relay restarted, so every document is read from SQLite and applied on first open.
		for (const setupRtts of [0, 2]) {
			await relay.proc.stop();
			relay = null;
			relay = await startRealRelay({ dataDir, appDir, identity });
			const proxy = await DelayProxy.start({ targetPort: relay.port, oneWayMs: ONE_WAY_MS, setupRtts });
			try {
				await sleep(SMOKE ? 100 : 1_000);
				const idle = await settledRss(relay.proc.pid, SMOKE ? 500 : 3_000);
				const res = await run('mux', clinic, proxy, relay, jwt);
				// The workstation has left; the documents stay resident until the relay's idle eviction.
				const resident = await settledRss(relay.proc.pid, SMOKE ? 500 : 5_000);
				log(
					`first sync ${label(setupRtts)} mux, relay just restarted: ${res.ms.toFixed(0)} ms, ` +
						`${(res.bytesDown / 1e6).toFixed(2)} MB down, relay CPU ${res.relayCpuMs.toFixed(0)} ms, ` +
						`relay RSS ${(idle / 1e6).toFixed(1)} → ${(resident / 1e6).toFixed(1)} MB`
				);
				emit({
					name: `sync.firstSync.${label(setupRtts)}.muxCold`,
					unit: 'ms',
					value: Math.round(res.ms),
					target: TARGET_MS,
					notes: 'as mux, right after a relay restart: the relay loads every doc from SQLite; one run'
				});
				emit({
					name: `sync.firstSync.${label(setupRtts)}.muxCold.relayCpu`,
					unit: 'ms',
					value: Math.round(res.relayCpuMs),
					notes: 'relay process CPU time during that run (loading, applying and encoding every doc)'
				});
				if (setupRtts === 0) {
					emit({
						name: 'sync.memory.demoClinicResident',
						unit: 'bytes',
						value: resident - idle,
						notes: `relay RSS growth with the demo clinic's ${clinic.names.length} docs resident (after that cold sync)`
					});
				}
			} finally {
				await proxy.close();
			}
		}
	} finally {
		if (relay) await relay.proc.stop();
		await root.dispose();
	}
}

main().then(
	() => process.exit(0),
	(e: unknown) => {
		log(`sync-mux bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
		process.exit(1);
	}
);
