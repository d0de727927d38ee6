/**
 * Splits each remote-edit sample of bench/large-clinic.bench.ts into its hops, with the relay's own
 * timeline (sync-server/bench-trace.ts, on in the bench's clinic server):
 *
 *   A's Enter → A's send → relay receives → relay's handling done → fan-out flushed to the sockets →
 *   a raw client (this Node process) receives → B's message → B's DOM → B's frame
 *
 * Every time is converted to A's clock (epoch ms): the relay's with its offset to Node's clock (the
 * read with the shortest round trip, as `clockOffset` does for the pages), Node's with `aMinusNode`.
 * For each sample it also sums what the relay's event loop was busy with between A's send and the
 * edit's arrival, so a late arrival can be told apart: the relay busy (step-1 answers, store writes)
 * or the way out of Chromium and the kernel.
 */
import { log, median } from '../lib';
import type { RemoteSample } from './clinic-steps';

interface TraceEntry {
	kind: string;
	at: number;
	ms: number;
	bytes: number;
	doc: number;
}

const TRACE_PATH = '/__bench/relay-trace';

/** Relay clock − Node clock (ms) and the round trip of the read it came from. */
export async function relayClock(serverUrl: string): Promise<{ relayMinusNode: number; rtt: number }> {
	let best = { rtt: Infinity, relayMinusNode: 0 };
	for (let i = 0; i < 15; i++) {
		const t0 = performance.timeOrigin + performance.now();
		const res = await fetch(`${serverUrl}${TRACE_PATH}?clock`);
		if (!res.ok) throw new Error(`relay trace: HTTP ${res.status} (is RELAY_BENCH_TRACE=1 set?)`);
		const { now } = (await res.json()) as { now: number };
		const t1 = performance.timeOrigin + performance.now();
		if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, relayMinusNode: now - (t0 + t1) / 2 };
	}
	return best;
}

export async function relayTrace(serverUrl: string): Promise<TraceEntry[]> {
	const res = await fetch(`${serverUrl}${TRACE_PATH}`);
	if (!res.ok) throw new Error(`relay trace: HTTP ${res.status}`);
	return ((await res.json()) as { entries: TraceEntry[] }).entries;
}

/** Each hop in ms; NaN where a point was not seen. */
export interface Hops {
	total: number;
	aSend: number;
	/** A's send → the relay starts handling the update (Chromium's network service, kernel, the relay's loop). */
	toRelay: number;
	/** The relay's handling of the message: apply, fan-out calls, persistence queued. */
	relayHandle: number;
	/** Handling done → the turn's flush of corked sockets starts (the rest of that turn). */
	relayTurn: number;
	/** Flush start → the raw client in this process got it. */
	toRaw: number;
	/** Flush start → B's message event. */
	toB: number;
	bDom: number;
	bFrame: number;
	/** What the relay's loop did between A's send and the edit's arrival: busy ms and the biggest item. */
	busyBefore: number;
	biggest: string;
	/** B's socket sends and other messages between its message and its DOM (its own sync work then). */
	bSends: number;
	bOtherMsgs: number;
}

/** A page's socket log (the probe's `wire()`), already on A's clock. */
export interface Wire {
	sends: readonly number[];
	msgs: readonly number[];
}

const SLACK_MS = 3;

/**
 * `raw[i]`: when the raw client got sample i's update, ms after A's Enter (NaN: not seen). Offsets as
 * returned by `clockOffset` (aMinusNode) and `relayClock`.
 */
