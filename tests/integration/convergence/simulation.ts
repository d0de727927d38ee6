/**
 * One seeded convergence run: five writing workstations and one read-only workstation edit records
 * in two documents (over one multiplexed socket each, or one socket per document) while the network
 * delivers, reorders (across sockets), loses (with the socket) and half-closes traffic, the relay
 * drops connections, restarts or crashes, its store stalls or fails, and workstations go offline,
 * reload or detach documents (chaos.ts). Then everything is delivered, everyone reconnects and
 * syncs, and the checks in checks.ts run.
 *
 * Time is vitest's fake clock (the test file installs it): every timer in the stack — y-websocket's
 * reconnects and watchdog, awareness renewals, the sync client's backoff, resync and confirmation,
 * the relay's eviction — fires only when the run advances the clock, so a seed replays exactly.
 * Microtasks run for real between steps (`settle`).
 */
import { createHash } from 'node:crypto';
import { vi } from 'vitest';
import * as Y from 'yjs';
import type { DocName } from '../../../src/lib/crdt/layout';
import type { SyncClaims } from '../../../src/lib/domain/sync/claims';
import { Chaos } from './chaos';
import { everyEditPresent, happenedBefore, readOnlyContained, sameDocuments, type Replica } from './checks';
import { EditLog } from './edits';
import { Network } from './network';
import { Random } from './random';
import { InProcessRelay } from './relay';
import { captureConsole, settle, Trace } from './trace';
import { Workstation, type Transport } from './workstations';

const DOCS: readonly DocName[] = ['schedule/2026-11', 'patients/c'];
const WRITERS = ['w1', 'w2', 'w3', 'w4', 'w5'];
const READER = 'ro';
export const START_TIME = Date.UTC(2026, 10, 2, 8);
const SETTLE_ROUNDS = 400;
const DRAIN_LIMIT = 200_000;

export interface RunStats {
	steps: number;
	/** Share of steps at which a workstation had every attached document synced, in percent. */
	onlinePercent: number;
	edits: number;
	/** Edits skipped because the record was quarantined at that moment (see EditLog.refused). */
	refusedEdits: number;
	fieldEdits: number;
	/** Pairs of concurrent edits (different workstations) of the same field of the same record. */
	sameFieldConflicts: number;
	/** Pairs of concurrent edits of different fields of the same record. */
	otherFieldConflicts: number;
	delivered: number;
	linkBreaks: number;
	relayDrops: number;
	restarts: number;
	crashes: number;
	/** Workstation page reloads (new Yjs client ids, state from local storage). */
	reloads: number;
	/** Documents the relay dropped from memory after their last subscriber left. */
	evictions: number;
	/** Steps after which the relay held a partly applied update (fails the run). */
	relayHalfApplied: number;
	storeLoads: number;
	storeHolds: number;
	storeFailures: number;
	directClients: number;
}

export class SeedFailure extends Error {
	override name = 'SeedFailure';
}

export interface RunResult {
	stats: RunStats;
	/** A hash of the final documents: equal for two runs of one seed if the run is deterministic. */
	fingerprint: string;
}

export async function runSeed(seed: number, steps: number): Promise<RunResult> {
	vi.setSystemTime(START_TIME);
	const rand = new Random(seed);
	const trace = new Trace();
	const restoreConsole = captureConsole(trace);
	const network = new Network();
	const usedIds = new Set<number>();
	const clientIds = () => {
		let id = rand.int(1, 2 ** 31);
		while (usedIds.has(id)) id = rand.int(1, 2 ** 31);
		usedIds.add(id);
		return id;
	};
	const claims = new Map<string, SyncClaims>();
	const relay = new InProcessRelay(
		network,
		rand,
		{
			idleEvictMs: rand.pick([0, 50, 2_000, 20_000]),
			compactEvery: rand.pick([1, 3, 10, 500]),
			maxPayload: rand.pick([4 * 1024, 4 * 1024 * 1024]),
			holdChance: rand.pick([0, 0, 0.3, 0.7]),
			failChance: rand.pick([0, 0, 0.02, 0.1])
		},
		(token) => claims.get(token)
	);
	const stations: Workstation[] = [];
	const log = new EditLog(rand);
	const chaos = new Chaos({ rand, network, relay, stations, log, claims, docs: DOCS, trace });
	try {
		for (const name of [...WRITERS, READER]) {
			const token = `token-${name}`;
			const canWrite = name !== READER;
			claims.set(token, {
				sub: name,
				role: canWrite ? 'front-desk' : 'auditor',
				clinic: 'clinic-1',
				docs: ['schedule/', 'patients/'],
				access: canWrite ? 'write' : 'read'
			});
			const transport: Transport = rand.chance(0.25) ? 'direct' : 'mux';
			stations.push(new Workstation(name, canWrite, transport, token, network, rand, DOCS, clientIds));
		}
		trace.add(`stations ${stations.map((s) => `${s.name}:${s.transport}`).join(' ')}`);
		for (; trace.step < steps; trace.step++) await chaos.step();

		trace.add('--- settling');
		await settleEverything(rand, network, relay, stations, trace);
		const problems = await check(log, relay, stations);
		if (problems.length > 0) throw new SeedFailure(problems.slice(0, 12).join('\n'));
		const hash = createHash('sha256');
		for (const name of DOCS) hash.update(Y.encodeStateAsUpdate(stations[0]!.doc(name)));
		return { stats: stats(log, network, relay, stations, chaos, steps), fingerprint: hash.digest('hex') };
	} catch (e) {
		const why = e instanceof Error ? e.message : String(e);
		throw new SeedFailure(`seed ${seed}:\n${why}\n--- last steps of seed ${seed}:\n${trace.toString()}`);
	} finally {
		for (const ws of stations) ws.destroy();
		vi.clearAllTimers();
		restoreConsole();
	}
}

