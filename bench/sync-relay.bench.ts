/**
 * Relay benchmarks: what the real relay (sync-server/, spawned as its own process with JWT auth and
 * SQLite persistence on) costs against a bare y-websocket relay (bench/support/bare-relay.ts: the
 * classic server logic, no auth, in memory), on loopback.
 *
 * - Throughput: N raw writer sockets send small Y.Map updates to one document as fast as the relay
 *   takes them (a window of updates in flight, refilled as a reader socket receives them); updates/s
 *   is what the reader receives. Also the relay process's CPU time per update (from /proc), which
 *   does not depend on whether the benchmark's own process kept up.
 * - Edit latency A → relay → B: A changes a Y.Map, B sees the change; 50 other subscribers on the
 *   same document, so the relay fans every edit out to 51 sockets. One edit at a time, p50 and p99.
 * - Memory: the relay's RSS before and after 200 documents of 100 appointments each are opened,
 *   and after 500 multiplexed connections each open 10 of those documents.
 *
 * Throughput also runs against `bareCorked`, the bare relay batching each turn's socket writes as the
 * real relay does (not y-websocket's behaviour): what auth and persistence cost when both write alike.
 *
 * BENCH_SMOKE=1 shrinks every size so the whole file runs in seconds. SYNC_BENCH_ONLY=throughput runs
 * the throughput part only; with BENCH_RELAY_PROF_DIR the relays run under `--cpu-prof`, and
 * BENCH_RELAY_BUNDLE runs another build of the relay (see support/relays.ts).
 */
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { isDocName, type DocName } from '../src/lib/crdt/layout';
import { subprotocolsFor } from '../src/lib/domain/sync/mux';
import { SyncClient } from '../src/lib/sync/client';
import { nestedCodec } from './codecs';
import { makeAppointments } from './fixtures';
import { emit, log, median, SMOKE } from './lib';
import { cpuMs, settledRss, sleep, tempRoot } from './support/processes';
import {
	kindOf,
	MuxLink,
	SocketLink,
	step1Message,
	syncBody,
	updateMessage,
	within,
	type DocLink
} from './support/raw-client';
import {
	newIdentity,
	startBareRelay,
	startRealRelay,
	UNLIMITED_RATES,
	writeToken,
	type RealRelay,
	type RelayProcess
} from './support/relays';

const SIZES = SMOKE
	? {
			writers: 2,
			updatesPerWriter: 200,
			window: 50,
			rounds: 1,
			others: 3,
			edits: 20,
			warmupEdits: 5,
			memDocs: 5,
			memRecords: 10,
			clients: 5,
			docsPerClient: 2
		}
	: {
			writers: 4,
			updatesPerWriter: 5_000,
			window: 400,
			rounds: 3,
			others: 50,
			edits: 500,
			warmupEdits: 50,
			memDocs: 200,
			memRecords: 100,
			clients: 500,
			docsPerClient: 10
		};

const TARGETS = {
	throughputRatio: 0.8,
	latencyP50: 30,
	latencyP99: 100,
	/** Issue: 500 clients × 10 documents within 1 GB. */
	rss500x10: 1e9
};

