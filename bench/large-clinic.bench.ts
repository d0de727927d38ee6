/**
 * The large clinic in Chromium (issue #7): first full sync of a new workstation, remote edit
 * A → relay → B painted with 50 other clients connected, offline cold open of the installed app,
 * and patient search per keystroke over 50,000 patients. One file because the setup — the clinic on
 * a clinic server and two workstations that have synced it — is what costs; every case reuses it.
 * BENCHMARKS.md, "Large clinic in Chromium", has the method in full and the results.
 *
 * Setup (bench/support/large-clinic.ts): the large demo (5 providers, 36 months back and 6 ahead,
 * ~98,000 appointments, 20,000 patients, today packed with 5 × 40 visits as `?demo=dense` does) is
 * made in Node with the app's generator, `writeClinic` and `Keyring.bootstrap`, and written into the
 * clinic server's store before it starts (LARGE_CLINIC_SEED=relay: sent through the relay instead).
 * The built app is served by that server (`build/server/main.js`, as `npm start`, default settings);
 * Chromium (Playwright, the e2e launch options, 1600×1200) opens two browser contexts — workstations
 * A and B — that join by logging in as the demo administrator.
 *
 * - First full sync: from the "Log in and join" click to today's 200 blocks painted with names, and
 *   to the header's "Synced" once the schedule has also opened the past year. Timed from Node. A on
 *   loopback right after the server started; B through a proxy adding 150 ms each way
 *   (support/slow-link.ts), which drops to 0 once B has joined.
 * - Remote edit: 50 raw sync clients (mux connections with their own tokens) on today's schedule
 *   month and the directory. On A, a keyboard move (M, arrow, Enter) of one block; a sample runs
 *   from A's Enter keydown (`event.timeStamp`) to the end of the first frame on B that shows the
 *   block at its new place. Both pages' times are `performance.timeOrigin + performance.now()`; the
 *   offset between the two clocks is measured (min-RTT reads against Node's clock), subtracted and
 *   reported. A's own paint of the same edit is reported alongside.
 * - Offline cold open: A waits for its service worker, goes offline (`context.setOffline(true)`),
 *   reloads (the app from the service worker's cache, the lock screen), logs in: Unlock click →
 *   today's 200 blocks painted; and the reload's navigation start → the lock screen painted. In turns
 *   with that, the same with the passphrase typed as a person does and Enter pressed after it
 *   (`coldOpen`'s `typed` entry): Enter → today painted.
 * - Patient search: 30,000 more patients of the same generator go into the server's store while it
 *   is briefly stopped (50,000 in all); B, online on Patients, receives them. Once its index answers
 *   a typo and its main thread is idle, queries are typed into the search box at a typist's pace.
 *   Per keystroke: keydown `timeStamp` → the next frame's start (search and DOM update done) and →
 *   the end of that frame.
 *
 * LARGE_CLINIC_ONLY=cold: only A's first sync and the offline cold open (with LARGE_CLINIC_PROFILE,
 * two more cold opens under a Chromium trace, summarised by event), for iterating on the unlock path.
 * LARGE_CLINIC_ONLY=remote: only the first syncs and the remote edit (with LARGE_CLINIC_PROFILE, its
 * profiles), for iterating on the sync path.
 * LARGE_CLINIC_PROFILE=<dir>: after the measurements, V8 CPU profiles of a few remote edits (A and
 * B), one cold open and two typed queries, written to <dir> and summarised by function; for the
 * search also a trace with GC events and a sampling heap profile (support/search-diagnosis.ts).
 * BENCH_SMOKE=1: a tiny clinic and one sample of each (~35 s), only if the app is built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newIdentity } from '../tests/integration/support/relay';
import { emit, log, median, SMOKE } from './lib';
import {
	buildApp,
	buildState,
	chromiumPath,
	launchChromium,
	summariseTrace,
	TRACE_CATEGORIES,
	type LaunchedBrowser
} from './support/browser';
import { CLINIC_PROBE } from './support/clinic-probe';
import { percentile, searchPart } from './support/clinic-search';
import {
	clockOffset,
	coldOpen,
	TYPE_ENTER_MS,
	TYPE_KEY_MS,
	connectOthers,
	join,
	moveTarget,
	profiled,
	profileRemote,
	quiet,
	remoteBreakdown,
	remoteEdit,
	waitDense,
	waitSynced,
	type RemoteSample,
	type Station
} from './support/clinic-steps';
import {
	buildClinicDocs,
	buildKeyring,
	keyringDoc,
	LARGE,
	pushDocs,
	setupToken,
	startClinicServer,
	storeDocs,
	type ClinicServer,
	type ClinicSize
} from './support/large-clinic';
import { profiledJoin } from './support/join-profile';
import { tempRoot, type TempRoot } from './support/processes';
import type { MuxLink } from './support/raw-client';
import { hopsOf, logHops, logRelayLoad, relayClock, relayTrace } from './support/remote-hops';
import { SlowLink } from './support/slow-link';

const SIZES = SMOKE
	? {
			clinic: { patients: 60, monthsBack: 1, monthsAhead: 1 } as ClinicSize,
			// No patients to add: a server restart and B's reconnection would double the smoke run.
			searchPatients: 60,
			others: 3,
			warmups: 0,
			remote: 1,
			colds: 1,
			searchSessions: 1,
			profileRuns: 1
		}
	: {
			clinic: LARGE,
			searchPatients: 50_000,
			others: 50,
			warmups: 2,
			remote: 50,
			colds: 3,
			searchSessions: 10,
			profileRuns: 3
		};
const PROFILE_DIR = SMOKE ? undefined : process.env.LARGE_CLINIC_PROFILE;
/** LARGE_CLINIC_ONLY=remote: stop after the remote edit (and its profiles): minutes less per try. */
const ONLY_REMOTE = process.env.LARGE_CLINIC_ONLY === 'remote';
/** 300 ms round trip for workstation B's first sync (then loopback). */
const SLOW_ONE_WAY_MS = 150;

