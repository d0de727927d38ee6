/**
 * Offline merge (issue "Performance"): two replicas of one schedule month each make 5,000 edits
 * offline, then merge. Target: ≤ 2× the time raw Yjs takes for the same merge, measured in the same
 * run.
 *
 * Start state: one month of the demo clinic (`generateDemoClinic`, large preset: 2,279
 * appointments in November 2026), written by a third client and synced to replicas A and B. Offline,
 * each replica makes its own 5,000 edits (support/merge-edits.ts: status changes, moves, notes,
 * new bookings, one transaction each, with its history event where the app writes one), in each
 * representation of support/merge-replicas.ts: the app's codec (appointments in the `overlay` layout:
 * a booking as one string, an edit as its changed fields stamped with their time), the app's codec
 * plus the history events the app writes beside each edit (compact JSON strings), these as the app
 * wrote them before (bookings field by field with an `updatedAt` entry per edit, change marks, events
 * as nested maps or JSON objects; "one diff each way" only, with MERGE_OLD=1), and raw Yjs baselines
 * (a JSON value per record, with and without the same history events; the nested Y.Map layout
 * without the codec).
 *
 * The merge is delivered two ways:
 *   - one diff each way: `Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))` applied to b and the
 *     reverse. This is what the app's sync does after an offline period: y-websocket answers the
 *     sync step 1 (state vector) of a reconnecting document with one step-2 update, and the relay
 *     forwards what it receives as one update.
 *   - the update stream: each replica's per-transaction updates applied one by one, as the local
 *     store records them and as a relay forwards live edits.
 * and timed at three levels: the merge alone; plus re-reading the month the way the screen gets it
 * (app: `ScheduleStore.readMonth`, appointments and conflict resolutions through zod; raw: copies of
 * the JSON values, `toJSON` of the nested maps); plus `detectConflicts` over the result (the same
 * code for every variant). The ratios app codec / raw Yjs JSON carry the target (2×); the
 * one that decides is "one diff each way", merge alone — what the issue names — and the others show
 * what a person waits for.
 *
 * Every (variant, delivery) pair builds both replicas afresh from their saved offline states
 * (untimed), then times the merge on both replicas and the re-read on both; rounds alternate the
 * order of the pairs so no variant always runs first or last, and each ratio is the median of the
 * per-round ratios (both sides timed minutes apart at most, under the same load). A warm-up round
 * first, which also checks that the replicas converge.
 */
import * as Y from 'yjs';
import { detectConflicts } from '../src/lib/domain/schedule/conflicts';
import type { Appointment } from '../src/lib/domain/schedule/schemas';
import { emit, gc, log, median, SMOKE, sizeLabel, timeMs } from './lib';
import { demoMonth, describePlan, planBoth, type Edit } from './support/merge-edits';
import { variants, type Delivery, type Variant, type VariantName } from './support/merge-replicas';

const EDITS = SMOKE ? 50 : 5_000;
/**
 * MERGE_RUNS=<n> rounds (default 3, to keep `npm run bench` within 15 minutes; the numbers in
 * BENCHMARKS.md used 9); MERGE_OLD=1 adds the superseded app variants (change marks, nested or
 * JSON-object history events) for a before/after in the same run.
 */
const RUNS = SMOKE ? 1 : Math.max(1, Number(process.env.MERGE_RUNS ?? 3) || 3);
const WITH_OLD = process.env.MERGE_OLD === '1';
const TARGET_RATIO = 2;
/** Updates read after one by one to estimate the cost of re-reading after every update. */
const PER_UPDATE_SAMPLE = SMOKE ? 10 : 200;
// Fixed client ids keep encoded sizes identical between runs (real ones are random uint32s).
const BASE_ID = 1_000_000_007;
const REPLICA_IDS = { A: 2_654_435_761, B: 3_141_592_653 } as const;
// Staff user ids for the change marks and history events (synthetic).
const USERS = {
	A: '6f1c1b9e-2f43-4f43-9a51-0b1e2d3c4a5b',
	B: '0c9d8e7f-6a5b-4c3d-8e1f-2a3b4c5d6e7f'
} as const;

const DELIVERIES: readonly Delivery[] = ['diff', 'stream'];

interface Replica {
	/** Y.encodeStateAsUpdate after the offline edits. */
	state: Uint8Array;
	/** One update per transaction, in order, as the local store and the update stream carry them. */
	updates: Uint8Array[];
	editMs: number;
}