/** Each run gets documents of its own, so no run sees another's history. */
let monthCounter = 0;
function freshDocName(): DocName {
	const n = monthCounter++;
	const name = `schedule/${2040 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
	if (!isDocName(name)) throw new Error(`bad doc name ${name}`);
	return name;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Resolves with the next message of `kind` on the link (replacing its onMessage). */
function next(link: DocLink, kind: ReturnType<typeof kindOf>, timeoutMs: number): Promise<Uint8Array> {
	return within(
		new Promise<Uint8Array>((resolve) => {
			link.onMessage = (m) => {
				if (kindOf(m) === kind) {
					link.onMessage = null;
					resolve(m);
				}
			};
		}),
		timeoutMs,
		`${kind} on ${link.docName}`
	);
}

// ---------------------------------------------------------------------------------------------------
// Where load goes: the bare relay, the real relay's /sync/<doc>, the real relay's multiplexed /sync.

interface Target {
	name: 'bare' | 'bareCorked' | 'relay' | 'relayMux';
	relay: RelayProcess;
	/** One client's link to a document (a socket, or a channel on a connection of its own). */
	connect(docName: DocName): Promise<{ link: DocLink; close(): void }>;
}

function socketTarget(
	name: 'bare' | 'bareCorked' | 'relay',
	relay: RelayProcess,
	protocols: string[]
): Target {
	return {
		name,
		relay,
		async connect(docName) {
			const link = await SocketLink.connect(`${relay.wsBase}/sync`, docName, protocols);
			return { link, close: () => link.close() };
		}
	};
}

function muxTarget(relay: RealRelay, jwt: string): Target {
	return {
		name: 'relayMux',
		relay,
		async connect(docName) {
			const mux = await MuxLink.connect(relay.wsBase, jwt);
			return { link: mux.open(docName), close: () => mux.close() };
		}
	};
}

// ---------------------------------------------------------------------------------------------------
// Throughput

interface ThroughputResult {
	updatesPerSecond: number;
	relayCpuUsPerUpdate: number;
	benchCpuUsPerUpdate: number;
}

/** Each writer's updates, made ahead of time so sending them costs only the socket write. */
function writerMessages(writer: number, count: number): Uint8Array[] {
	const doc = new Y.Doc();
	doc.clientID = 100_000 + writer;
	const out: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => out.push(updateMessage(u)));
	const map = doc.getMap<string>('appointments');
	// Overwrites of 50 fields per writer, like people editing the same records over and over.
	for (let k = 0; k < count; k++) map.set(`w${writer}.f${k % 50}`, `note ${k}`);
	doc.destroy();
	return out;
}

async function throughputRun(target: Target, writers: number, perWriter: number): Promise<ThroughputResult> {
	const docName = freshDocName();
	const total = writers * perWriter;
	const messages = Array.from({ length: writers }, (_, w) => writerMessages(w, perWriter));
	const reader = await target.connect(docName);
	const writerLinks = await Promise.all(Array.from({ length: writers }, () => target.connect(docName)));
	const all = [reader, ...writerLinks];
	try {
		await within(Promise.all(all.map((c) => c.link.subscribed)), 20_000, 'throughput subscriptions');
		let sent = 0;
		let received = 0;
		const pump = () => {
			while (sent < total && sent - received < SIZES.window) {
				const w = sent % writers;
				writerLinks[w]!.link.send(messages[w]![Math.floor(sent / writers)]!);
				sent += 1;
			}
		};
		const finished = new Promise<void>((resolve) => {
			reader.link.onMessage = (m) => {
				if (m[0] !== 0 || m[1] !== 2) return;
				received += 1;
				if (received >= total) resolve();
				else pump();
			};
		});
		const relayCpu0 = cpuMs(target.relay.proc.pid);
		const benchCpu0 = process.cpuUsage();
		const t0 = performance.now();
		pump();
		await within(finished, SMOKE ? 20_000 : 90_000, `${target.name}: ${total} updates`);
		const ms = performance.now() - t0;
		const relayCpu = cpuMs(target.relay.proc.pid) - relayCpu0;
		const benchCpu = process.cpuUsage(benchCpu0);
		if (received !== total) throw new Error(`${target.name}: reader got ${received} of ${total} updates`);
		await verifyRelayState(target, docName, writers, perWriter);
		return {
			updatesPerSecond: (total / ms) * 1000,
			relayCpuUsPerUpdate: (relayCpu * 1000) / total,
			benchCpuUsPerUpdate: (benchCpu.user + benchCpu.system) / total
		};
	} finally {
		for (const c of all) c.close();
	}
}

/** A fresh client's full sync must hold every writer's last value for each of its fields. */
async function verifyRelayState(target: Target, docName: DocName, writers: number, perWriter: number) {
	const check = await target.connect(docName);
	try {
		const step2 = next(check.link, 'step2', 20_000);
		check.link.send(step1Message(Y.encodeStateVector(new Y.Doc())));
		const doc = new Y.Doc();
		Y.applyUpdate(doc, syncBody(await step2));
		const map = doc.getMap<string>('appointments');
		for (let w = 0; w < writers; w++) {
			for (let f = 0; f < Math.min(50, perWriter); f++) {
				const last = perWriter - 1 - ((perWriter - 1 - f) % 50);
				if (map.get(`w${w}.f${f}`) !== `note ${last}`)
					throw new Error(`${target.name}: relay state is missing writer ${w}'s updates`);
			}
		}
	} finally {
		check.close();
	}
}

