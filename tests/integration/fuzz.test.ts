/**
 * Throws ≥ 10,000 malformed inputs at the real relay process from several concurrent workers,
 * while a separate pair of stock clients keeps syncing another document. Each input is
 * acknowledged before the next one is sent on that connection (a query-awareness answered, or the
 * relay closing the connection), so the count is of inputs the relay actually handled.
 * FUZZ_SEED replays a run; FUZZ_INPUTS changes the budget.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { subprotocolsFor, type Frame } from '../../src/lib/domain/sync/mux';
import { eventually, provider, token, whenSynced } from './support/clients';
import {
	badFrame,
	badHandshake,
	badRawFrames,
	bytes,
	int,
	mutate,
	pick,
	rng,
	validMessages,
	type Rng
} from './support/fuzz-inputs';
import { MuxClient } from './support/mux';
import {
	ensureRelayBuilt,
	health,
	newIdentity,
	startRelay,
	type RunningRelay,
	removeTempDirs
} from './support/relay';

const SEED = Number(process.env.FUZZ_SEED ?? 20261102);
const BUDGET = Number(process.env.FUZZ_INPUTS ?? 10_000);
const WORKERS = 8;
const TIME_LIMIT_MS = 50_000;
const identity = newIdentity();
let relay: RunningRelay;
const stats = new Map<string, number>();
const count = (what: string) => stats.set(what, (stats.get(what) ?? 0) + 1);
let handled = 0;

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({ identity, env: { LOG_LEVEL: 'warn' } });
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

/** Waits for `ack` or for the socket to close; the relay must do one of them promptly. */
function acked(
	ws: WebSocket,
	ack: (data: Buffer) => boolean,
	timeoutMs = 3000
): Promise<'ack' | 'closed' | 'timeout'> {
	return new Promise((resolve) => {
		const done = (how: 'ack' | 'closed' | 'timeout') => {
			clearTimeout(timer);
			ws.off('message', onMessage);
			ws.off('close', onClose);
			resolve(how);
		};
		const onMessage = (data: Buffer) => ack(data) && done('ack');
		const onClose = () => done('closed');
		const timer = setTimeout(() => done('timeout'), timeoutMs);
		if (ws.readyState !== ws.OPEN) return done('closed');
		ws.on('message', onMessage);
		ws.on('close', onClose);
	});
}

async function docSession(r: Rng, messages: Uint8Array[], docName: string, jwt: string): Promise<void> {
	const ws = new WebSocket(`${relay.wsUrl}/${docName}`, subprotocolsFor(jwt));
	ws.on('error', () => undefined);
	await new Promise((resolve) => ws.once('open', resolve).once('close', resolve));
	// Let the greeting (sync step 1, current awareness) arrive, so it is not taken for an ack.
	ws.send(new Uint8Array([3]));
	await acked(ws, (d) => d[0] === 1);
	for (let i = 0; i < 40 && ws.readyState === ws.OPEN && handled < BUDGET; i++) {
		const kind = int(r, 10);
		if (kind === 0) ws.send(String.fromCharCode(...bytes(r, 8)));
		else ws.send(kind < 4 ? bytes(r, 1 + int(r, 64)) : mutate(r, pick(r, messages)));
		ws.send(new Uint8Array([3]));
		const how = await acked(ws, (d) => d[0] === 1);
		count(`doc-${kind === 0 ? 'text' : kind < 4 ? 'random' : 'mutated'}-${how}`);
		handled += 1;
	}
	ws.terminate();
}

async function muxSession(r: Rng, messages: Uint8Array[], docName: string, jwt: string): Promise<void> {
	const mux = new MuxClient(relay.wsUrl, jwt);
	try {
		await mux.opened;
	} catch {
		return;
	}
	let channelOpen = false;
	mux.onFrame((f: Frame) => {
		if (f.type === 'close' && f.channel === 1) channelOpen = false;
	});
	// The answer to the ping on channel 1 — or the relay closing channel 1, when the input was a
	// CLOSE for it (the ping then went to a channel that no longer exists and is ignored).
	const isPong = (d: Buffer) => d[1] === 1 && ((d[0] === 1 && d[2] === 1) || d[0] === 2);
	for (let i = 0; i < 40 && mux.ws.readyState === mux.ws.OPEN && handled < BUDGET; i++) {
		if (!channelOpen) {
			mux.send({ type: 'open', channel: 1, docName });
			channelOpen = true;
		}
		mux.ws.send(badFrame(r, messages));
		mux.send({ type: 'message', channel: 1, payload: new Uint8Array([3]) });
		const how = await acked(mux.ws, isPong);
		count(`mux-${how}`);
		handled += 1;
	}
	mux.ws.terminate();
}