interface Prepared {
	variant: Variant;
	A: Replica;
	B: Replica;
}

interface Sample {
	merge: number;
	show: number;
	/** Of `merge`, encoding the two diffs (diff delivery only). */
	encode: number;
	/** Of `show`, detectConflicts on both replicas (the rest is reading). */
	conflictsMs: number;
	/**
	 * The same three as process CPU time (user + system, GC threads included): waiting for a core that
	 * another process holds does not count, so it is steadier than wall time on a busy machine.
	 */
	cpu: { merge: number; show: number; conflicts: number };
	/** Bytes of the two diffs (diff delivery) or of all streamed updates. */
	bytes: number;
	conflicts: number;
	invalid: number;
}

function cpuMs(): number {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
}

function docWithId(clientID: number): Y.Doc {
	const doc = new Y.Doc();
	doc.clientID = clientID;
	return doc;
}

function offline(variant: Variant, baseState: Uint8Array, id: number, by: string, plan: readonly Edit[]) {
	const doc = docWithId(id);
	Y.applyUpdate(doc, baseState);
	const updates: Uint8Array[] = [];
	doc.on('update', (u: Uint8Array) => updates.push(u));
	gc();
	const editMs = timeMs(() => {
		for (const edit of plan) variant.apply(doc, edit, by);
	});
	const state = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return { state, updates, editMs };
}

function prepare(variant: Variant, base: readonly Appointment[], plans: Record<'A' | 'B', Edit[]>): Prepared {
	const seed = docWithId(BASE_ID);
	variant.writeAll(seed, base);
	const baseState = Y.encodeStateAsUpdate(seed);
	seed.destroy();
	return {
		variant,
		A: offline(variant, baseState, REPLICA_IDS.A, USERS.A, plans.A),
		B: offline(variant, baseState, REPLICA_IDS.B, USERS.B, plans.B)
	};
}

/**
 * A replica reopened from its saved state. It makes no edits of its own any more, so it takes another
 * client id: a doc that receives structs under its own id assumes a clash and renames itself.
 */
function open(id: number, state: Uint8Array): Y.Doc {
	const doc = docWithId(id + 1);
	Y.applyUpdate(doc, state);
	return doc;
}

/** Sorted records as a string: replicas (and variants) hold the same month iff these are equal. */
function canonical(appointments: readonly Appointment[]): string {
	return JSON.stringify(
		[...appointments]
			.sort((x, y) => (x.id < y.id ? -1 : 1))
			.map((a) => Object.entries(a).sort(([k1], [k2]) => (k1 < k2 ? -1 : 1)))
	);
}

/** What the screen needs after a merge: the month re-read and its conflicts. */
function show(variant: Variant, doc: Y.Doc) {
	const { appointments, invalid } = variant.read(doc);
	const c0 = cpuMs();
	const t0 = process.hrtime.bigint();
	const conflicts = detectConflicts(appointments);
	const conflictsMs = Number(process.hrtime.bigint() - t0) / 1e6;
	return { appointments, invalid, conflicts: conflicts.length, conflictsMs, conflictsCpu: cpuMs() - c0 };
}

