import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { ConnectionLimiter, TokenBucket } from './ratelimit';

describe('token bucket', () => {
	it('allows a burst, then refills at the rate', () => {
		let t = 0;
		const b = new TokenBucket(10, 5, () => t);
		for (let i = 0; i < 5; i++) expect(b.take(1)).toBe(true);
		expect(b.take(1)).toBe(false);
		t = 100;
		expect(b.take(1)).toBe(true);
		expect(b.take(1)).toBe(false);
		t = 10_000;
		for (let i = 0; i < 5; i++) expect(b.take(1)).toBe(true);
		expect(b.take(1)).toBe(false);
	});
});

describe('connection limiter', () => {
	const limits = loadConfig({}).sync;

	it('cuts off a flood of messages after the burst', () => {
		const t = 0;
		const l = new ConnectionLimiter(limits, () => t);
		let admitted = 0;
		while (l.admit(10)) admitted += 1;
		expect(admitted).toBe(limits.messageBurst);
	});

	it('always admits one message of maxPayload bytes, but not a stream of them', () => {
		let t = 0;
		const l = new ConnectionLimiter(limits, () => t);
		expect(l.admit(limits.maxPayload)).toBe(true);
		expect(l.admit(limits.maxPayload)).toBe(true);
		expect(l.admit(limits.maxPayload)).toBe(false);
		t = 1000;
		expect(l.admit(limits.maxPayload)).toBe(true);
	});
});

describe('relay config', () => {
	it('reads sync limits from the environment and refuses nonsense', () => {
		expect(loadConfig({ SYNC_MAX_PAYLOAD: '1048576' }).sync.maxPayload).toBe(1048576);
		expect(() => loadConfig({ SYNC_MAX_PAYLOAD: 'lots' })).toThrow(/SYNC_MAX_PAYLOAD/);
		expect(() => loadConfig({ SYNC_MAX_CHANNELS: '0' })).toThrow(/SYNC_MAX_CHANNELS/);
	});
});
