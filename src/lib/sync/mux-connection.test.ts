import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode } from '../domain/sync/mux';
import { backoffCeiling, backoffDelay, defaultBackoff } from './backoff';
import { MuxConnection, type ConnectionStatus, type MuxOptions, type RetryInfo } from './mux-connection';
import { TestRelay, waitFor } from './test-relay';
import type { VirtualCloseEvent, VirtualSocket } from './virtual-socket';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
	for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function relay(opts: Parameters<typeof TestRelay.start>[0] = {}): Promise<TestRelay> {
	const r = await TestRelay.start(opts);
	cleanup.push(() => r.destroy());
	return r;
}

function mux(r: TestRelay, opts: Partial<MuxOptions> = {}): MuxConnection {
	const m = new MuxConnection({ baseUrl: r.url, token: 'good', WebSocketImpl: WebSocket, ...opts });
	cleanup.push(() => m.destroy());
	return m;
}

function closes(s: VirtualSocket): VirtualCloseEvent[] {
	const seen: VirtualCloseEvent[] = [];
	s.addEventListener('close', (e) => seen.push(e));
	return seen;
}

describe('reconnect backoff', () => {
	it('draws each delay from [0, min(30 s, 500 ms·2^n)]', () => {
		expect([0, 1, 2, 5, 6, 7, 40].map((n) => backoffCeiling(n))).toEqual([
			500, 1000, 2000, 16_000, 30_000, 30_000, 30_000
		]);
		for (let n = 0; n < 12; n++) {
			const ceiling = backoffCeiling(n, defaultBackoff);
			expect(backoffDelay(n, () => 0)).toBe(0);
			expect(backoffDelay(n, () => 0.999999)).toBeLessThanOrEqual(ceiling);
			expect(backoffDelay(n, () => 0.5)).toBe(Math.floor(ceiling / 2));
		}
	});
});

