import type http from 'node:http';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { benchTrace, serveTrace, TRACE_PATH } from './bench-trace';
import { SharedDoc, type Subscriber } from './shared-doc';

const sub: Subscriber = {
	canWrite: () => true,
	identity: () => ({ userId: 'u1', role: 'front-desk' }),
	send: () => {}
};

function step1(): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	syncProtocol.writeSyncStep1(e, new Y.Doc());
	return encoding.toUint8Array(e);
}

function request(url: string) {
	const res = {
		status: 0,
		body: '',
		writeHead: (s: number) => (res.status = s),
		end: (b: string) => (res.body = b)
	};
	const handled = serveTrace(
		{ method: 'GET', url } as http.IncomingMessage,
		res as unknown as http.ServerResponse
	);
	return { handled, res };
}

describe('bench trace', () => {
	afterEach(() => {
		benchTrace.enabled = false;
		benchTrace.clear();
	});

	it('is off unless RELAY_BENCH_TRACE=1: nothing recorded, no endpoint', () => {
		expect(process.env.RELAY_BENCH_TRACE).not.toBe('1');
		expect(benchTrace.enabled).toBe(false);
		const shared = new SharedDoc('schedule/2026-11', () => {});
		shared.subscribe(sub);
		shared.receive(sub, step1());
		expect(benchTrace.entries()).toEqual([]);
		expect(request(TRACE_PATH).handled).toBe(false);
	});

	it('records each message with its kind, size and document number, and serves them', () => {
		benchTrace.enabled = true;
		const shared = new SharedDoc('schedule/2026-11', () => {});
		shared.subscribe(sub);
		const message = step1();
		expect(shared.receive(sub, message)).toBe('ok');
		const [entry] = benchTrace.entries();
		expect(entry).toMatchObject({ kind: 'step1', bytes: message.length, doc: shared.traceNo });
		expect(entry!.ms).toBeGreaterThanOrEqual(0);
		const { handled, res } = request(TRACE_PATH);
		expect(handled).toBe(true);
		const body = JSON.parse(res.body) as { now: number; entries: unknown[] };
		expect(body.entries).toHaveLength(1);
		// No document names in what the endpoint says.
		expect(res.body).not.toContain('schedule');
		expect(JSON.parse(request(`${TRACE_PATH}?clock`).res.body)).toEqual({ now: expect.any(Number) });
	});
});