/** No more chaos: the store works, everyone is online with every document, until all is in step. */
async function settleEverything(
	rand: Random,
	network: Network,
	relay: InProcessRelay,
	stations: Workstation[],
	trace: Trace
): Promise<void> {
	relay.behaviour.failChance = 0;
	relay.behaviour.holdChance = 0;
	for (const ws of stations) {
		if (ws.paused) ws.resume();
		for (const name of DOCS) ws.attach(name);
	}
	for (let round = 0; round < SETTLE_ROUNDS; round++) {
		await drain(rand, network, relay);
		if (stations.every((ws) => (ws.canWrite ? ws.inStep : ws.synced))) return;
		await vi.advanceTimersByTimeAsync(1_000);
	}
	for (const ws of stations) trace.add(`${ws.name}: ${ws.statusSummary}`);
	throw new Error(`workstations did not get in step within ${SETTLE_ROUNDS} simulated seconds`);
}

/** Delivers everything in flight (in random interleavings), completing every handshake. */
async function drain(rand: Random, network: Network, relay: InProcessRelay): Promise<void> {
	for (let i = 0; i < DRAIN_LIMIT; i++) {
		const queues = network.queues();
		const pending = network.pendingHandshakes();
		const unnoticed = network.unnoticed();
		if (relay.store.held.length > 0) relay.store.releaseOne();
		else if (unnoticed.length > 0) {
			const { link, side } = rand.pick(unnoticed);
			network.notice(link, side);
		} else if (pending.length > 0) network.completeHandshake(rand.pick(pending), true);
		else if (queues.length > 0) {
			const { link, dir } = rand.pick(queues);
			network.deliver(link, dir);
		} else return;
		await settle();
	}
	throw new Error('the network never went quiet');
}

async function check(log: EditLog, relay: InProcessRelay, stations: Workstation[]): Promise<string[]> {
	const problems: string[] = [];
	const writers = stations.filter((s) => s.canWrite);
	const reader = stations.find((s) => !s.canWrite)!;
	const relayDocs = new Map<DocName, Replica>();
	for (const name of DOCS) {
		const relayReplica = { label: 'relay', doc: await relay.snapshotOf(name) };
		relayDocs.set(name, relayReplica);
		const replicas = [...writers.map((w) => ({ label: w.name, doc: w.doc(name) })), relayReplica];
		problems.push(...sameDocuments(name, relayReplica, replicas.slice(0, -1)));
		problems.push(...everyEditPresent(log, name, relayReplica.doc));
		problems.push(
			...readOnlyContained(
				log,
				name,
				{ label: reader.name, doc: reader.doc(name) },
				relayReplica.doc,
				replicas
			)
		);
	}
	// A graceful restart flushes every document: the store must then hold what the relay held.
	await relay.restart(settle);
	for (const name of DOCS) {
		const stored = { label: 'store', doc: await relay.storedDoc(name) };
		problems.push(...sameDocuments(name, relayDocs.get(name)!, [stored]));
	}
	return problems;
}

function stats(
	log: EditLog,
	network: Network,
	relay: InProcessRelay,
	stations: Workstation[],
	chaos: Chaos,
	steps: number
): RunStats {
	let sameFieldConflicts = 0;
	let otherFieldConflicts = 0;
	const byRecord = new Map<string, typeof log.fields>();
	for (const e of log.fields) {
		if (e.readOnly || e.field === 'updatedAt') continue;
		const edits = byRecord.get(e.record) ?? [];
		edits.push(e);
		byRecord.set(e.record, edits);
	}
	for (const edits of byRecord.values()) {
		for (let i = 0; i < edits.length; i++) {
			for (let j = i + 1; j < edits.length; j++) {
				const a = edits[i]!;
				const b = edits[j]!;
				if (a.client === b.client || happenedBefore(a, b) || happenedBefore(b, a)) continue;
				if (a.field === b.field) sameFieldConflicts += 1;
				else otherFieldConflicts += 1;
			}
		}
	}
	return {
		steps,
		onlinePercent: Math.round((100 * chaos.online) / steps),
		linkBreaks: chaos.linkBreaks,
		relayDrops: chaos.relayDrops,
		reloads: chaos.reloads,
		evictions: chaos.evictions,
		relayHalfApplied: chaos.halfApplied,
		edits: new Set(log.fields.map((f) => f.seq)).size,
		refusedEdits: log.refused,
		fieldEdits: log.fields.length,
		sameFieldConflicts,
		otherFieldConflicts,
		delivered: network.delivered,
		restarts: relay.restarts,
		crashes: relay.crashes,
		storeLoads: relay.counts.loads,
		storeHolds: relay.counts.holds,
		storeFailures: relay.counts.failures,
		directClients: stations.filter((s) => s.transport === 'direct').length
	};
}
