/**
 * A profiled first sync of a new workstation (LARGE_CLINIC_ONLY=join with LARGE_CLINIC_PROFILE): the
 * timeline of what the page asked for and got, and where its main thread went, per phase of the join.
 *
 * - HTTP: every request's start and end (Playwright's events, Node's clock), path only.
 * - The mux socket: every frame in both directions, timed in the page (an init script wraps
 *   `WebSocket`): OPEN frames name the document of each channel; per channel the bytes received, the
 *   first and last message, the y-protocol message kinds and the time spent in the socket's
 *   `onmessage` (applying the document, its observers).
 * - V8 CPU profile (1 ms sampling) from the click to "Synced", summarised by function per phase:
 *   click → current user (login, keyring, unlock), → today painted, → "Synced".
 * - Long tasks (PerformanceObserver) as a busy-time timeline per 500 ms.
 * Readable function names need an unminified client build (a local `minify: false`, not committed).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { log } from '../lib';
import { startProfiler, summariseProfile } from './browser';
import { waitDense, waitSynced } from './clinic-steps';
import { DEMO_PASSPHRASE } from './large-clinic';

/** In-page: frames of every WebSocket with their times and how long each `onmessage` took. */
const WIRE_PROBE = String.raw`(() => {
	if (window.__joinWire) return;
	const out = { frames: [], longTasks: [], closes: [] };
	window.__joinWire = out;
	try {
		new PerformanceObserver((l) => { for (const e of l.getEntries()) out.longTasks.push([e.startTime, e.duration]); })
			.observe({ type: 'longtask', buffered: true });
	} catch {}
	const varUint = (b, pos) => { let n = 0, m = 1, x; do { x = b[pos++]; n += (x & 127) * m; m *= 128; } while (x >= 128); return [n, pos]; };
	const describe = (buf) => {
		const b = new Uint8Array(buf);
		let [type, p] = varUint(b, 0);
		let channel; [channel, p] = varUint(b, p);
		const f = { type, channel, bytes: b.length };
		if (type === 0) { let len; [len, p] = varUint(b, p); f.doc = new TextDecoder().decode(b.subarray(p, p + len)); }
		if (type === 1) { let k; [k, p] = varUint(b, p); f.kind = k; if (k === 0) { let s; [s] = varUint(b, p); f.sync = s; } }
		return f;
	};
	const Native = window.WebSocket;
	if (!Native) return;
	const send = Native.prototype.send;
	Native.prototype.send = function (data) {
		try { if (typeof data !== 'string') { const f = describe(data instanceof ArrayBuffer ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)); f.dir = 'up'; f.t = performance.now(); out.frames.push(f); } } catch {}
		return send.call(this, data);
	};
	let proto = Native.prototype, desc;
	while (proto && !(desc = Object.getOwnPropertyDescriptor(proto, 'onmessage'))) proto = Object.getPrototypeOf(proto);
	if (!desc) return;
	let cproto = Native.prototype, cdesc;
	while (cproto && !(cdesc = Object.getOwnPropertyDescriptor(cproto, 'onclose'))) cproto = Object.getPrototypeOf(cproto);
	if (cdesc) Object.defineProperty(Native.prototype, 'onclose', {
		configurable: true,
		get() { return cdesc.get.call(this); },
		set(fn) {
			if (typeof fn !== 'function') return cdesc.set.call(this, fn);
			cdesc.set.call(this, function (ev) { out.closes.push([performance.now(), ev.code, ev.reason]); return fn.call(this, ev); });
		}
	});
	Object.defineProperty(Native.prototype, 'onmessage', {
		configurable: true,
		get() { return desc.get.call(this); },
		set(fn) {
			if (typeof fn !== 'function') return desc.set.call(this, fn);
			desc.set.call(this, function (ev) {
				const t = performance.now();
				let f = null;
				try { if (typeof ev.data !== 'string') { f = describe(ev.data); f.dir = 'down'; f.t = t; out.frames.push(f); } } catch {}
				try { return fn.call(this, ev); } finally { if (f) f.ms = performance.now() - t; }
			});
		}
	});
})()`;

interface WireFrame {
	dir: 'up' | 'down';
	t: number;
	type: number;
	channel: number;
	bytes: number;
	doc?: string;
	kind?: number;
	sync?: number;
	ms?: number;
}

