import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameError, parseSubprotocols, subprotocolsFor, type Frame } from './mux';
import { mayOpen } from './claims';

describe('sync multiplexing frames', () => {
	it('round-trips every frame type', () => {
		const frames: Frame[] = [
			{ type: 'open', channel: 7, docName: 'schedule/2026-11' },
			{ type: 'message', channel: 7, payload: new Uint8Array([0, 0, 1, 0]) },
			{ type: 'close', channel: 7, code: 4403, reason: 'forbidden' },
			{ type: 'auth', token: 'a.b.c' }
		];
		for (const f of frames) expect(decodeFrame(encodeFrame(f))).toEqual(f);
	});

	it('rejects truncated, empty, unknown and oversized frames with a FrameError', () => {
		const open = encodeFrame({ type: 'open', channel: 1, docName: 'directory' });
		for (const bad of [
			new Uint8Array([]),
			open.subarray(0, open.length - 2),
			new Uint8Array([1, 3]),
			new Uint8Array([9, 1, 1]),
			new Uint8Array([0, 0xff, 0xff, 0xff, 0x7f, 1, 65]),
			new Uint8Array([...open, 0])
		]) {
			expect(() => decodeFrame(bad)).toThrow(FrameError);
		}
	});

	it('keeps the token out of the protocol it selects', () => {
		expect(parseSubprotocols(subprotocolsFor('x.y.z'))).toEqual({ ours: true, token: 'x.y.z' });
		expect(parseSubprotocols(['other'])).toEqual({ ours: false, token: null });
	});

	it('grants documents by exact name or by prefix ending in a slash', () => {
		const claims = { docs: ['directory', 'schedule/'] };
		expect(mayOpen(claims, 'directory')).toBe(true);
		expect(mayOpen(claims, 'schedule/2026-11')).toBe(true);
		expect(mayOpen(claims, 'directory-2')).toBe(false);
		expect(mayOpen(claims, 'patients/a')).toBe(false);
	});
});
