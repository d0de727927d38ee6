/**
 * Malformed inputs for the relay fuzz test, all drawn from one seeded generator so a failing run
 * can be replayed with FUZZ_SEED. Byte-level corruptions start from valid y-websocket messages and
 * mux frames (so they get past the first decoding step), raw WebSocket frames break RFC 6455 in
 * the ways a parser has to survive (reserved bits, opcodes, masking, lengths, fragmentation), and
 * handshakes break the HTTP upgrade itself.
 */
import * as Y from 'yjs';
import { encodeFrame, type Frame } from '../../../src/lib/domain/sync/mux';

export type Rng = () => number;

/** mulberry32: tiny, fast, and good enough to spread fuzz inputs. */
export function rng(seed: number): Rng {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const int = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

export function bytes(r: Rng, n: number): Uint8Array {
	const out = new Uint8Array(n);
	for (let i = 0; i < n; i++) out[i] = int(r, 256);
	return out;
}

function varUint(n: number): number[] {
	const out: number[] = [];
	while (n > 0x7f) {
		out.push(0x80 | (n % 128));
		n = Math.floor(n / 128);
	}
	out.push(n);
	return out;
}

/** Valid y-websocket messages to corrupt: sync steps, updates, awareness, query awareness. */
export function validMessages(): Uint8Array[] {
	const doc = new Y.Doc();
	doc.getMap('appointments').set('a', { start: '2026-11-02T09:00', note: 'fuzz' });
	doc.getArray('log').insert(0, ['x', 1, true]);
	doc.getText('t').insert(0, 'hello');
	const update = Y.encodeStateAsUpdate(doc);
	const sv = Y.encodeStateVector(doc);
	const awareness = new TextEncoder().encode(JSON.stringify({ user: { name: 'fuzz' } }));
	const wrap = (head: number[], body: Uint8Array) =>
		new Uint8Array([...head, ...varUint(body.length), ...body]);
	const aw = new Uint8Array([1, 77, 3, ...varUint(awareness.length), ...awareness]);
	return [wrap([0, 0], sv), wrap([0, 1], update), wrap([0, 2], update), wrap([1], aw), new Uint8Array([3])];
}

/** One corruption of a valid message: truncation, bit flips, inserted bytes, a huge length. */
export function mutate(r: Rng, input: Uint8Array): Uint8Array {
	const m = input.slice();
	switch (int(r, 6)) {
		case 0:
			return m.subarray(0, int(r, m.length));
		case 1:
			for (let i = 0, n = 1 + int(r, 4); i < n && m.length > 0; i++) m[int(r, m.length)]! ^= 1 << int(r, 8);
			return m;
		case 2: {
			const at = int(r, m.length + 1);
			return new Uint8Array([...m.subarray(0, at), ...bytes(r, 1 + int(r, 8)), ...m.subarray(at)]);
		}
		case 3: {
			const at = Math.min(m.length, 1 + int(r, 3));
			return new Uint8Array([...m.subarray(0, at), 0xff, 0xff, 0xff, 0xff, 0x7f, ...m.subarray(at)]);
		}
		case 4:
			return new Uint8Array([...m, ...bytes(r, 1 + int(r, 16))]);
		default:
			for (let i = 0; i < m.length; i++) if (r() < 0.1) m[i] = int(r, 256);
			return m;
	}
}

/** A mux frame that is malformed or refers to things that do not exist. */
export function badFrame(r: Rng, messages: Uint8Array[]): Uint8Array {
	const valid: Frame[] = [
		{
			type: 'open',
			channel: 1 + int(r, 4),
			docName: pick(r, ['directory', 'patients/3', 'schedule/2029-02'])
		},
		{ type: 'open', channel: 100 + int(r, 50), docName: String.fromCharCode(...bytes(r, 1 + int(r, 30))) },
		{ type: 'message', channel: int(r, 70000), payload: pick(r, messages) },
		{ type: 'message', channel: 1, payload: mutate(r, pick(r, messages)) },
		{ type: 'close', channel: 2 + int(r, 10), code: int(r, 5000), reason: 'x' },
		{ type: 'auth', token: String.fromCharCode(...bytes(r, int(r, 60))) }
	];
	const choice = int(r, 4);
	if (choice === 0) return bytes(r, 1 + int(r, 40));
	const frame = encodeFrame(pick(r, valid));
	return choice === 1 ? frame : mutate(r, frame);
}

/** One RFC 6455 frame, built by hand so every rule can be broken. */
export function rawFrame(o: {
	fin?: boolean;
	rsv?: number;
	opcode: number;
	masked?: boolean;
	payload: Uint8Array;
	declaredLength?: bigint;
}): Buffer {
	const head = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | o.opcode];
	const masked = o.masked ?? true;
	const len = o.declaredLength ?? BigInt(o.payload.length);
	if (len < 126n) head.push((masked ? 0x80 : 0) | Number(len));
	else if (len < 65536n) head.push((masked ? 0x80 : 0) | 126, Number(len >> 8n), Number(len & 0xffn));
	else {
		head.push((masked ? 0x80 : 0) | 127);
		for (let i = 7; i >= 0; i--) head.push(Number((len >> BigInt(8 * i)) & 0xffn));
	}
	const key = [0x12, 0x34, 0x56, 0x78];
	const body = masked ? o.payload.map((b, i) => b ^ key[i % 4]!) : o.payload;
	return Buffer.concat([Buffer.from(head), Buffer.from(masked ? key : []), Buffer.from(body)]);
}