const TARGETS = {
	remoteP50: 30,
	remoteP99: 100,
	coldOpen: 300,
	keystrokeP95: 10,
	firstSync: 5000
};
/** LARGE_CLINIC_ONLY=search: the first syncs, then only the search case (and its profiles). */
const ONLY_SEARCH = process.env.LARGE_CLINIC_ONLY === 'search';
/** LARGE_CLINIC_ONLY=cold: A's first sync, then only the offline cold open (and its trace). */
const ONLY_COLD = process.env.LARGE_CLINIC_ONLY === 'cold';
/**
 * LARGE_CLINIC_ONLY=join: the two first syncs only, B's over the slow link (~1 min after seeding); with
 * LARGE_CLINIC_PROFILE, B's join is recorded (support/join-profile.ts): requests, channels, CPU.
 */
const ONLY_JOIN = process.env.LARGE_CLINIC_ONLY === 'join';

const round1 = (n: number) => Math.round(n * 10) / 10;

function skip(reason: string): void {
	log(`large-clinic: skipped — ${reason}`);
	emit({ name: 'large clinic: skipped', unit: 'bool', value: 1, notes: reason });
}

/**
 * Offline cold open of workstation A (3 runs). With LARGE_CLINIC_ONLY=cold and LARGE_CLINIC_PROFILE,
 * two more runs under a Chromium trace, summarised between the Unlock click and the first paint.
 */