async function throughput(targets: Target[]): Promise<void> {
	const { writers, updatesPerWriter, rounds } = SIZES;
	// Warm-up: JIT both relays' paths and this process's.
	for (const t of targets) await throughputRun(t, writers, Math.min(500, updatesPerWriter));
	const results = new Map<Target['name'], ThroughputResult[]>();
	for (let r = 0; r < rounds; r++) {
		// Alternate the order so neither relay always runs right after the other.
		const order = r % 2 === 0 ? targets : [...targets].reverse();
		for (const t of order) {
			const res = await throughputRun(t, writers, updatesPerWriter);
			log(
				`throughput ${t.name}: ${res.updatesPerSecond.toFixed(0)} updates/s, relay ${res.relayCpuUsPerUpdate.toFixed(0)} µs CPU/update, bench ${res.benchCpuUsPerUpdate.toFixed(0)} µs/update`
			);
			results.set(t.name, [...(results.get(t.name) ?? []), res]);
		}
	}
	const med = (name: Target['name'], key: keyof ThroughputResult) =>
		median((results.get(name) ?? []).map((r) => r[key]));
	const bare = med('bare', 'updatesPerSecond');
	const bareCpu = med('bare', 'relayCpuUsPerUpdate');
	const workload =
		`${writers} writer sockets + 1 reader on one doc, ${writers * updatesPerWriter} small Y.Map updates ` +
		`(${SIZES.window} in flight); rate limits raised so they never trip; median of ${rounds}`;
	for (const t of targets) {
		const ups = med(t.name, 'updatesPerSecond');
		const vsBare =
			t.name === 'bare' ? {} : { baseline: Math.round(bare), baselineName: 'sync.throughput.bare' };
		emit({
			name: `sync.throughput.${t.name}`,
			unit: 'updates/s',
			value: Math.round(ups),
			...vsBare,
			notes: `${workload}; ${DESCRIPTIONS[t.name]}`
		});
		emit({
			name: `sync.throughput.${t.name}.relayCpuPerUpdate`,
			unit: 'µs',
			value: round1(med(t.name, 'relayCpuUsPerUpdate')),
			...(t.name === 'bare'
				? {}
				: { baseline: round1(bareCpu), baselineName: 'sync.throughput.bare.relayCpuPerUpdate' }),
			notes: 'relay process CPU time (user+system, /proc) per update received and fanned out'
		});
		emit({
			name: `sync.throughput.${t.name}.benchCpuPerUpdate`,
			unit: 'µs',
			value: round1(med(t.name, 'benchCpuUsPerUpdate')),
			notes: 'CPU time of the load generator (writers + reader, this process) per update'
		});
	}
	const corked = results.has('bareCorked') ? med('bareCorked', 'updatesPerSecond') : null;
	for (const t of targets) {
		if (t.name !== 'relay' && t.name !== 'relayMux') continue;
		emit({
			name: `sync.throughput.${t.name}.ratio`,
			unit: '× bare',
			value: round2(med(t.name, 'updatesPerSecond') / bare),
			target: TARGETS.throughputRatio,
			notes: `sync.throughput.${t.name} / sync.throughput.bare`
		});
		if (corked === null) continue;
		emit({
			name: `sync.throughput.${t.name}.ratioSameIo`,
			unit: '× bareCorked',
			value: round2(med(t.name, 'updatesPerSecond') / corked),
			notes: `sync.throughput.${t.name} / sync.throughput.bareCorked: what auth and persistence cost when both relays batch their socket writes alike`
		});
	}
}

const DESCRIPTIONS: Record<Target['name'], string> = {
	bare: 'bare y-websocket relay',
	bareCorked:
		"bare y-websocket relay that corks each socket for a turn of the event loop, as the real relay does (not y-websocket's behaviour)",
	relay: 'over /sync/<doc>',
	relayMux: 'over multiplexed /sync'
};

// ---------------------------------------------------------------------------------------------------
// Latency

interface Editor {
	doc: Y.Doc;
	ready: Promise<void>;
	destroy(): void;
}