/** The bench's `join` with the recording around it; returns the same times. */
export async function profiledJoin(
	ctx: BrowserContext,
	ids: readonly string[],
	dir: string
): Promise<{ page: Page; paintMs: number; syncedMs: number }> {
	fs.mkdirSync(dir, { recursive: true });
	await ctx.addInitScript(WIRE_PROBE);
	const page = await ctx.newPage();
	const http: { path: string; start: number; end?: number }[] = [];
	const open = new Map<object, (typeof http)[number]>();
	await page.goto('/');
	const region = page.getByRole('region', { name: 'Join your clinic’s server' });
	await region.getByLabel('Login name').fill('admin');
	await region.getByLabel('Passphrase').fill(DEMO_PASSPHRASE);
	const cdp = await ctx.newCDPSession(page);
	const stop = await startProfiler(cdp, 1000);
	const pageT0 = await page.evaluate(() => performance.now());
	const t0 = performance.now();
	page.on('request', (r) => {
		const e = {
			path: new URL(r.url()).pathname.replace(/\/_app\/immutable\//, '…/'),
			start: performance.now() - t0
		};
		http.push(e);
		open.set(r, e);
	});
	const done = (r: object) => {
		const e = open.get(r);
		if (e) e.end = performance.now() - t0;
	};
	page.on('requestfinished', done);
	page.on('requestfailed', done);
	await region.getByRole('button', { name: 'Log in and join' }).click();
	await page.getByTestId('current-user').waitFor({ timeout: 120_000 });
	const userMs = performance.now() - t0;
	await waitDense(page, ids, 180_000);
	const paintMs = performance.now() - t0;
	await new Promise((r) => setTimeout(r, 2500));
	await waitSynced(page, 180_000);
	const syncedMs = performance.now() - t0;
	const profile = await stop();
	const wire = await page.evaluate(
		() =>
			(
				window as unknown as {
					__joinWire: {
						frames: WireFrame[];
						longTasks: [number, number][];
						closes: [number, number, string][];
					};
				}
			).__joinWire
	);
	fs.writeFileSync(path.join(dir, 'join-B.cpuprofile'), JSON.stringify(profile));
	fs.writeFileSync(
		path.join(dir, 'join-B.wire.json'),
		JSON.stringify({ http, wire, pageT0, userMs, paintMs })
	);

	const rel = (t: number) => t - pageT0;
	const fmt = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
	log(
		`\njoin B (profiled): current user ${fmt(userMs)}, today painted ${fmt(paintMs)}, Synced ${fmt(syncedMs)}`
	);
	log('HTTP (from the click):');
	for (const h of http.filter((x) => x.start > -1))
		log(`  ${fmt(h.start)} → ${h.end === undefined ? '…' : fmt(h.end)}  ${h.path}`);
	// Channels: name from OPEN, then what came down on each.
	const docs = new Map<string, number>();
	const perChannel = new Map<
		string,
		{
			doc: string;
			opened: number;
			first?: number;
			last?: number;
			bytes: number;
			msgs: number;
			ms: number;
			kinds: Set<string>;
		}
	>();
	let conn = 0;
	let lastUpType = -1;
	for (const f of wire.frames) {
		// A new socket starts its channel ids at 1 again; an OPEN for channel 1 marks a new connection.
		if (f.dir === 'up' && f.type === 0 && f.channel === 1 && lastUpType !== -2) conn++;
		lastUpType = f.dir === 'up' ? f.type : lastUpType;
		const key = `${conn}:${f.channel}`;
		if (f.dir === 'up' && f.type === 0 && f.doc) {
			docs.set(key, (docs.get(key) ?? 0) + 1);
			perChannel.set(key, { doc: f.doc, opened: rel(f.t), bytes: 0, msgs: 0, ms: 0, kinds: new Set() });
		}
		const c = perChannel.get(key);
		if (!c || f.dir !== 'down') continue;
		c.first ??= rel(f.t);
		c.last = rel(f.t);
		c.bytes += f.bytes;
		c.msgs += 1;
		c.ms += f.ms ?? 0;
		c.kinds.add(f.kind === 0 ? `sync${f.sync}` : f.kind === 1 ? 'aw' : String(f.kind));
	}
	log(
		`mux channels (${conn} connection(s)): opened → first message → last message, bytes down, onmessage ms`
	);
	for (const [key, c] of [...perChannel].sort((a, b) => a[1].opened - b[1].opened))
		log(
			`  ${key.padEnd(5)} ${fmt(c.opened)} → ${c.first === undefined ? '—' : fmt(c.first)} → ${c.last === undefined ? '—' : fmt(c.last)}` +
				`  ${(c.bytes / 1e3).toFixed(0).padStart(6)} KB  ${c.ms.toFixed(0).padStart(5)} ms  ${c.msgs} msg [${[...c.kinds].join(',')}]  ${c.doc}`
		);
	for (const [t, code, reason] of wire.closes) log(`socket closed at ${fmt(rel(t))}: ${code} ${reason}`);
	const busy = new Map<number, number>();
	for (const [s, d] of wire.longTasks) {
		const b = Math.floor(rel(s) / 500);
		busy.set(b, (busy.get(b) ?? 0) + d);
	}
	log(
		'long tasks per 500 ms (from the click): ' +
			[...busy]
				.sort((a, b) => a[0] - b[0])
				.map(([b, ms]) => `${(b / 2).toFixed(1)}s:${ms.toFixed(0)}`)
				.join(' ')
	);
	// Profile phases: the profile's clock started ~when pageT0 was read.
	const start = profile.startTime;
	const phases: [string, number, number][] = [
		['click → current user', 0, userMs],
		['current user → today painted', userMs, paintMs],
		['today painted → Synced', paintMs, syncedMs]
	];
	for (const [name, from, to] of phases) {
		const s = summariseProfile(profile, 18, [{ from: start + from * 1000, to: start + to * 1000 }]);
		log(`\nCPU ${name} (${fmt(from)}–${fmt(to)}): ${s.sampledMs.toFixed(0)} ms sampled; by total:`);
		for (const r of s.byTotal)
			log(`  ${r.totalMs.toFixed(0).padStart(6)} total ${r.selfMs.toFixed(0).padStart(6)} self  ${r.fn}`);
		log('  by self:');
		for (const r of s.bySelf.slice(0, 10)) log(`  ${r.selfMs.toFixed(0).padStart(6)} self  ${r.fn}`);
	}
	return { page, paintMs, syncedMs };
}
