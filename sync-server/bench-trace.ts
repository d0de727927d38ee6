/**
 * A timeline of the relay's event loop for benchmarks only: with RELAY_BENCH_TRACE=1 (off by default,
 * and then nothing is recorded and the endpoint does not exist) the relay keeps its last
 * `CAPACITY` entries — each sync message it handled, each flush of corked sockets, each deferred
 * step-1 answer, each store write — and answers `GET /__bench/relay-trace` with them and its clock.
 * `bench/large-clinic.bench.ts` uses it to split a remote edit into its hops, and to see what kept
 * the loop busy when an edit waited. An entry holds a kind, times, sizes and a document number local
 * to this process: never a document's name or contents, a user or a token.
 */
import type http from 'node:http';

export type TraceKind =
	/** A sync message handled by SharedDoc.receive (`detail`: its type), fan-out calls included. */
	| 'step1'
	| 'step2'
	| 'update'
	| 'awareness'
	| 'query'
	| 'other'
	/** The end-of-turn uncork: the turn's sends leave (`bytes`: how many sockets). */
	| 'flush'
	/** A step 1 answered after the store caught up (`bytes`: the answer's size). */
	| 'answer'
	/** A batch of updates written to the store (`bytes`: rows). */
	| 'store'
	| 'compact';

export interface TraceEntry {
	kind: TraceKind;
	/** Epoch ms (`performance.timeOrigin + performance.now()`) when the work started. */
	at: number;
	/** How long it kept the event loop. */
	ms: number;
	bytes: number;
	/** The SharedDoc's number in this process (0: none). */
	doc: number;
}

const CAPACITY = 50_000;
let entries: TraceEntry[] = [];
let next = 0;

export const benchTrace = {
	enabled: process.env.RELAY_BENCH_TRACE === '1',
	now(): number {
		return performance.timeOrigin + performance.now();
	},
	/** `start` from `now()`; the duration runs until this call. */
	record(kind: TraceKind, start: number, bytes: number, doc = 0): void {
		const entry: TraceEntry = { kind, at: start, ms: benchTrace.now() - start, bytes, doc };
		if (entries.length < CAPACITY) entries.push(entry);
		else entries[next] = entry;
		next = (next + 1) % CAPACITY;
	},
	/** Oldest first. */
	entries(): TraceEntry[] {
		return entries.length < CAPACITY ? [...entries] : [...entries.slice(next), ...entries.slice(0, next)];
	},
	clear(): void {
		entries = [];
		next = 0;
	}
};

/** Sync message kinds by their first two bytes (y-websocket's message type and sync step). */
export function traceKindOf(message: Uint8Array): TraceKind {
	if (message[0] === 1) return 'awareness';
	if (message[0] === 3) return 'query';
	if (message[0] !== 0) return 'other';
	return message[1] === 0 ? 'step1' : message[1] === 1 ? 'step2' : message[1] === 2 ? 'update' : 'other';
}

export const TRACE_PATH = '/__bench/relay-trace';

/** Answers the trace endpoint; false when tracing is off or the request is for something else. */
export function serveTrace(req: http.IncomingMessage, res: http.ServerResponse): boolean {
	if (!benchTrace.enabled || req.method !== 'GET') return false;
	const url = req.url ?? '';
	if (url !== TRACE_PATH && !url.startsWith(`${TRACE_PATH}?`)) return false;
	// `?clock`: only the clock, for the bench's offset reads (small and quick).
	const body = url.endsWith('?clock')
		? { now: benchTrace.now() }
		: { now: benchTrace.now(), entries: benchTrace.entries() };
	res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
	res.end(JSON.stringify(body));
	return true;
}