/** Frame-level protocol violations, after a valid upgrade. */
export function badRawFrames(r: Rng): Buffer {
	const p = bytes(r, int(r, 40));
	switch (int(r, 12)) {
		case 0:
			return rawFrame({ rsv: 1 + int(r, 7), opcode: 2, payload: p });
		case 1:
			return rawFrame({ opcode: pick(r, [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), payload: p });
		case 2:
			return rawFrame({ opcode: 2, masked: false, payload: p });
		case 3:
			return rawFrame({ opcode: 2, payload: p, declaredLength: 1n << BigInt(40 + int(r, 23)) });
		case 4:
			return rawFrame({ opcode: 2, payload: p, declaredLength: BigInt(5 * 1024 * 1024 + int(r, 1000)) });
		case 5:
			return rawFrame({ opcode: 9, payload: bytes(r, 126 + int(r, 100)) });
		case 6:
			return rawFrame({ fin: false, opcode: pick(r, [8, 9, 10]), payload: p });
		case 7:
			return rawFrame({ opcode: 0, payload: p });
		case 8:
			return Buffer.concat([
				rawFrame({ fin: false, opcode: 2, payload: p }),
				rawFrame({ opcode: 2, payload: p })
			]);
		case 9:
			return rawFrame({
				opcode: 8,
				payload: pick(r, [bytes(r, 1), new Uint8Array([0x03, 0xe7]), bytes(r, 2 + int(r, 20))])
			});
		case 10:
			return rawFrame({ opcode: 1, payload: new Uint8Array([0xc3, 0x28, 0xff, 0xfe, ...p]) });
		default:
			return Buffer.from(bytes(r, 1 + int(r, 64)));
	}
}

/** A broken HTTP upgrade request (the relay must answer 4xx or drop it, and carry on). */
export function badHandshake(r: Rng, host: string, protocols: string): string {
	const key = Buffer.from(bytes(r, 16)).toString('base64');
	const lines = [
		'GET /sync HTTP/1.1',
		`Host: ${host}`,
		'Upgrade: websocket',
		'Connection: Upgrade',
		`Sec-WebSocket-Key: ${key}`,
		'Sec-WebSocket-Version: 13',
		`Sec-WebSocket-Protocol: ${protocols}`
	];
	switch (int(r, 7)) {
		case 0:
			lines.splice(4, 1);
			break;
		case 1:
			lines[5] = 'Sec-WebSocket-Version: 12';
			break;
		case 2:
			lines[6] = `Sec-WebSocket-Protocol: ${protocols}, clinicdesk.v1`;
			break;
		case 3:
			lines[6] = 'Sec-WebSocket-Protocol: clinicdesk.v1, bearer.a b';
			break;
		case 4:
			lines[0] = `GET /sync/${'a'.repeat(200 + int(r, 4000))} HTTP/1.1`;
			break;
		case 5:
			lines[0] = 'POST /sync HTTP/1.1';
			break;
		default:
			lines[4] = 'Sec-WebSocket-Key: not-base64!';
	}
	return `${lines.join('\r\n')}\r\n\r\n`;
}