function mergeOnce(p: Prepared, delivery: Delivery, verify: boolean): Sample {
	const a = open(REPLICA_IDS.A, p.A.state);
	const b = open(REPLICA_IDS.B, p.B.state);
	let bytes = 0;
	let encodeMs = 0;
	gc();
	const c0 = cpuMs();
	const merge = timeMs(() => {
		if (delivery === 'diff') {
			// Both diffs are computed from the pre-merge states, as each side answers the other's step 1.
			const t0 = process.hrtime.bigint();
			const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
			const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
			encodeMs = Number(process.hrtime.bigint() - t0) / 1e6;
			Y.applyUpdate(b, toB);
			Y.applyUpdate(a, toA);
			bytes = toA.byteLength + toB.byteLength;
		} else {
			for (const u of p.A.updates) Y.applyUpdate(b, u);
			for (const u of p.B.updates) Y.applyUpdate(a, u);
		}
	});
	const c1 = cpuMs();
	if (delivery === 'stream') for (const u of [...p.A.updates, ...p.B.updates]) bytes += u.byteLength;
	let shownA: ReturnType<typeof show> | undefined;
	let shownB: ReturnType<typeof show> | undefined;
	const showMs = timeMs(() => {
		shownA = show(p.variant, a);
		shownB = show(p.variant, b);
	});
	const c2 = cpuMs();
	const conflictsMs = shownA!.conflictsMs + shownB!.conflictsMs;
	if (verify) {
		if (canonical(shownA!.appointments) !== canonical(shownB!.appointments))
			throw new Error(`${p.variant.name}/${delivery}: replicas did not converge`);
		const svA = Y.encodeStateVector(a);
		const svB = Y.encodeStateVector(b);
		if (Buffer.compare(Buffer.from(svA), Buffer.from(svB)) !== 0)
			throw new Error(`${p.variant.name}/${delivery}: state vectors differ after merge`);
	}
	a.destroy();
	b.destroy();
	return {
		merge,
		show: showMs,
		encode: encodeMs,
		conflictsMs,
		cpu: { merge: c1 - c0, show: c2 - c1, conflicts: shownA!.conflictsCpu + shownB!.conflictsCpu },
		bytes,
		conflicts: shownA!.conflicts,
		invalid: shownA!.invalid
	};
}

/**
 * `ScheduleStore` re-reads a changed month once per batch: before the recomputation it queues as a
 * microtask after an update. Updates that arrive in separate sync messages (separate tasks: a relay
 * forwarding a colleague's live edits, another tab) each get their own batch, so each costs a full
 * re-read of the month. Estimated from the first PER_UPDATE_SAMPLE updates, scaled to the stream.
 */
function perUpdateReadMs(p: Prepared): number {
	const b = open(REPLICA_IDS.B, p.B.state);
	const sample = p.A.updates.slice(0, PER_UPDATE_SAMPLE);
	gc();
	const ms = timeMs(() => {
		for (const u of sample) {
			Y.applyUpdate(b, u);
			p.variant.read(b);
		}
	});
	b.destroy();
	return (ms / sample.length) * (p.A.updates.length + p.B.updates.length);
}

