/**
 * The in-page side of `bench/large-clinic.bench.ts`, installed in every page with
 * `context.addInitScript(CLINIC_PROBE)`. Plain JavaScript in a string: tsx would wrap functions in
 * helpers the page does not have.
 *
 * Times it returns are epoch milliseconds on the page's own high-resolution clock
 * (`performance.timeOrigin + performance.now()`), so that a time taken in one page (workstation A's
 * key press) can be compared with one taken in another (workstation B's paint): both pages run in
 * one browser on one machine, and the benchmark measures how far apart the two clocks are.
 *
 * - `setDense(ids)` / `denseReady()`: every block of today's 200 visits on screen with its patient's
 *   name (the schedule is really shown, not a skeleton).
 * - `arm(spec)`: waits for the next input event of `spec.event` (or none), then for `spec.ready`;
 *   `result()` gives the input event's time, the DOM complete (MutationObserver) and the end of the
 *   first frame that shows it (a requestAnimationFrame callback posting a message, which runs once
 *   that frame's style, layout and paint are done), as in day-view.bench.ts.
 * - `lockScreen()`: when the lock screen's Unlock button first appeared after this document started,
 *   and the end of the frame that showed it.
 * - `recordSearch(selector)`: from then on, every printable keydown in that input: its timestamp,
 *   the start of the next frame (its requestAnimationFrame callbacks: the input event's work, the
 *   search and the DOM update, is done; style, layout and paint are not), and the end of that frame,
 *   with the result count shown. (A message posted from the input event runs only after the frame:
 *   Chromium starts a frame right after a discrete input event.)
 * - `quiet(…)`: waits until the main thread has been free for a while (no catch-up still running).
 */
export const CLINIC_PROBE = String.raw`(() => {
	if (window.__clinicBench) return;
	const BLOCKS = '[data-testid="appointment"]';
	const epoch = (t) => performance.timeOrigin + t;
	let dense = new Set();
	let pending = null;
	function denseReady() {
		if (dense.size === 0) return false;
		let n = 0;
		for (const b of document.querySelectorAll(BLOCKS)) {
			if (!dense.has(b.dataset.appointmentId)) continue;
			// A compact block has no element around the name (just the button's text after the time).
			const name = b.querySelector('.patient') ?? b.querySelector('button');
			if (!name || !name.textContent || name.textContent.includes('Unknown patient')) return false;
			n++;
		}
		return n === dense.size;
	}
	function afterPaint() {
		return new Promise((resolve) => {
			requestAnimationFrame(() => {
				const out = { frame: NaN, doubleRaf: NaN };
				const channel = new MessageChannel();
				channel.port1.onmessage = () => {
					out.frame = performance.now();
					if (!Number.isNaN(out.doubleRaf)) resolve(out);
				};
				channel.port2.postMessage(0);
				requestAnimationFrame(() => {
					out.doubleRaf = performance.now();
					if (!Number.isNaN(out.frame)) resolve(out);
				});
			});
		});
	}
	const lock = { seen: NaN, frame: NaN };
	const lockWatch = new MutationObserver(() => {
		if (!document.querySelector('[data-testid="lock-screen"] button')) return;
		lockWatch.disconnect();
		lock.seen = performance.now();
		afterPaint().then((p) => (lock.frame = p.frame));
	});
	lockWatch.observe(document, { subtree: true, childList: true });
	const searchLog = [];
	// When this page's sockets sent and received frames (the last 5000 of each): splits a remote edit
	// into A's handler, the way through the relay, B's handling and B's frame.
	const wire = { sends: [], msgs: [] };
	const keep = (list, t) => { list.push(t); if (list.length > 5000) list.splice(0, list.length - 5000); };
	const NativeSocket = window.WebSocket;
	if (NativeSocket) {
		const send = NativeSocket.prototype.send;
		NativeSocket.prototype.send = function (data) { keep(wire.sends, performance.now()); return send.call(this, data); };
		window.WebSocket = class extends NativeSocket {
			constructor(...args) {
				super(...args);
				this.addEventListener('message', () => keep(wire.msgs, performance.now()));
			}
		};
	}
	const firstAfter = (list, t) => { for (const x of list) if (x >= t) return x; return NaN; };
	window.__clinicBench = {
		setDense(ids) { dense = new Set(ids); },
		denseReady,
		lockScreen() { return { seen: epoch(lock.seen), frame: epoch(lock.frame), origin: performance.timeOrigin }; },
		now() { return performance.timeOrigin + performance.now(); },
		wire() { return { sends: wire.sends.map(epoch), msgs: wire.msgs.map(epoch) }; },
		arm(spec) {
			const name = 'clinicdesk:large-clinic:' + spec.name;
			const armed = performance.now();
			let t0 = spec.event ? NaN : armed;
			let done = false;
			let observer = null;
			let check = () => undefined;
			const ready = spec.ready === 'dense'
				? denseReady
				: () => {
						const el = document.querySelector('[data-appointment-id="' + spec.ready.id + '"]');
						return !!el && el.style.top !== spec.ready.fromTop;
					};
			const onInput = (e) => {
				if (!Number.isNaN(t0)) return;
				if (spec.key && e.key !== spec.key) return;
				if (spec.within && !(e.target instanceof Element && e.target.closest(spec.within))) return;
				t0 = e.timeStamp;
				performance.mark(name + ':input', { startTime: t0 });
				check();
			};
			pending = new Promise((resolve, reject) => {
				const cleanup = () => {
					observer.disconnect();
					if (spec.event) removeEventListener(spec.event, onInput, true);
					clearTimeout(timer);
				};
				const timer = setTimeout(() => {
					cleanup();
					reject(new Error(spec.name + ': not on screen after ' + spec.timeoutMs + ' ms (input seen: ' + !Number.isNaN(t0) + ')'));
				}, spec.timeoutMs);
				check = () => {
					if (done || Number.isNaN(t0) || !ready()) return;
					done = true;
					const dom = performance.now();
					cleanup();
					const send = firstAfter(wire.sends, t0);
					const msg = firstAfter(wire.msgs, armed);
					afterPaint().then(({ frame, doubleRaf }) => {
						if (spec.event) performance.measure(name, { start: t0, end: frame });
						else if (!Number.isNaN(msg)) performance.measure(name, { start: msg, end: frame });
						resolve({
							input: spec.event ? epoch(t0) : NaN, dom: epoch(dom), frame: epoch(frame), doubleRaf: epoch(doubleRaf),
							send: epoch(send), msg: epoch(msg)
						});
					});
				};
				observer = new MutationObserver(() => check());
				observer.observe(document.documentElement, {
					subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['style']
				});
			});
			pending.catch(() => undefined);
			if (spec.event) addEventListener(spec.event, onInput, true);
			else check();
		},
		result() { return pending; },
		recordSearch(selector) {
			const input = document.querySelector(selector);
			if (!input) throw new Error('no ' + selector);
			let current = null;
			input.addEventListener('keydown', (e) => {
				if (e.key.length !== 1) return;
				current = { key: e.key, t0: e.timeStamp, processed: NaN, frame: NaN, count: '' };
				searchLog.push(current);
			}, true);
			input.addEventListener('input', () => {
				const rec = current;
				current = null;
				if (!rec) return;
				requestAnimationFrame(() => { rec.processed = performance.now(); });
				afterPaint().then((p) => {
					rec.frame = p.frame;
					rec.count = (document.querySelector('p.count') || {}).textContent || '';
					performance.measure('clinicdesk:large-clinic:keystroke', { start: rec.t0, end: p.frame });
				});
			}, true);
		},
		takeSearchLog() { return searchLog.splice(0); },
		heap() { return performance.memory ? performance.memory.usedJSHeapSize : NaN; },
		quiet(windowMs, maxLateMs, timeoutMs) {
			// Resolves once a timer every 20 ms has run no more than maxLateMs late for windowMs in a
			// row: nothing left over (a sync catching up, a build of the index) is still running.
			return new Promise((resolve) => {
				const start = performance.now();
				let since = start;
				let expected = start + 20;
				const tick = () => {
					const now = performance.now();
					if (now - expected > maxLateMs) since = now;
					if (now - since >= windowMs) return resolve(now - start);
					if (now - start > timeoutMs) return resolve(-1);
					expected = now + 20;
					setTimeout(tick, 20);
				};
				setTimeout(tick, 20);
			});
		}
	};
})();`;