/** A raw TCP connection: a real upgrade, then frames that break RFC 6455 (or a broken upgrade). */
function rawSession(r: Rng, jwt: string): Promise<void> {
	return new Promise((resolve) => {
		const host = `127.0.0.1:${relay.port}`;
		const protocols = `clinicdesk.v1, bearer.${jwt}`;
		const broken = r() < 0.25;
		const socket = net.connect(relay.port, '127.0.0.1');
		let phase: 'handshake' | 'frames' = 'handshake';
		let buffered = '';
		let finished = false;
		const finish = (how: string) => {
			if (finished) return;
			finished = true;
			clearTimeout(timer);
			count(`${broken ? 'handshake' : 'raw'}-${how}`);
			handled += 1;
			socket.destroy();
			resolve();
		};
		const timer = setTimeout(() => finish('timeout'), 3000);
		socket.on('error', () => undefined);
		socket.on('close', () => finish('closed'));
		socket.on('connect', () => {
			if (broken) return socket.write(badHandshake(r, host, protocols));
			const key = Buffer.from(bytes(r, 16)).toString('base64');
			socket.write(
				`GET /sync/directory HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
					`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocols}\r\n\r\n`
			);
		});
		socket.on('data', (chunk: Buffer) => {
			if (broken) return finish(chunk.toString('latin1').split(' ')[1] ?? 'answered');
			if (phase === 'frames') return finish('closed-by-relay');
			buffered += chunk.toString('latin1');
			const end = buffered.indexOf('\r\n\r\n');
			if (end < 0) return;
			if (!buffered.startsWith('HTTP/1.1 101')) return finish('not-upgraded');
			phase = 'frames';
			socket.write(badRawFrames(r));
			// Frames that claim more bytes than sent would leave the relay waiting; end our side.
			setTimeout(() => socket.end(), 200);
		});
	});
}

/** The witness: two stock clients on a document nobody fuzzes must keep converging. */
async function witnessRound(a: Y.Doc, b: Y.Doc, round: number): Promise<void> {
	a.getMap('m').set(`k${round}`, round);
	await eventually(() => b.getMap('m').get(`k${round}`) === round, 5000);
}

describe('relay under malformed input', () => {
	it(`handles ${BUDGET} malformed inputs, stays up, and keeps syncing other clients`, async () => {
		const started = Date.now();
		const jwt = await token(identity, { docs: ['*'], ttlSeconds: 600 });
		const readJwt = await token(identity, { docs: ['*'], access: 'read', ttlSeconds: 600 });
		const witnessA = new Y.Doc();
		const witnessB = new Y.Doc();
		const pa = provider(relay.wsUrl, 'schedule/2030-01', witnessA, jwt);
		const pb = provider(relay.wsUrl, 'schedule/2030-01', witnessB, jwt);
		await Promise.all([whenSynced(pa), whenSynced(pb)]);
		const messages = validMessages();
		let round = 0;
		let witnessChecks = 0;
		let stop = false;
		const witness = (async () => {
			while (!stop) {
				await witnessRound(witnessA, witnessB, ++round);
				witnessChecks += 1;
				await new Promise((r) => setTimeout(r, 250));
			}
		})();
		const worker = async (w: number) => {
			const r = rng(SEED + w);
			while (handled < BUDGET && Date.now() - started < TIME_LIMIT_MS) {
				const docName = `schedule/2029-${String((w % 12) + 1).padStart(2, '0')}`;
				const which = int(r, 10);
				const tok = r() < 0.25 ? readJwt : jwt;
				if (which < 4) await docSession(r, messages, docName, tok);
				else if (which < 8) await muxSession(r, messages, docName, tok);
				else for (let i = 0; i < 10; i++) await rawSession(r, jwt);
			}
		};
		try {
			await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
		} finally {
			stop = true;
		}
		const witnessError = await witness.then(
			() => null,
			(e: unknown) => e
		);
		const elapsed = Date.now() - started;
		const summary = Object.fromEntries([...stats.entries()].sort());
		console.log(
			`fuzz seed=${SEED} inputs=${handled} in ${elapsed} ms, witness rounds=${witnessChecks}`,
			summary
		);

		expect(relay.child.exitCode, relay.output().slice(-2000)).toBeNull();
		expect(witnessError).toBeNull();
		// Decoding failures are expected and handled per connection; a handler error is a relay bug.
		expect(relay.output()).not.toMatch(/conn-handler-error|upgrade-failed|wss-error|doc-load-failed/);
		expect(handled).toBeGreaterThanOrEqual(BUDGET);
		const timeouts = [...stats.entries()].filter(([k]) => k.startsWith('doc-') || k.startsWith('mux-'));
		expect(timeouts.filter(([k]) => k.endsWith('-timeout')).reduce((n, [, v]) => n + v, 0)).toBe(0);
		expect(witnessChecks).toBeGreaterThan(3);
		await witnessRound(witnessA, witnessB, ++round);
		const h = await health(relay);
		expect(h.connections).toBeGreaterThanOrEqual(2);
		pa.destroy();
		pb.destroy();
	}, 90_000);
});