describe('MuxConnection', () => {
	it('carries several documents over one real socket, binding channels opened before it was up', async () => {
		const r = await relay();
		const m = mux(r);
		const names = ['directory', 'schedule/2026-11', 'patients/a'];
		const sockets = names.map((n) => m.openChannel(n));
		expect(sockets.every((s) => s.readyState === s.CONNECTING)).toBe(true);
		m.connect();
		await waitFor(() => sockets.every((s) => s.readyState === s.OPEN), 5000, 'channels open');
		const late = m.openChannel('inventory');
		expect(late.readyState).toBe(late.CONNECTING);
		await waitFor(() => late.readyState === late.OPEN, 5000, 'late channel');
		expect(r.connectionsAccepted).toBe(1);
		expect(new Set([...sockets, late].map((s) => s.channel)).size).toBe(4);
		await waitFor(() => r.opened.length === 4, 5000, 'relay saw OPEN');
		expect([...r.opened].sort()).toEqual([...names, 'inventory'].sort());
	});

	it('backs off with full jitter while the relay is down, then reconnects', async () => {
		const r = await relay();
		await r.stop();
		const randoms = [0.9, 0.5, 0.25, 0.75, 0.1];
		let i = 0;
		const m = mux(r, {
			random: () => randoms[i++ % randoms.length] ?? 0,
			backoff: { baseMs: 40, capMs: 120 },
			stableMs: 100
		});
		const retries: (RetryInfo & { at: number })[] = [];
		const attempts: number[] = [];
		m.on('retry', (x) => retries.push({ ...x, at: Date.now() }));
		m.on('status', (s) => s === 'connecting' && attempts.push(Date.now()));
		m.connect();
		await waitFor(() => retries.length >= 5, 5000, 'five retries');
		expect(retries.map((x) => x.ceilingMs)).toEqual([40, 80, 120, 120, 120]);
		retries.forEach((x, n) => {
			expect(x.attempt).toBe(n);
			expect(x.delayMs).toBe(Math.floor((randoms[n] ?? 0) * x.ceilingMs));
			expect(x.delayMs).toBeLessThanOrEqual(x.ceilingMs);
			// The next attempt starts no earlier than the drawn delay.
			const next = attempts[n + 1];
			if (next !== undefined) expect(next - x.at).toBeGreaterThanOrEqual(x.delayMs - 2);
		});
		await r.restart();
		await waitFor(() => m.status === 'open', 5000, 'reconnected');
		expect(m.retryAt).toBeNull();
		// A connection that stays up for stableMs earns a fresh start; one dropped at once does not.
		await new Promise((res) => setTimeout(res, 150));
		await r.restart();
		await waitFor(() => retries.length === 6, 5000, 'retry after a stable connection');
		expect(retries[5]).toMatchObject({ attempt: 0, ceilingMs: 40 });
		await waitFor(() => m.status === 'open', 5000, 'reconnected again');
		await r.restart();
		await waitFor(() => retries.length === 7, 5000, 'retry after a short-lived connection');
		expect(retries[6]).toMatchObject({ attempt: 1, ceilingMs: 80 });
	});

	it("stops in 'unauthorized' on a 4401 close and resumes only with a new token", async () => {
		const r = await relay({ acceptToken: (t) => t.startsWith('good') });
		const m = mux(r, { token: 'expired', random: () => 0 });
		const statuses: ConnectionStatus[] = [];
		m.on('status', (s) => statuses.push(s));
		const first = m.openChannel('directory');
		const seen = closes(first);
		m.connect();
		await waitFor(() => m.status === 'unauthorized', 5000, 'unauthorized');
		await new Promise((res) => setTimeout(res, 300));
		expect(r.connectionsAccepted).toBe(1);
		expect(m.retryAt).toBeNull();
		expect(m.lastCloseCode).toBe(CloseCode.unauthorized);
		// The relay accepts the handshake and then closes, so the channel had opened; it is closed as
		// transient, and the one a provider builds next simply waits for a fresh token.
		expect(seen.map((e) => e.code)).toEqual([CloseCode.goingAway]);
		const s = m.openChannel('directory');
		await new Promise((res) => setTimeout(res, 50));
		expect(s.readyState).toBe(s.CONNECTING);
		m.setToken('good-1');
		await waitFor(() => s.readyState === s.OPEN, 5000, 'open with new token');
		expect(statuses).toEqual(['connecting', 'open', 'unauthorized', 'connecting', 'open']);
		expect(r.tokensSeen).toEqual(['expired', 'good-1']);
	});

	it('sends a refreshed token as AUTH on the open connection instead of reconnecting', async () => {
		const r = await relay({ acceptToken: (t) => t.startsWith('good') });
		const m = mux(r);
		m.connect();
		await waitFor(() => m.status === 'open');
		m.setToken('good-2');
		await waitFor(() => r.tokensSeen.length === 2);
		expect(r.tokensSeen).toEqual(['good', 'good-2']);
		expect(r.connectionsAccepted).toBe(1);
		// A relay that then expires the connection sends the client to 'unauthorized'.
		const s = m.openChannel('directory');
		await waitFor(() => s.readyState === s.OPEN);
		const seen = closes(s);
		r.closeConnections(CloseCode.unauthorized, 'expired');
		await waitFor(() => m.status === 'unauthorized');
		expect(seen.map((e) => e.code)).toEqual([CloseCode.goingAway]);
	});

	it('closes only the channel the relay refuses, with the relay’s code and reason', async () => {
		const r = await relay({ mayOpen: (doc) => doc !== 'billing/2026-11' });
		const m = mux(r);
		const errors: unknown[] = [];
		m.on('error', (e) => errors.push(e));
		const ok = m.openChannel('directory');
		const refused = m.openChannel('billing/2026-11');
		const seen = closes(refused);
		m.connect();
		await waitFor(() => refused.readyState === refused.CLOSED, 5000, 'refusal');
		expect(seen).toMatchObject([{ code: CloseCode.forbidden, reason: 'forbidden', wasClean: true }]);
		expect(ok.readyState).toBe(ok.OPEN);
		expect(m.status).toBe('open');
		expect(errors).toEqual([{ code: 'channel-closed', closeCode: 4403, docName: 'billing/2026-11' }]);
	});

	it('pause closes the socket and every channel as transient; resume reconnects', async () => {
		const r = await relay();
		const m = mux(r);
		const s = m.openChannel('directory');
		const seen = closes(s);
		m.connect();
		await waitFor(() => s.readyState === s.OPEN);
		m.pause();
		expect(m.status).toBe('idle');
		expect(seen.map((e) => e.code)).toEqual([CloseCode.goingAway]);
		await waitFor(() => r.openConnections === 0, 5000, 'relay saw the close');
		expect(m.retryAt).toBeNull();
		const again = m.openChannel('directory');
		m.resume();
		await waitFor(() => again.readyState === again.OPEN);
		expect(r.connectionsAccepted).toBe(2);
	});

	it('closing a channel sends CLOSE, and ids are never reused on one connection', async () => {
		const r = await relay();
		const m = mux(r);
		m.connect();
		const a = m.openChannel('directory');
		await waitFor(() => a.readyState === a.OPEN);
		const first = a.channel;
		a.close(1000, 'done');
		expect(a.readyState).toBe(a.CLOSED);
		const b = m.openChannel('directory');
		await waitFor(() => b.readyState === b.OPEN);
		expect(b.channel).not.toBe(first);
		expect(m.openChannels).toBe(1);
		expect(m.stats.connects).toBe(1);
		expect(m.stats.framesOut).toBeGreaterThanOrEqual(3);
	});

	it('does not reuse a closed channel id until the relay has answered its CLOSE', async () => {
		const r = await relay();
		const m = mux(r);
		const forceNext = (id: number) => ((m as unknown as { nextChannel: number }).nextChannel = id);
		m.connect();
		r.answerCloses = false;
		const a = m.openChannel('directory');
		await waitFor(() => a.readyState === a.OPEN);
		const first = a.channel!;
		a.close(1000, 'done');
		forceNext(first);
		const b = m.openChannel('schedule/2026-11');
		await waitFor(() => b.readyState === b.OPEN);
		expect(b.channel).not.toBe(first);

		r.answerCloses = true;
		b.close(1000, 'done');
		await waitFor(() => !(m as unknown as { draining: Set<number> }).draining.has(b.channel ?? -1));
		forceNext(b.channel!);
		const c = m.openChannel('patients/a');
		await waitFor(() => c.readyState === c.OPEN);
		expect(c.channel).toBe(b.channel);
	});
});
