/**
 * The session on a shared workstation, end to end in Node: a clinic created with its administrator,
 * lock and unlock, rate-limited wrong passphrases, automatic logoff on the fake clock, every tab
 * locking together, and that after a lock nothing can be read. Runs the real WorkspaceState over
 * fake-indexeddb (PBKDF2 at full strength: each unlock costs a few hundred milliseconds).
 */
import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NoKeyError } from './docs';
import { WorkspaceState } from './workspace.svelte';
import type { AuthClient } from '../sync';

const ADMIN = { displayName: 'Ada Admin', username: 'ada', passphrase: 'correct horse battery' };
const offlineAuth = {} as AuthClient;

async function newClinic(idb: IDBFactory): Promise<WorkspaceState> {
	const ws = new WorkspaceState(() => idb, offlineAuth);
	await ws.init();
	expect(ws.status).toBe('welcome');
	await ws.createClinic({
		name: 'Synthetic Clinic',
		timeZone: 'America/Chicago',
		slotMinutes: 15,
		admin: ADMIN
	});
	expect(ws.status).toBe('ready');
	return ws;
}

const addFrankie = (ws: WorkspaceState) =>
	ws.addUser({
		displayName: 'Frankie Front',
		username: 'frankie',
		role: 'front-desk',
		passphrase: 'temporary passphrase',
		mustChange: false
	});

/** The hub's raw open(), to prove reads fail without going through screens. */
function rawOpen(ws: WorkspaceState, name: 'directory' | 'patients/0') {
	return (ws as unknown as { hub: { open(n: string): unknown } }).hub.open(name);
}

afterEach(() => {
	vi.useRealTimers();
});