function whenSynced(p: WebsocketProvider, timeoutMs: number): Promise<void> {
	if (p.synced) return Promise.resolve();
	return within(
		new Promise<void>((resolve) => {
			const on = (s: boolean) => {
				if (!s) return;
				p.off('sync', on);
				resolve();
			};
			p.on('sync', on);
		}),
		timeoutMs,
		`${p.roomname} sync`
	);
}

/** A stock y-websocket provider on a socket of its own. */
function providerEditor(wsBase: string, docName: DocName, protocols: string[]): Editor {
	const doc = new Y.Doc();
	const p = new WebsocketProvider(`${wsBase}/sync`, docName, doc, {
		WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
		protocols,
		disableBc: true,
		maxBackoffTime: 1000
	});
	return {
		doc,
		ready: whenSynced(p, 20_000),
		destroy: () => {
			p.destroy();
			doc.destroy();
		}
	};
}

/** What the app runs: a SyncClient (one multiplexed socket) with the document attached. */
function syncClientEditor(wsBase: string, docName: DocName, jwt: string): Editor {
	const doc = new Y.Doc();
	const client = new SyncClient({ baseUrl: wsBase, token: jwt, WebSocketImpl: WebSocket, crossTab: false });
	const p = client.attach(docName, doc);
	return {
		doc,
		ready: whenSynced(p, 20_000),
		destroy: () => {
			client.destroy();
			doc.destroy();
		}
	};
}

async function latencyRun(
	target: Target,
	makeEditor: (docName: DocName) => Editor
): Promise<{ p50: number; p99: number; max: number }> {
	const docName = freshDocName();
	const others: { link: DocLink; close(): void }[] = [];
	const a = makeEditor(docName);
	const b = makeEditor(docName);
	try {
		// Connected a few at a time, as workstations would be.
		for (let i = 0; i < SIZES.others; i += 10) {
			const batch = await Promise.all(
				Array.from({ length: Math.min(10, SIZES.others - i) }, () => target.connect(docName))
			);
			others.push(...batch);
		}
		await within(Promise.all(others.map((o) => o.link.subscribed)), 20_000, 'other subscribers');
		await Promise.all([a.ready, b.ready]);
		const sent = a.doc.getMap<number>('latency');
		const seen = b.doc.getMap<number>('latency');
		let waiting: { key: string; value: number; resolve: (t: number) => void } | null = null;
		b.doc.on('update', () => {
			if (waiting && seen.get(waiting.key) === waiting.value) {
				const w = waiting;
				waiting = null;
				w.resolve(performance.now());
			}
		});
		const samples: number[] = [];
		const total = SIZES.warmupEdits + SIZES.edits;
		for (let e = 0; e < total; e++) {
			const key = `k${e % 16}`;
			const arrived = new Promise<number>((resolve) => (waiting = { key, value: e, resolve }));
			const t0 = performance.now();
			sent.set(key, e);
			const t1 = await within(arrived, 10_000, `${target.name}: edit ${e} to reach B`);
			if (e >= SIZES.warmupEdits) samples.push(t1 - t0);
			// 1–5 ms between edits, so edits do not fall into lockstep with timers.
			await sleep(1 + (e % 5));
		}
		return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) };
	} finally {
		a.destroy();
		b.destroy();
		for (const o of others) o.close();
	}
}

async function latency(bare: Target, relayDoc: Target, relayMux: Target, relay: RealRelay, jwt: string) {
	const runs: [Target, (d: DocName) => Editor, string][] = [
		[bare, (d) => providerEditor(bare.relay.wsBase, d, []), 'stock providers on the bare relay'],
		[
			relayDoc,
			(d) => providerEditor(relay.wsBase, d, subprotocolsFor(jwt)),
			'stock providers on /sync/<doc>, others on /sync/<doc>'
		],
		[
			relayMux,
			(d) => syncClientEditor(relay.wsBase, d, jwt),
			'A and B are SyncClients (the app: one multiplexed socket each), others mux connections'
		]
	];
	const results = new Map<string, { p50: number; p99: number; max: number }>();
	for (const [target, make, how] of runs) {
		const r = await latencyRun(target, make);
		results.set(target.name, r);
		log(
			`latency ${target.name}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms`
		);
		const base = results.get('bare');
		const notes = `${SIZES.edits} edits one at a time, ${SIZES.others} other subscribers on the doc; ${how}`;
		for (const p of ['p50', 'p99'] as const) {
			emit({
				name: `sync.latency.${target.name}.${p}`,
				unit: 'ms',
				value: round2(r[p]),
				...(base && target.name !== 'bare'
					? { baseline: round2(base[p]), baselineName: `sync.latency.bare.${p}` }
					: {}),
				...(target.name === 'bare' ? {} : { target: p === 'p50' ? TARGETS.latencyP50 : TARGETS.latencyP99 }),
				notes: `A edits → relay → B sees it, ${p}; ${notes}`
			});
		}
	}
}