async function coldPart(a: Station, ids: readonly string[], traceWith?: LaunchedBrowser): Promise<void> {
	await a.page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (!navigator.serviceWorker.controller)
			await new Promise<void>((r) =>
				navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true })
			);
	});
	await a.ctx.setOffline(true);
	// Right after the join (LARGE_CLINIC_ONLY=cold) the schedule has not kept its copy of today yet:
	// it does once the day has been quiet for 1.5 s, which a syncing workstation may not be for
	// minutes (in the full run the remote-edit part gives it time). Cold opens offline, not counted,
	// until one paints from the copy.
	for (let i = 0; ONLY_COLD && i < 3; i++) {
		const c = await coldOpen(a.page, ids);
		log(
			`cold open (priming, not counted): unlock → painted ${c.unlockToPaint.toFixed(0)} ms${c.fromCopy ? ' (from the sealed copy)' : ''}`
		);
		if (c.fromCopy) break;
		await new Promise((r) => setTimeout(r, 3000));
	}
	const colds: Awaited<ReturnType<typeof coldOpen>>[] = [];
	const typed: typeof colds = [];
	// In turns, so both ways of entering the passphrase see the same machine.
	for (let i = 0; i < SIZES.colds; i++) {
		for (const entry of ['filled', 'typed'] as const) {
			const c = await coldOpen(a.page, ids, entry);
			log(
				`cold open (${entry}): unlock → painted ${c.unlockToPaint.toFixed(0)} ms${c.fromCopy ? ' (from the sealed copy)' : ''}, ` +
					`→ live ${c.unlockToLive.toFixed(0)} ms, ` +
					`reload → lock screen ${c.reloadToLock.toFixed(0)} ms`
			);
			(entry === 'typed' ? typed : colds).push(c);
		}
	}
	const coldNotes = (c: typeof colds) =>
		`${c.length} runs: ${c.map((x) => x.unlockToPaint.toFixed(0)).join(', ')} ms; offline (context.setOffline), reload from the service worker; ` +
		`Unlock click → today's 200 blocks with names painted (PBKDF2, keys, then the last session's sealed copy of today if there is one, else the stored months and patients); ` +
		`reload → lock screen painted median ${median(c.map((x) => x.reloadToLock)).toFixed(0)} ms`;
	emit({
		name: 'large clinic: offline cold open, unlock → today painted, median',
		unit: 'ms',
		value: Math.round(median(colds.map((c) => c.unlockToPaint))),
		target: TARGETS.coldOpen,
		notes: coldNotes(colds)
	});
	emit({
		name: 'large clinic: offline cold open, passphrase typed, Enter → today painted, median',
		unit: 'ms',
		value: Math.round(median(typed.map((c) => c.unlockToPaint))),
		target: TARGETS.coldOpen,
		notes:
			`${typed.length} runs: ${typed.map((x) => x.unlockToPaint.toFixed(0)).join(', ')} ms; as above, but the passphrase typed ` +
			`${TYPE_KEY_MS} ms a key and Enter pressed ${TYPE_ENTER_MS} ms after the last key (the lock screen derives the key while it is typed)`
	});
	emit({
		name: 'large clinic: offline cold open, unlock → live today (documents read), median',
		unit: 'ms',
		value: Math.round(median(colds.map((c) => c.unlockToLive))),
		notes:
			'the first paint can come from the last session’s sealed copy of today; this is until the ' +
			'schedule shows the documents’ own contents (no [data-preview])'
	});
	emit({
		name: 'large clinic: offline cold open, reload → lock screen painted, median',
		unit: 'ms',
		value: Math.round(median(colds.map((c) => c.reloadToLock))),
		notes:
			'navigation start of the reload → end of the frame showing the lock screen (app from the service worker cache)'
	});
	if (traceWith && PROFILE_DIR) await traceCold(a, ids, traceWith, PROFILE_DIR);
}