function checkSameEdits(prepared: readonly Prepared[]): void {
	// Every variant must hold the same appointments after the same offline edits, or the comparison is void.
	for (const side of ['A', 'B'] as const) {
		const reads = prepared.map((p) => {
			const doc = open(REPLICA_IDS[side], p[side].state);
			const r = p.variant.read(doc);
			doc.destroy();
			if (r.invalid) throw new Error(`${p.variant.name}: ${r.invalid} invalid records before the merge`);
			return canonical(r.appointments);
		});
		if (reads.some((r) => r !== reads[0]))
			throw new Error(`replica ${side}: variants hold different appointments after the same edits`);
	}
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function main(): void {
	const ctx = demoMonth(SMOKE);
	const { base, month } = ctx;
	const plans = planBoth(ctx, EDITS);
	log(
		`merge: ${base.length} appointments in ${month}; A: ${describePlan(plans.A)}; B: ${describePlan(plans.B)}`
	);
	const touched = (plan: Edit[]) => new Set(plan.map((e) => (e.kind === 'book' ? e.record.id : e.id)));
	const tA = touched(plans.A);
	const both = [...touched(plans.B)].filter((id) => tA.has(id)).length;
	log(`merge: ${both} appointments edited on both replicas`);

	const chosen = variants.filter((v) => WITH_OLD || !v.old);
	const prepared = chosen.map((v) => prepare(v, base, plans));
	checkSameEdits(prepared);
	for (const p of prepared) {
		// Yjs clocks count items (map entries written), the unit of work of a merge.
		const items = (r: Replica, id: number) =>
			Y.decodeStateVector(Y.encodeStateVectorFromUpdate(r.state)).get(id);
		log(
			`merge: ${p.variant.name} offline edits ${p.A.editMs.toFixed(0)} + ${p.B.editMs.toFixed(0)} ms, ` +
				`${p.A.updates.length} + ${p.B.updates.length} updates, ` +
				`${items(p.A, REPLICA_IDS.A)} + ${items(p.B, REPLICA_IDS.B)} items`
		);
	}

	const pairs = prepared.flatMap((p) => p.variant.deliveries.map((d) => ({ p, d })));
	const samples = new Map<string, Sample[]>();
	const key = (v: VariantName, d: Delivery) => `${v}/${d}`;
	if (!SMOKE) for (const { p, d } of pairs) mergeOnce(p, d, true); // warm-up, and convergence check
	for (let round = 0; round < RUNS; round++) {
		const order = round % 2 === 0 ? pairs : [...pairs].reverse();
		for (const { p, d } of order) {
			const s = mergeOnce(p, d, SMOKE);
			const list = samples.get(key(p.variant.name, d)) ?? [];
			list.push(s);
			samples.set(key(p.variant.name, d), list);
		}
		log(`merge: round ${round + 1} of ${RUNS} done`);
	}

	const get = (v: VariantName, d: Delivery) => samples.get(key(v, d))!;
	for (const { p, d } of pairs) {
		const s = get(p.variant.name, d);
		const m = (f: (x: Sample) => number) => median(s.map(f)).toFixed(0);
		log(
			`merge: ${p.variant.name}/${d}: merge ${m((x) => x.merge)} ms (encode ${m((x) => x.encode)}), ` +
				`show ${m((x) => x.show)} ms (read ${m((x) => x.show - x.conflictsMs)}, conflicts ${m((x) => x.conflictsMs)}); ` +
				`CPU merge ${m((x) => x.cpu.merge)}, show ${m((x) => x.cpu.show)} ms; ` +
				`${s[0]!.conflicts} conflicts, ${s[0]!.invalid} invalid`
		);
	}

	const n = sizeLabel(EDITS);
	const deliveryLabel: Record<Delivery, string> = { diff: 'one diff each way', stream: 'update stream' };
	const levels: { suffix: string; pick: (x: Sample) => number; cpu: (x: Sample) => number; note: string }[] =
		[
			{ suffix: '', pick: (x) => x.merge, cpu: (x) => x.cpu.merge, note: 'the merge alone' },
			{
				suffix: ' + re-read',
				pick: (x) => x.merge + x.show - x.conflictsMs,
				cpu: (x) => x.cpu.merge + x.cpu.show - x.cpu.conflicts,
				note: 'merge, then the month re-read (app: readMonth with zod; raw: plain copies) on both'
			},
			{
				suffix: ' + re-read + conflicts',
				pick: (x) => x.merge + x.show,
				cpu: (x) => x.cpu.merge + x.cpu.show,
				note: 'merge, re-read, then detectConflicts on both (what the screen needs)'
			}
		];
	const label = (v: Variant, d: Delivery, suffix: string) =>
		`merge: 2×${n} offline edits, ${deliveryLabel[d]}${suffix} (${v.label})`;
	const rawJson = prepared.find((p) => p.variant.name === 'raw-json')!;
	const baseline = rawJson.variant;
	const runsNote = RUNS > 1 ? `median of ${RUNS} rounds, alternating order` : 'one run';
	const paired = (v: VariantName, b: VariantName, d: Delivery, pick: (s: Sample) => number) => {
		const xs = get(v, d);
		const ys = get(b, d);
		return median(xs.map((x, i) => pick(x) / pick(ys[i]!)));
	};

	for (const d of DELIVERIES) {
		for (const p of prepared) {
			const v = p.variant;
			if (!v.deliveries.includes(d)) continue;
			const s = get(v.name, d);
			const raw = v.name === 'raw-json' ? undefined : get('raw-json', d);
			for (const { suffix, pick, note } of levels) {
				emit({
					name: label(v, d, suffix),
					unit: 'ms',
					value: round2(median(s.map(pick))),
					...(raw
						? { baseline: round2(median(raw.map(pick))), baselineName: label(baseline, d, suffix) }
						: {}),
					notes: `${base.length} appointments + 2×${EDITS} edits, both replicas; ${note}; ${runsNote}`
				});
			}
		}
		// Every variant against the baseline; the app's current document (with or without its history)
		// carries the target, the superseded variants and the raw nested layout are for comparison.
		for (const p of prepared) {
			const v = p.variant;
			if (v.name === 'raw-json' || !v.deliveries.includes(d)) continue;
			const target = v.name === 'app' || v.name === 'app+history' ? { target: TARGET_RATIO } : {};
			for (const { suffix, pick, cpu } of levels) {
				emit({
					name: `merge ratio: ${v.label} / raw Yjs JSON, ${deliveryLabel[d]}${suffix}`,
					unit: '× raw Yjs',
					value: round2(paired(v.name, 'raw-json', d, pick)),
					...target,
					notes: `median over rounds of ${v.label} / raw Yjs JSON timed in the same round (wall time)`
				});
				emit({
					name: `merge ratio (CPU time): ${v.label} / raw Yjs JSON, ${deliveryLabel[d]}${suffix}`,
					unit: '× raw Yjs',
					value: round2(paired(v.name, 'raw-json', d, cpu)),
					...target,
					notes: 'the same from process CPU time, which time spent waiting for a busy core does not inflate'
				});
			}
		}
		if (d === 'diff') {
			// The app's document against raw Yjs writing the same history: as JSON objects (what a Yjs
			// user writes first; the app's own form until the json-string change), and as the app's strings.
			const against = [
				{ b: 'raw-json+history', label: 'raw Yjs JSON + history events', notes: 'as JSON objects' },
				{
					b: 'raw-json+history-string',
					label: 'raw Yjs JSON + history events as strings',
					notes: 'as the same compact JSON strings the app writes'
				}
			] as const;
			for (const { b, label: bLabel, notes: how } of against) {
				for (const { suffix, pick, cpu } of levels) {
					const name = `app codec + history events / ${bLabel}, ${deliveryLabel[d]}${suffix}`;
					const notes = `the app’s document against raw Yjs writing the same history events ${how}`;
					emit({
						name: `merge ratio: ${name}`,
						unit: '× raw Yjs',
						value: round2(paired('app+history', b, d, pick)),
						notes
					});
					emit({
						name: `merge ratio (CPU time): ${name}`,
						unit: '× raw Yjs',
						value: round2(paired('app+history', b, d, cpu)),
						notes
					});
				}
			}
		}
		for (const { suffix, pick } of levels) {
			emit({
				name: `merge ratio: app codec / raw Yjs nested, ${deliveryLabel[d]}${suffix}`,
				unit: '× raw Yjs',
				value: round2(paired('app', 'raw-nested', d, pick)),
				notes: 'the same against the nested layout written directly: what the codec itself adds'
			});
		}
	}

	for (const p of prepared) {
		const v = p.variant;
		const diff = get(v.name, 'diff');
		const raw = get('raw-json', 'diff');
		const isBase = v.name === 'raw-json';
		emit({
			name: `merge: offline edits, 2×${n} (${v.label})`,
			unit: 'ms',
			value: round2(p.A.editMs + p.B.editMs),
			...(isBase
				? {}
				: {
						baseline: round2(rawJson.A.editMs + rawJson.B.editMs),
						baselineName: `merge: offline edits, 2×${n} (${baseline.label})`
					}),
			notes: 'making the edits offline, one transaction each (one run, not part of the merge)'
		});
		emit({
			name: `merge: bytes of the two diffs (${v.label})`,
			unit: 'bytes',
			value: diff[0]!.bytes,
			...(isBase
				? {}
				: { baseline: raw[0]!.bytes, baselineName: `merge: bytes of the two diffs (${baseline.label})` }),
			notes: 'Y.encodeStateAsUpdate(a, sv(b)) + the reverse: what sync sends after reconnecting'
		});
		emit({
			name: `merge: records invalid after the merge (${v.label})`,
			unit: 'count',
			value: diff[0]!.invalid,
			notes:
				'per-field merges can combine two valid edits into an invalid record (quarantined by the app); ' +
				`conflicts after merge: ${diff[0]!.conflicts}`
		});
	}

	const perUpdate = (p: Prepared) =>
		`merge: 2×${n} updates in separate sync messages, month re-read after each (${p.variant.label}), estimated`;
	const rawPerUpdate = perUpdateReadMs(rawJson);
	const app = prepared.find((p) => p.variant.name === 'app')!;
	for (const [p, ms] of [
		[app, perUpdateReadMs(app)],
		[rawJson, rawPerUpdate]
	] as const) {
		emit({
			name: perUpdate(p),
			unit: 'ms',
			value: round2(ms),
			...(p === app ? { baseline: round2(rawPerUpdate), baselineName: perUpdate(rawJson) } : {}),
			notes: `ScheduleStore re-reads a changed month once per microtask batch, so once per sync message; scaled from the first ${PER_UPDATE_SAMPLE} updates; the recomputation after each is not included`
		});
	}
}

main();
