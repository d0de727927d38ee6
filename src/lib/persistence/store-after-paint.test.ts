import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixture, openTab, patients, readRaw } from './test-support';

const DOC = 'schedule/2026-11';
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** A page as the store sees it: animation frames we run by hand, and a visibility we can change. */
function fakePage() {
	const frames: (() => void)[] = [];
	let requested = 0;
	const win = new EventTarget();
	const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
	vi.stubGlobal('requestAnimationFrame', (cb: () => void) => {
		requested++;
		return frames.push(cb);
	});
	vi.stubGlobal('cancelAnimationFrame', () => undefined);
	vi.stubGlobal('addEventListener', win.addEventListener.bind(win));
	vi.stubGlobal('document', doc);
	return {
		requested: () => requested,
		frame: () => {
			for (const cb of frames.splice(0)) cb();
		},
		hide: () => {
			doc.visibilityState = 'hidden';
			doc.dispatchEvent(new Event('visibilitychange'));
		},
		pagehide: () => win.dispatchEvent(new Event('pagehide'))
	};
}

describe('EncryptedDocStore: writes after the paint', () => {
	let page: ReturnType<typeof fakePage>;
	beforeEach(() => {
		page = fakePage();
	});
	afterEach(() => {
		vi.unstubAllGlobals();
	});

	it('stores an update only after the next frame, then reloads it', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { writeWithinMs: 60_000 });
		tab.doc.getMap('patients').set('p1', { name: 'Ada' });
		await sleep(20);
		expect(await readRaw(f.idb, DOC)).toHaveLength(0);
		page.frame();
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(1));
		await tab.store.destroy();
		const again = await openTab(f, DOC);
		expect(patients(again.doc)).toEqual({ p1: { name: 'Ada' } });
	});

	it('merges the updates of one frame into one record, in order', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { writeWithinMs: 60_000 });
		const map = tab.doc.getMap('patients');
		map.set('p1', 1);
		map.set('p1', 2);
		map.set('p2', 3);
		// A frame comes in a later task, after this task's microtasks (where the store asks for it).
		await Promise.resolve();
		page.frame();
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(1));
		await tab.store.destroy();
		expect(patients((await openTab(f, DOC)).doc)).toEqual({ p1: 2, p2: 3 });
	});

	it('asks for the frame only after the update listeners attached after it (the relay send goes first), once', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { writeWithinMs: 60_000 });
		// Like the sync provider, attached after the store: it sends the update to the relay.
		const seenAtSend: number[] = [];
		tab.doc.on('update', () => seenAtSend.push(page.requested()));
		const map = tab.doc.getMap('patients');
		map.set('p1', 1);
		map.set('p2', 2);
		expect(seenAtSend).toEqual([0, 0]);
		expect(page.requested()).toBe(0);
		await Promise.resolve();
		expect(page.requested()).toBe(1);
		page.frame();
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(1));
		await sleep(50);
		expect(await readRaw(f.idb, DOC)).toHaveLength(1);
		expect(tab.store.pendingCount).toBe(0);
		await tab.store.destroy();
		expect(patients((await openTab(f, DOC)).doc)).toEqual({ p1: 1, p2: 2 });
	});

	it('writes an update made just before the page is hidden, even before its frame was asked for', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { writeWithinMs: 60_000 });
		tab.doc.getMap('patients').set('p1', 1);
		// Dispatched in the same task as the update (a browser dispatches it in a later one).
		page.pagehide();
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(1), { timeout: 2000 });
		page.frame();
		await sleep(50);
		expect(await readRaw(f.idb, DOC)).toHaveLength(1);
	});

	it('writes within the longest wait when no frame comes (a hidden tab)', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { writeWithinMs: 30 });
		tab.doc.getMap('patients').set('p1', 1);
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(1), { timeout: 2000 });
		expect(tab.store.pendingCount).toBe(0);
	});

	it('writes without waiting for a frame while the page is hidden', async () => {
		const f = await fixture();
		const tab = await openTab(f, DOC, { writeWithinMs: 60_000 });
		page.hide();
		tab.doc.getMap('patients').set('p1', 1);
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(1), { timeout: 2000 });
	});

	it('writes at once on flush, on pagehide and when the page is hidden, without writing twice', async () => {
		const f = await fixture();
		// No frame and no fallback within the test: only flush and hiding can write.
		const tab = await openTab(f, DOC, { writeWithinMs: 60_000 });
		const map = tab.doc.getMap('patients');
		map.set('flushed', 1);
		await tab.store.flush();
		expect(await readRaw(f.idb, DOC)).toHaveLength(1);
		map.set('on-pagehide', 2);
		page.pagehide();
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(2), { timeout: 2000 });
		map.set('on-hidden', 3);
		page.hide();
		await vi.waitFor(async () => expect(await readRaw(f.idb, DOC)).toHaveLength(3), { timeout: 2000 });
		page.frame();
		await sleep(100);
		expect(await readRaw(f.idb, DOC)).toHaveLength(3);
		expect(tab.store.errors).toEqual([]);
	});
});