/** Two cold opens under a Chromium trace: main-thread time by event between Unlock and the paint. */
async function traceCold(a: Station, ids: readonly string[], launched: LaunchedBrowser, dir: string) {
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, 'cold-open-A.trace.json');
	await launched.browser.startTracing(a.page, { path: file, categories: TRACE_CATEGORIES });
	const runs: number[] = [];
	try {
		for (let i = 0; i < 2; i++) runs.push((await coldOpen(a.page, ids)).unlockToPaint);
	} finally {
		await launched.browser.stopTracing();
	}
	const trace = JSON.parse(fs.readFileSync(file, 'utf8')) as Parameters<typeof summariseTrace>[0];
	const t = summariseTrace(trace, 'clinicdesk:large-clinic:cold-open', 25);
	log(
		`\ntrace cold open: ${runs.map((r) => r.toFixed(0)).join(', ')} ms while traced; ${t.spans.length} spans, ` +
			`${t.spanMs.toFixed(0)} ms, main thread busy ${t.busyMs.toFixed(0)} ms (CPU ${t.cpuMs.toFixed(0)}); self time by event:`
	);
	for (const r of t.byName) log(`  ${r.selfMs.toFixed(1).padStart(8)} ms  ${r.name}`);
	log(`trace in ${file}`);
}

// ---------------------------------------------------------------------------------------------------

function reportSeries(
	label: string,
	values: number[],
	ps: number[],
	target: Record<number, number>,
	notes: string
): void {
	for (const p of ps) {
		emit({
			name: `${label}, p${p}`,
			unit: 'ms',
			value: round1(percentile(values, p)),
			...(target[p] !== undefined ? { target: target[p] } : {}),
			notes: `${values.length} samples, nearest rank; ${notes}`
		});
	}
}