export function hopsOf(
	samples: readonly RemoteSample[],
	raw: readonly number[],
	trace: readonly TraceEntry[],
	aMinusNode: number,
	relayMinusNode: number,
	bWire: Wire
): Hops[] {
	// Relay time → A's time, relative to each sample's Enter below.
	const toA = (t: number) => t - relayMinusNode + aMinusNode;
	const flushes = trace.filter((e) => e.kind === 'flush');
	return samples.map((s, i) => {
		const send = s.aInput + s.aSend;
		const bMsg = s.aInput + s.bMessage;
		const nextFlush = (t: number) => flushes.find((f) => toA(f.at) >= t - 0.05);
		// The edit is the update after A's send fanned out to the most sockets (A's audit entry, say,
		// goes to nobody else).
		let edit: TraceEntry | undefined;
		let editFlush: TraceEntry | undefined;
		for (const e of trace) {
			if (e.kind !== 'update' || toA(e.at) < send - SLACK_MS) continue;
			if (toA(e.at) > bMsg + SLACK_MS) break;
			const f = nextFlush(toA(e.at) + e.ms);
			if (f && (!editFlush || f.bytes > editFlush.bytes)) {
				edit = e;
				editFlush = f;
			}
		}
		const recv = edit ? toA(edit.at) : NaN;
		const handled = edit ? recv + edit.ms : NaN;
		const flushAt = editFlush ? toA(editFlush.at) : NaN;
		let busy = 0;
		let biggest = { ms: 0, what: '–' };
		if (edit) {
			for (const e of trace) {
				if (e === edit) continue;
				const start = toA(e.at);
				const end = start + e.ms;
				if (end < send || start > recv) continue;
				const ms = Math.min(end, recv) - Math.max(start, send);
				busy += Math.max(0, ms);
				if (e.ms > biggest.ms) biggest = { ms: e.ms, what: `${e.kind} ${e.ms.toFixed(1)} ms` };
			}
		}
		const bDomAt = s.aInput + s.remoteDom;
		const between = (list: readonly number[], from: number, to: number) =>
			list.filter((t) => t > from && t <= to).length;
		return {
			bSends: between(bWire.sends, bMsg - 0.01, bDomAt),
			bOtherMsgs: between(bWire.msgs, bMsg, bDomAt),
			total: s.remote,
			aSend: s.aSend,
			toRelay: recv - send,
			relayHandle: handled - recv,
			relayTurn: flushAt - handled,
			toRaw: s.aInput + (raw[i] ?? NaN) - flushAt,
			toB: bMsg - flushAt,
			bDom: s.remoteDom - s.bMessage,
			bFrame: s.remote - s.remoteDom,
			busyBefore: busy,
			biggest: biggest.what
		};
	});
}

const COLUMNS: [keyof Hops, string][] = [
	['aSend', 'A Enter→send'],
	['toRelay', 'send→relay'],
	['relayHandle', 'relay handle'],
	['relayTurn', 'relay turn'],
	['toRaw', 'flush→raw'],
	['toB', 'flush→B msg'],
	['bDom', 'B msg→DOM'],
	['bFrame', 'B DOM→frame']
];

function medianOf(hops: readonly Hops[], key: keyof Hops): number {
	const v = hops.map((h) => h[key]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
	return v.length ? median(v) : NaN;
}

/** Medians of every hop for all samples and for the slowest tenth, then the slowest tenth one by one. */
export function logHops(hops: readonly Hops[]): {
	all: Record<string, number>;
	slow: Record<string, number>;
} {
	const sorted = [...hops].sort((x, y) => x.total - y.total);
	const slow = sorted.slice(Math.floor(sorted.length * 0.9));
	const row = (set: readonly Hops[]) =>
		Object.fromEntries(
			[...COLUMNS, ['busyBefore', 'relay busy before'] as const].map(([k]) => [k, medianOf(set, k)])
		);
	const all = row(hops);
	const slowRow = row(slow);
	const fmt = (r: Record<string, number>) =>
		[...COLUMNS, ['busyBefore', 'relay busy before'] as const]
			.map(([k, label]) => `${label} ${(r[k] ?? NaN).toFixed(1)}`)
			.join(', ');
	log(`remote hops, medians of all ${hops.length}: ${fmt(all)}`);
	log(`remote hops, medians of the slowest ${slow.length} (p90+): ${fmt(slowRow)}`);
	for (const h of slow.reverse())
		log(
			`  slow sample ${h.total.toFixed(1)} ms: ` +
				COLUMNS.map(([k, label]) => `${label} ${(h[k] as number).toFixed(1)}`).join(', ') +
				`; relay busy before ${h.busyBefore.toFixed(1)} ms (biggest: ${h.biggest}); ` +
				`B sent ${h.bSends} and got ${h.bOtherMsgs} other messages between its message and its DOM`
		);
	return { all, slow: slowRow };
}

/**
 * What the relay's loop did from `from` to `to` (relay clock), by kind: how often, how long in all,
 * the longest, and the share of the window. Says how likely an edit is to meet a busy relay.
 */
export function logRelayLoad(trace: readonly TraceEntry[], from: number, to: number): void {
	const byKind = new Map<string, { n: number; ms: number; max: number }>();
	for (const e of trace) {
		if (e.at < from || e.at > to) continue;
		const k = byKind.get(e.kind) ?? { n: 0, ms: 0, max: 0 };
		k.n += 1;
		k.ms += e.ms;
		k.max = Math.max(k.max, e.ms);
		byKind.set(e.kind, k);
	}
	const span = to - from;
	const parts = [...byKind]
		.sort((x, y) => y[1].ms - x[1].ms)
		.map(
			([kind, k]) =>
				`${kind} ${k.n}× ${k.ms.toFixed(0)} ms (max ${k.max.toFixed(1)}, ${((100 * k.ms) / span).toFixed(2)} %)`
		);
	log(
		`relay's loop during the samples (${(span / 1000).toFixed(0)} s), traced work by kind: ${parts.join('; ')}`
	);
}
