/**
 * "Soon, but after the screen has been updated": when the encrypted store writes a Yjs update. A
 * remote edit arrives, Yjs applies it and the schedule re-renders in the same task; sealing and
 * appending the update right then (a microtask) put WebCrypto and IndexedDB work in front of the
 * paint. Deferring it by a frame takes that off the path from the socket to the screen.
 *
 * Never later than `maxDelayMs` (a hidden tab gets no animation frames), and at once when the page
 * is being hidden or closed, so the wait adds no window for losing a write on the way out.
 */

export type Cancel = () => void;

const pendingOnHide = new Set<() => void>();
/** The document whose hiding is being watched (one per page; tests bring their own). */
let hooked: Document | null = null;

function hookHide(): void {
	if (typeof addEventListener !== 'function' || typeof document === 'undefined' || hooked === document)
		return;
	hooked = document;
	const now = () => {
		for (const run of [...pendingOnHide]) run();
	};
	addEventListener('pagehide', now);
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'hidden') now();
	});
}

/**
 * Calls `run` once: after the next frame, after `maxDelayMs`, or when the page is hidden, whichever is
 * first. With `requestLater` the frame and the timers are asked for in a microtask (the page's hiding
 * is watched at once): the caller's own task goes on first.
 */
export function afterPaint(run: () => void, maxDelayMs = 100, opts: { requestLater?: boolean } = {}): Cancel {
	let done = false;
	let frame: number | undefined;
	let soon: ReturnType<typeof setTimeout> | undefined;
	let latest: ReturnType<typeof setTimeout> | undefined;
	const fire = () => {
		if (done) return;
		cancel();
		run();
	};
	const cancel = () => {
		done = true;
		pendingOnHide.delete(fire);
		if (latest !== undefined) clearTimeout(latest);
		if (soon !== undefined) clearTimeout(soon);
		if (frame !== undefined && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
	};
	const request = () => {
		if (done) return;
		latest = setTimeout(fire, maxDelayMs);
		const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
		if (typeof requestAnimationFrame === 'function' && !hidden) {
			// The frame's callbacks run before its paint; a task queued from them runs after it.
			frame = requestAnimationFrame(() => {
				frame = undefined;
				soon = setTimeout(fire, 0);
			});
		} else {
			soon = setTimeout(fire, 0);
		}
	};
	if (typeof requestAnimationFrame === 'function') {
		hookHide();
		pendingOnHide.add(fire);
	}
	if (opts.requestLater) queueMicrotask(request);
	else request();
	return cancel;
}