async function main(): Promise<void> {
	const build = buildState();
	if (!build.built) {
		if (SMOKE) return skip('build/app is missing and building takes minutes; run `npm run build` first');
		log('large-clinic: build/app is missing: running `npm run build` first');
		buildApp();
	} else if (build.stale) {
		log(
			`large-clinic: ⚠ the build is ${build.behindMinutes} min older than the newest source change; it measures the build`
		);
	}
	if (!fs.existsSync(chromiumPath())) {
		const reason = `no Chromium at ${chromiumPath()} (set CHROMIUM_PATH)`;
		if (SMOKE) return skip(reason);
		throw new Error(reason);
	}

	let tmp: TempRoot | undefined;
	let server: ClinicServer | undefined;
	let launched: LaunchedBrowser | undefined;
	let others: MuxLink[] = [];
	let slow: SlowLink | undefined;
	const started = performance.now();
	try {
		tmp = tempRoot('large-clinic');
		const identity = newIdentity();
		const dataDir = tmp.sub('data');

		// ---- the clinic, into the server's store ----
		const clinic = buildClinicDocs(SIZES.clinic);
		const keyring = await buildKeyring();
		const bytes = [...clinic.docs.values()].reduce((s, u) => s + u.byteLength, 0);
		log(
			`clinic: ${clinic.appointments} appointments, ${clinic.patients} patients, ${clinic.docs.size} docs, ` +
				`${(bytes / 1e6).toFixed(1)} MB; generate ${clinic.ms.generate.toFixed(0)} ms, write ` +
				`${clinic.ms.write.toFixed(0)} ms, encode ${clinic.ms.encode.toFixed(0)} ms`
		);
		const tPush = performance.now();
		if (process.env.LARGE_CLINIC_SEED === 'relay') {
			// Through the relay's sync protocol instead (slower; see storeDocs).
			const seeder = await startClinicServer({ dataDir, identity, seeding: true });
			await pushDocs(
				seeder.wsBase,
				await setupToken(identity),
				new Map([[keyringDoc(), keyring], ...clinic.docs])
			);
			await seeder.proc.stop();
		} else {
			await storeDocs(dataDir, new Map([[keyringDoc(), keyring], ...clinic.docs]));
		}
		const pushMs = performance.now() - tPush;
		const seedMs = clinic.ms.generate + clinic.ms.write + clinic.ms.encode + pushMs;
		log(`clinic in the server's store after ${pushMs.toFixed(0)} ms`);
		emit({
			name: 'large clinic: seeding in Node',
			unit: 'ms',
			value: Math.round(seedMs),
			notes:
				`${clinic.appointments} appointments, ${clinic.patients} patients, ${clinic.docs.size} docs, ${(bytes / 1e6).toFixed(1)} MB: ` +
				`generate ${clinic.ms.generate.toFixed(0)} ms, writeClinic ${clinic.ms.write.toFixed(0)} ms, encode ${clinic.ms.encode.toFixed(0)} ms, ` +
				`into the server's store ${pushMs.toFixed(0)} ms`
		});

		server = await startClinicServer({ dataDir, identity });
		launched = await launchChromium();
		const newCtx = async (baseURL: string) => {
			const ctx = await launched!.browser.newContext({ baseURL, viewport: { width: 1600, height: 1200 } });
			await ctx.addInitScript(CLINIC_PROBE);
			return ctx;
		};

		// ---- first full sync: A over loopback (the relay just restarted), B over a 300 ms RTT link ----
		const ja = await join(await newCtx(server.url), 'A', clinic.todayIds);
		if (ONLY_COLD) {
			await coldPart(ja.station, clinic.todayIds, launched);
			log(`large-clinic: cold open only, done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
			return;
		}
		slow = await SlowLink.start(Number(new URL(server.url).port), SLOW_ONE_WAY_MS);
		const ctxB = await newCtx(`http://127.0.0.1:${slow.port}`);
		const jb =
			ONLY_JOIN && PROFILE_DIR
				? await profiledJoin(ctxB, clinic.todayIds, PROFILE_DIR).then((r) => ({
						station: { name: 'B' as const, ctx: ctxB, page: r.page },
						...r
					}))
				: await join(ctxB, 'B', clinic.todayIds);
		const slowBytes = slow.bytesDown;
		// From here on B's link is loopback again (same connections).
		slow.oneWayMs = 0;
		const a = ja.station;
		const b = jb.station;
		const opened =
			"today's month and the 3 around it, the past year (opened 2 s after the first paint), 16 patient shards, directory, keyring";
		const joinWhat = `"Log in and join" click → today's 200 blocks painted with names (login, PBKDF2, keyring, schedule months, patients); timed from Node`;
		emit({
			name: 'large clinic: first full sync, loopback, today painted',
			unit: 'ms',
			value: Math.round(ja.paintMs),
			notes: `workstation A, the relay just restarted (documents loaded from SQLite); ${joinWhat}`
		});
		emit({
			name: 'large clinic: first full sync, loopback, "Synced"',
			unit: 'ms',
			value: Math.round(ja.syncedMs),
			notes: `workstation A; click → header "Synced" with ${opened}`
		});
		emit({
			name: 'large clinic: first full sync, 300 ms RTT, today painted',
			unit: 'ms',
			value: Math.round(jb.paintMs),
			target: TARGETS.firstSync,
			notes: `workstation B through a proxy adding 150 ms each way (latency only, no bandwidth limit, no TLS), relay warm; ${joinWhat}`
		});
		emit({
			name: 'large clinic: first full sync, 300 ms RTT, "Synced"',
			unit: 'ms',
			value: Math.round(jb.syncedMs),
			target: TARGETS.firstSync,
			notes: `workstation B as above; click → header "Synced" with ${opened}; ${(slowBytes / 1e6).toFixed(1)} MB down the link during the join`
		});

		if (ONLY_JOIN) {
			log(`large-clinic: first syncs only, done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
			return;
		}

		const search = () =>
			searchPart({
				server: server!,
				dataDir,
				identity,
				clinic,
				page: b.page,
				browser: launched!.browser,
				patients: SIZES.searchPatients,
				sessions: SIZES.searchSessions,
				targetP95: TARGETS.keystrokeP95,
				profileDir: PROFILE_DIR,
				restarted: (s) => (server = s),
				report: reportSeries
			});
		if (ONLY_SEARCH) {
			await search();
			log(`large-clinic: search only, done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
			return;
		}

		// ---- remote edit with 50 others ----
		others = await connectOthers(server, identity, clinic, SIZES.others);
		await quiet(a.page, 'remote A');
		await quiet(b.page, 'remote B');
		const clock = await clockOffset(a.page, b.page);
		log(`clocks: B − A = ${clock.bMinusA.toFixed(2)} ms (± ${clock.uncertainty.toFixed(2)})`);
		const relay = await relayClock(server.url);
		log(`clocks: relay − Node = ${relay.relayMinusNode.toFixed(2)} ms (± ${(relay.rtt / 2).toFixed(2)})`);
		const target = await moveTarget(a.page);
		const remote: RemoteSample[] = [];
		/** Per sample: A's Enter → the raw client's arrival (NaN: none seen). */
		const rawBySample: number[] = [];
		// When one of the 50 raw clients (in this process) gets each edit: A's send → relay → a socket
		// outside Chromium, to tell the relay's share of A → B apart from Chromium's on B's side.
		const arrivals: number[] = [];
		const rawArrival: number[] = [];
		if (others[0]) others[0].onUpdateAt = (at) => arrivals.push(at);
		for (let i = 0; i < SIZES.warmups + SIZES.remote; i++) {
			arrivals.length = 0;
			const s = await remoteEdit(
				a.page,
				b.page,
				target,
				i % 2 === 0 ? 'ArrowDown' : 'ArrowUp',
				clock.bMinusA
			);
			if (i < SIZES.warmups) log(`remote warm-up: ${s.remote.toFixed(1)} ms (local ${s.local.toFixed(1)})`);
			else {
				remote.push(s);
				const first = arrivals.map((at) => at + clock.aMinusNode - s.aInput).find((t) => t > 0);
				if (first !== undefined) rawArrival.push(first);
				rawBySample.push(first ?? NaN);
			}
		}
		if (others[0]) others[0].onUpdateAt = null;
		if (rawArrival.length > 0)
			log(
				`remote, A's Enter → a raw client (Node, this process) receives the update: median ` +
					`${median(rawArrival).toFixed(1)} ms, p90 ${percentile(rawArrival, 90).toFixed(1)} (${rawArrival.length} samples)`
			);
		const clockAfter = await clockOffset(a.page, b.page);
		const remoteNotes =
			`A's Enter keydown (keyboard move of one block of today's 5×40 day) → end of B's first frame with the block moved; ` +
			`${SIZES.others} other mux clients on today's month and the directory; clocks: B − A ${clock.bMinusA.toFixed(2)} ms ` +
			`(± ${clock.uncertainty.toFixed(2)}) subtracted, ${clockAfter.bMinusA.toFixed(2)} ms after; ` +
			`B's DOM median ${median(remote.map((r) => r.remoteDom)).toFixed(1)} ms; A's own paint median ${median(remote.map((r) => r.local)).toFixed(1)} ms`;
		log(`remote: ${remote.map((r) => r.remote.toFixed(0)).join(' ')}`);
		log(remoteBreakdown(remote));
		const relayAfter = await relayClock(server.url);
		log(`clocks: relay − Node = ${relayAfter.relayMinusNode.toFixed(2)} ms after the samples`);
		const trace = await relayTrace(server.url);
		const bWire = await b.page.evaluate(() => window.__clinicBench.wire());
		// B's clock → A's.
		const onA = (list: number[]) => list.map((t) => t - clock.bMinusA);
		const perSample = hopsOf(remote, rawBySample, trace, clock.aMinusNode, relay.relayMinusNode, {
			sends: onA(bWire.sends),
			msgs: onA(bWire.msgs)
		});
		const hops = logHops(perSample);
		// LARGE_CLINIC_HOPS=<file>: every sample's hops and the relay's timeline, for a closer look.
		if (process.env.LARGE_CLINIC_HOPS)
			fs.writeFileSync(
				process.env.LARGE_CLINIC_HOPS,
				JSON.stringify({ clock, relay, samples: remote, raw: rawBySample, hops: perSample, trace })
			);
		if (remote.length > 0) {
			// A's clock → the relay's, for the window of the samples.
			const toRelay = (t: number) => t - clock.aMinusNode + relay.relayMinusNode;
			logRelayLoad(trace, toRelay(remote[0]!.aInput), toRelay(remote.at(-1)!.aInput + remote.at(-1)!.remote));
		}
		if (Number.isFinite(hops.all.toRelay))
			emit({
				name: 'large clinic: remote edit, A send → relay receives, median (slowest tenth)',
				unit: 'ms',
				value: round1(hops.all.toRelay ?? NaN),
				notes:
					`slowest tenth of the samples: ${round1(hops.slow.toRelay ?? NaN)} ms; relay's loop busy in that window ` +
					`${round1(hops.all.busyBefore ?? NaN)} (slowest tenth ${round1(hops.slow.busyBefore ?? NaN)}) ms; ` +
					`relay receive → fan-out flushed ${round1((hops.all.relayHandle ?? NaN) + (hops.all.relayTurn ?? NaN))} ms; ` +
					`flush → B's message ${round1(hops.all.toB ?? NaN)} (slowest tenth ${round1(hops.slow.toB ?? NaN)}) ms`
			});
		reportSeries(
			'large clinic: remote edit A → relay → B painted',
			remote.map((r) => r.remote),
			[50, 99],
			{ 50: TARGETS.remoteP50, 99: TARGETS.remoteP99 },
			remoteNotes
		);
		emit({
			name: 'large clinic: remote edit, A local paint, median',
			unit: 'ms',
			value: round1(median(remote.map((r) => r.local))),
			notes: 'the same samples: A’s Enter keydown → A’s own frame with the block moved'
		});
		if (ONLY_REMOTE) {
			if (PROFILE_DIR) await profileRemote(a.page, b.page, target, PROFILE_DIR, 2 * SIZES.profileRuns);
			log(`large-clinic: remote edit only, done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
			return;
		}

		// ---- offline cold open (A) ----
		for (const l of others) l.close();
		others = [];
		await coldPart(a, clinic.todayIds);

		// ---- search over 50,000 (B) ----
		await search();

		// ---- profiles ----
		if (PROFILE_DIR) {
			fs.mkdirSync(PROFILE_DIR, { recursive: true });
			await a.ctx.setOffline(false);
			await waitSynced(a.page, 120_000).catch(() => log('profile: A not "Synced" yet'));
			const again = await clockOffset(a.page, b.page);
			await b.page.getByRole('link', { name: 'Schedule' }).click();
			await waitDense(b.page, clinic.todayIds, 60_000);
			let n = 0;
			const edits = () =>
				(async () => {
					for (let i = 0; i < SIZES.profileRuns; i++)
						await remoteEdit(a.page, b.page, target, n++ % 2 === 0 ? 'ArrowDown' : 'ArrowUp', again.bMinusA);
				})();
			await profiled(b.page, path.join(PROFILE_DIR, 'remote-edit-B.cpuprofile'), edits);
			await profiled(a.page, path.join(PROFILE_DIR, 'remote-edit-A.cpuprofile'), edits);
			await a.ctx.setOffline(true);
			await profiled(a.page, path.join(PROFILE_DIR, 'cold-open-A.cpuprofile'), () =>
				coldOpen(a.page, clinic.todayIds)
			);
			log(`\nprofiles in ${PROFILE_DIR}`);
		}
		log(`large-clinic: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
	} finally {
		for (const l of others) l.close();
		await launched?.close();
		await slow?.close();
		await server?.proc.stop();
		await tmp?.dispose();
	}
}

await main();