describe('session', () => {
	it('creates the clinic with its administrator logged in, and locks: keys dropped, reads fail', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		expect(ws.session?.user.username).toBe('ada');
		expect(ws.clinic?.name).toBe('Synthetic Clinic');
		expect(ws.can('patients', 'write')).toBe(true);
		expect(() => rawOpen(ws, 'patients/0')).not.toThrow();

		await ws.lock();
		expect(ws.status).toBe('locked');
		expect(ws.session).toBeNull();
		expect(ws.clinic).toBeNull();
		expect(() => ws.docs()).toThrow();
		expect(() => rawOpen(ws, 'patients/0')).toThrow(NoKeyError);
		expect(() => rawOpen(ws, 'directory')).toThrow(NoKeyError);

		expect(await ws.unlock('ada', 'not the passphrase')).toBe(false);
		expect(ws.status).toBe('locked');
		expect(await ws.unlock('ada', ADMIN.passphrase)).toBe(true);
		expect(ws.status).toBe('ready');
		expect(ws.clinic?.name).toBe('Synthetic Clinic');
	}, 30_000);

	it('reopens at the lock screen after a restart and remembers recent users', async () => {
		const idb = new FakeIDBFactory();
		const first = await newClinic(idb);
		await first.lock();
		const again = new WorkspaceState(() => idb, offlineAuth);
		await again.init();
		expect(again.status).toBe('locked');
		expect(again.users.map((u) => u.username)).toEqual(['ada']);
		expect(again.device?.recentUsers).toEqual([again.users[0]!.id]);
	}, 30_000);

	it('derives the passphrase key while it is typed, and uses it only for exactly those words', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		await ws.lock();
		const pbkdf2 = () =>
			derive.mock.calls.filter(([alg]) => (alg as { name?: string }).name === 'PBKDF2').length;
		const derive = vi.spyOn(crypto.subtle, 'deriveBits');
		const typedUntilDone = async (passphrase: string) => {
			const before = pbkdf2();
			ws.typedPassphrase('ada', passphrase);
			await vi.waitFor(() => expect(pbkdf2()).toBe(before + 1));
			// Let the derivation finish before Unlock.
			await new Promise((r) => setTimeout(r, 50));
		};

		// Typed right: Unlock runs no PBKDF2 of its own.
		await typedUntilDone(ADMIN.passphrase);
		let before = pbkdf2();
		expect(await ws.unlock('ada', ADMIN.passphrase)).toBe(true);
		expect(pbkdf2()).toBe(before);
		await ws.lock();

		// Typed right, then changed to a wrong one: the key derived for other words is not used.
		await typedUntilDone(ADMIN.passphrase);
		before = pbkdf2();
		expect(await ws.unlock('ada', 'not the passphrase')).toBe(false);
		expect(pbkdf2()).toBe(before + 1);
		expect(ws.status).toBe('locked');

		// Typed wrong, submitted right: derived again, unlocked.
		await typedUntilDone('not the passphrase either');
		before = pbkdf2();
		expect(await ws.unlock('ada', ADMIN.passphrase)).toBe(true);
		expect(pbkdf2()).toBe(before + 1);

		// Only while locked.
		before = pbkdf2();
		ws.typedPassphrase('ada', ADMIN.passphrase);
		await new Promise((r) => setTimeout(r, 50));
		expect(pbkdf2()).toBe(before);
		derive.mockRestore();
	}, 30_000);

	it('makes a user wait after too many wrong passphrases', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		await ws.lock();
		const id = ws.users[0]!.id;
		for (let i = 0; i < 5; i++) expect(await ws.unlock('ada', `wrong guess ${i}`)).toBe(false);
		expect(ws.waitSeconds(id)).toBeGreaterThan(0);
		// Even the right passphrase waits: the lockout is checked before any key work.
		expect(await ws.unlock('ada', ADMIN.passphrase)).toBe(false);
		expect(ws.lockMessage).toMatch(/Try again in \d+ seconds/);
		expect(ws.waitSeconds(id, Date.now() + 31_000)).toBe(0);
	}, 60_000);

	it('locks after the idle time on the fake clock, and every tab of the workspace with it', async () => {
		const idb = new FakeIDBFactory();
		const a = await newClinic(idb);
		a.savePolicy({ idleMinutes: 2 });
		await a.lock();
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
		expect(await a.unlock('ada', ADMIN.passphrase)).toBe(true);
		const b = new WorkspaceState(() => idb, offlineAuth);
		await b.init();
		expect(await b.unlock('ada', ADMIN.passphrase)).toBe(true);

		await vi.advanceTimersByTimeAsync(60_000);
		expect(a.status).toBe('ready');
		await vi.advanceTimersByTimeAsync(61_000);
		await vi.waitFor(() => expect(a.status).toBe('locked'));
		expect(a.lockMessage).toMatch(/without activity/);
		// The other tab heard the lock on the BroadcastChannel.
		await vi.waitFor(() => expect(b.status).toBe('locked'));
		expect(() => rawOpen(b, 'patients/0')).toThrow(NoKeyError);
	}, 60_000);

	it('ends a busy session at the absolute cap', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		ws.savePolicy({ idleMinutes: 60, sessionHours: 1 });
		await ws.lock();
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
		expect(await ws.unlock('ada', ADMIN.passphrase)).toBe(true);
		const auto = (ws as unknown as { autoLock: { touch(): void } }).autoLock;
		for (let i = 0; i < 7; i++) {
			await vi.advanceTimersByTimeAsync(10 * 60_000);
			auto.touch();
		}
		await vi.waitFor(() => expect(ws.status).toBe('locked'));
		expect(ws.lockMessage).toMatch(/longest session/);
	}, 60_000);

	it('hides what a role may not use and records logins, views and locks in the audit log', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		await addFrankie(ws);
		await ws.lock();
		expect(await ws.unlock('frankie', 'a wrong guess here')).toBe(false);
		expect(await ws.unlock('frankie', 'temporary passphrase')).toBe(true);
		expect(ws.can('schedule', 'write')).toBe(true);
		expect(ws.can('billing')).toBe(false);
		expect(ws.can('clinical')).toBe(false);
		expect(ws.isManager).toBe(false);
		expect(() => rawOpen(ws, 'patients/0')).not.toThrow();
		expect(() => (ws.docs() as unknown as { open(n: string): unknown }).open('billing/2026-11')).toThrow(
			NoKeyError
		);
		ws.audit('view', 'patient', '5b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3');
		await ws.lock();
		expect(await ws.unlock('ada', ADMIN.passphrase)).toBe(true);
		await ws.auditSettled();
		const trail = await ws.auditTrail();
		trail.stop();
		const frankie = ws.users.find((u) => u.username === 'frankie')!.id;
		const actions = trail.rows.filter((r) => r.userId === frankie).map((r) => r.action);
		expect(actions).toEqual(['login-failed', 'login', 'view', 'lock']);
		expect(trail.rows.some((r) => r.action === 'role-change')).toBe(true);
		expect(trail.verdicts.every((v) => v.verdict.ok)).toBe(true);
		expect(JSON.stringify(trail.rows)).not.toContain('Frankie');
	}, 60_000);

	it('re-issues every user’s keys when the administrator changes the role matrix', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		await addFrankie(ws);
		const roles = structuredClone(ws.policy!.roles);
		roles['front-desk'].billing = 'read';
		roles['front-desk'].comms = 'none';
		await ws.saveRoleMatrix(roles);
		await ws.lock();
		expect(await ws.unlock('frankie', 'temporary passphrase')).toBe(true);
		expect(ws.can('billing')).toBe(true);
		expect(ws.can('billing', 'write')).toBe(false);
		expect(ws.can('comms')).toBe(false);
		const hub = ws.docs() as unknown as { canOpen(n: string): boolean };
		expect(hub.canOpen('billing/2026-11')).toBe(true);
		expect(hub.canOpen('comms/2026-11')).toBe(false);
	}, 60_000);
});