// ---------------------------------------------------------------------------------------------------
// Memory

interface MemDoc {
	name: DocName;
	update: Uint8Array;
	stateVector: Uint8Array;
}

function memoryDocs(): MemDoc[] {
	return Array.from({ length: SIZES.memDocs }, (_, i) => {
		const name = `schedule/${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
		if (!isDocName(name)) throw new Error(`bad doc name ${name}`);
		const doc = new Y.Doc();
		doc.clientID = 7_000 + i;
		nestedCodec.writeAll(doc, makeAppointments(SIZES.memRecords, 1_000 + i));
		const out = { name, update: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc) };
		doc.destroy();
		return out;
	});
}

/** Writes every document into the relay over one multiplexed connection and waits until it has them. */
async function preload(relay: RealRelay, jwt: string, docs: MemDoc[]): Promise<void> {
	const mux = await MuxLink.connect(relay.wsBase, jwt);
	try {
		for (let i = 0; i < docs.length; i += 100) {
			const batch = docs.slice(i, i + 100);
			await Promise.all(
				batch.map(async (d) => {
					// The link answers the relay's step 1 with the whole document (its catch-up, step 2). The
					// relay handles a channel's messages in order, so its answer to the step 1 sent after that
					// comes once the document was applied (and queued for the store, which SIGTERM flushes).
					const link = mux.open(d.name, d.update);
					await within(link.subscribed, 30_000, `${d.name} subscription`);
					const answered = next(link, 'step2', 30_000);
					link.send(step1Message(d.stateVector));
					await answered;
					link.close();
				})
			);
		}
	} finally {
		mux.close();
	}
}

/**
 * Opens docs on a link as an up-to-date workstation would: its step 2 and its step 1 (with the full
 * state vector) tell the relay nothing new, so no document content is sent either way.
 */
async function openInStep(mux: MuxLink, docs: MemDoc[]): Promise<void> {
	await Promise.all(
		docs.map(async (d) => {
			const link = mux.open(d.name, d.update);
			let relayState: Uint8Array | null = null;
			const answered = within(
				new Promise<void>((resolve) => {
					link.onMessage = (m) => {
						const kind = kindOf(m);
						if (kind === 'step1') relayState ??= syncBody(m);
						else if (kind === 'step2') resolve();
					};
				}),
				60_000,
				`${d.name} step 2`
			);
			link.send(step1Message(d.stateVector));
			await answered;
			link.onMessage = null;
			// The documents must have come from the store, not from these clients' step 2s.
			if (!relayState || !sameStateVector(relayState, d.stateVector))
				throw new Error(`${d.name}: the relay did not have the preloaded document`);
		})
	);
}

function sameStateVector(a: Uint8Array, b: Uint8Array): boolean {
	const x = Y.decodeStateVector(a);
	const y = Y.decodeStateVector(b);
	return x.size === y.size && [...x].every(([client, clock]) => y.get(client) === clock);
}

async function memory(dataDir: string, appDir: string, relay1: RealRelay): Promise<void> {
	const docs = memoryDocs();
	const encoded = docs.reduce((s, d) => s + d.update.byteLength, 0);
	await preload(relay1, await writeToken(relay1), docs);
	await relay1.proc.stop();

	const relay = await startRealRelay({
		dataDir,
		appDir,
		identity: relay1.identity,
		// Keep documents resident whatever happens to their subscribers while measuring.
		env: { SYNC_IDLE_EVICT_MS: String(3_600_000) }
	});
	const links: MuxLink[] = [];
	try {
		const jwt = await writeToken(relay);
		const settle = SMOKE ? 500 : 5_000;
		await sleep(SMOKE ? 200 : 1_000);
		const before = await settledRss(relay.proc.pid, settle);

		const one = await MuxLink.connect(relay.wsBase, jwt);
		links.push(one);
		await openInStep(one, docs);
		const withDocs = await settledRss(relay.proc.pid, settle);
		const perDoc = (withDocs - before) / docs.length;
		log(
			`memory: RSS ${(before / 1e6).toFixed(1)} MB idle, ${(withDocs / 1e6).toFixed(1)} MB with ${docs.length} docs ` +
				`→ ${(perDoc / 1e3).toFixed(0)} kB per doc (encoded ${(encoded / docs.length / 1e3).toFixed(1)} kB)`
		);

		const t0 = performance.now();
		const { clients, docsPerClient } = SIZES;
		for (let c = 0; c < clients; c += 25) {
			await Promise.all(
				Array.from({ length: Math.min(25, clients - c) }, async (_, j) => {
					const client = c + j;
					const mux = await MuxLink.connect(relay.wsBase, jwt);
					links.push(mux);
					const mine = Array.from(
						{ length: docsPerClient },
						(_, k) => docs[(client * docsPerClient + k) % docs.length]!
					);
					await openInStep(mux, mine);
				})
			);
		}
		const connectMs = performance.now() - t0;
		const withClients = await settledRss(relay.proc.pid, settle);
		const perConn = (withClients - withDocs) / clients;
		log(
			`memory: ${clients} connections × ${docsPerClient} docs opened in ${(connectMs / 1000).toFixed(1)} s, ` +
				`RSS ${(withClients / 1e6).toFixed(1)} MB → ${(perConn / 1e3).toFixed(1)} kB per connection`
		);

		const what = `${docs.length} docs × ${SIZES.memRecords} appointments (nested codec, ${(encoded / docs.length / 1e3).toFixed(1)} kB encoded each)`;
		emit({
			name: 'sync.memory.rssIdle',
			unit: 'bytes',
			value: before,
			notes: 'relay RSS (VmRSS) after start, no connection'
		});
		emit({
			name: 'sync.memory.perDoc',
			unit: 'bytes',
			value: Math.round(perDoc),
			notes: `RSS growth per resident doc: ${what}, opened on one mux connection (one channel each)`
		});
		emit({
			name: `sync.memory.rss${clients}x${docsPerClient}`,
			unit: 'bytes',
			value: withClients,
			target: TARGETS.rss500x10,
			notes: `relay RSS with ${clients} mux connections each holding ${docsPerClient} of the ${docs.length} docs open (${(clients * docsPerClient) / docs.length} subscribers per doc), plus the one above`
		});
		emit({
			name: 'sync.memory.perConnection',
			unit: 'bytes',
			value: Math.round(perConn),
			notes: `RSS growth per mux connection with ${docsPerClient} channels (docs already resident)`
		});
	} finally {
		for (const l of links) l.close();
		await relay.proc.stop();
	}
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	const root = tempRoot('bench-relay');
	const started: RelayProcess[] = [];
	try {
		const identity = newIdentity();
		const dataDir = root.sub('data');
		const appDir = root.sub('app');
		const bare = await startBareRelay();
		started.push(bare);
		const bareCorked = await startBareRelay({ cork: true });
		started.push(bareCorked);
		const relay = await startRealRelay({ dataDir, appDir, identity, env: UNLIMITED_RATES });
		started.push(relay);
		const jwt = await writeToken(relay);
		const bareT = socketTarget('bare', bare, []);
		const relayT = socketTarget('relay', relay, subprotocolsFor(jwt));
		const muxT = muxTarget(relay, jwt);

		await throughput([bareT, socketTarget('bareCorked', bareCorked, []), relayT, muxT]);
		await bareCorked.proc.stop();
		if (process.env.SYNC_BENCH_ONLY === 'throughput') return;
		await latency(bareT, relayT, muxT, relay, jwt);
		await bare.proc.stop();
		await memory(dataDir, appDir, relay);
	} finally {
		for (const r of started) await r.proc.stop();
		await root.dispose();
	}
}

main().then(
	() => process.exit(0),
	(e: unknown) => {
		log(`sync-relay bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
		process.exit(1);
	}
);