export interface ArmSpec {
	name: string;
	/** null: no input; the wait for `ready` starts at once (the change comes from elsewhere). */
	event: 'click' | 'keydown' | null;
	key?: string;
	within?: string;
	ready: 'dense' | { id: string; fromTop: string };
	timeoutMs: number;
}

/** Epoch ms on the page's clock; `input` is NaN when the spec had no event. */
export interface Sample {
	input: number;
	dom: number;
	frame: number;
	doubleRaf: number;
	/** The page's first socket send after the input (NaN: none yet when the DOM was ready). */
	send: number;
	/** The page's first socket message after `arm` (NaN: none). */
	msg: number;
}

export interface KeystrokeRecord {
	key: string;
	/** Page-relative ms (performance.now scale). */
	t0: number;
	processed: number;
	frame: number;
	count: string;
}

export interface ClinicProbe {
	setDense(ids: string[]): void;
	denseReady(): boolean;
	lockScreen(): { seen: number; frame: number; origin: number };
	now(): number;
	/** This page's socket sends and messages so far (the last 5000 of each), epoch ms. */
	wire(): { sends: number[]; msgs: number[] };
	arm(spec: ArmSpec): void;
	result(): Promise<Sample>;
	recordSearch(selector: string): void;
	takeSearchLog(): KeystrokeRecord[];
	/** Used JS heap (Chromium's performance.memory), bytes; NaN elsewhere. */
	heap(): number;
	/** ms until the main thread was free for `windowMs` (timers at most `maxLateMs` late); -1 on timeout. */
	quiet(windowMs: number, maxLateMs: number, timeoutMs: number): Promise<number>;
}

declare global {
	interface Window {
		__clinicBench: ClinicProbe;
	}
}
