/**
 * The open clinic workspace on this workstation: which clinic, who is logged in, the documents open
 * in memory and anything that went wrong reading them. One instance, `workspace`, is shared by every
 * screen.
 *
 * Two kinds of documents are open: the keyring and this workstation's audit log are sealed with the
 * device key and stay open while the screen is locked (the lock screen lists users from the keyring,
 * failed logins are audited); every other document is sealed with its scope's key, which only a
 * logged-in user's passphrase unwraps, and is closed at lock together with the keys.
 */
import type * as Y from 'yjs';
import { localDate, type AppointmentType, type Clinic, type Provider, type Room } from '../domain';
import type { AuditAction } from '../domain/security/audit';
import { MANAGER_ROLE, type Access, type Role, type Scope } from '../domain/security/roles';
import {
	lockoutSeconds,
	passphraseProblem,
	type SecurityPolicy,
	type StaffUser
} from '../domain/security/users';
import type { QuarantinedRecord } from '../crdt/codec';
import { AuditLog, newChainId, readAuditDocs, type AuditRow, type ChainVerdictRow } from '../crdt/audit-log';
import { appointmentTypesIn, clinicsIn, providersIn, roomsIn } from '../crdt/collections';
import {
	allPatientDocs,
	auditDeviceOf,
	auditDoc,
	directoryDoc,
	keyringDoc,
	monthsBetween,
	scheduleDoc,
	isDocName,
	scopeOf,
	usesDeviceKey,
	type DocName
} from '../crdt/layout';
import { SyncState, readTokenClaims } from './sync.svelte';
import {
	forgetWorkspace,
	listWorkspaces,
	newDeviceId,
	saveWorkspace,
	workspaceDbName,
	type DeviceRecord
} from '../persistence/device';
import { deleteDeviceKey, loadOrCreateDeviceKey } from '../persistence/keys';
import {
	DisabledUserError,
	Keyring,
	UnknownUserError,
	WrongPassphraseError,
	type NewUser,
	type UnlockedKeys
} from '../persistence/keyring';
import { deriveUserSecrets, fromB64, type DerivedSecrets } from '../persistence/keywrap';
import { deleteWorkspaceDatabase, type StoreError } from '../persistence/store';
import {
	forgetViews,
	loadView,
	openViews,
	readSealedViews,
	saveView,
	viewSlot
} from '../persistence/view-cache';
import { AuthClient, AuthError, type LoginResponse } from '../sync/auth-client';
import { AutoLock, type LockCause } from './autolock';
import { DeriveAhead } from './derive-ahead';
import { DocHub } from './docs';
import type { RelaySession } from './relay-session';

/**
 * loading → welcome (no clinic on this workstation) → opening → locked ⇄ ready; `setup` when this
 * workstation joined a clinic server that has no clinic yet (its first workstation creates one).
 */
export type WorkspaceStatus = 'loading' | 'welcome' | 'opening' | 'setup' | 'locked' | 'ready' | 'error';

export const DEMO_SEED = 20261128;
/**
 * Which demo: the small clinic (the default), the benchmark-scale clinic (about 100,000
 * appointments), or the small one with today packed (5 providers × 40 visits) for the day-view
 * benchmark. Chosen on the welcome screen with `?demo=large` or `?demo=dense`.
 */
export type DemoPreset = 'small' | 'large' | 'dense';
/** Every demo account's passphrase; shown on the demo clinic's lock screen. Synthetic clinic only. */
export const DEMO_PASSPHRASE = 'demo clinic passphrase';

/** What joining with a login already derived and received, for the unlock that follows it. */
export interface JoinedLogin {
	derived: DerivedSecrets;
	login: LoginResponse;
}

export interface Session {
	user: StaffUser;
	startedAt: number;
	emergency: boolean;
}

export interface AdminInput {
	displayName: string;
	username: string;
	passphrase: string;
}

/** How long after unlock a clinic-server workstation starts syncing the documents it keeps fresh. */
const PRELOAD_DELAY_MS = 3_000;

export class WorkspaceState {
	status = $state<WorkspaceStatus>('loading');
	/** A message for the person at the desk when something failed; never contains PHI. */
	error = $state<string | null>(null);
	device = $state.raw<DeviceRecord | null>(null);
	clinic = $state.raw<Clinic | null>(null);
	providers = $state.raw<Provider[]>([]);
	rooms = $state.raw<Room[]>([]);
	appointmentTypes = $state.raw<AppointmentType[]>([]);
	quarantined = $state.raw<QuarantinedRecord[]>([]);
	storeErrors = $state.raw<StoreError[]>([]);
	newerSchemaDocs = $state.raw<DocName[]>([]);
	/** Why the last attempt to join a clinic server failed, in words for the person at the desk. */
	joinError = $state<string | null>(null);
	/** Staff accounts from the keyring (no PHI), kept current while the workspace is open. */
	users = $state.raw<StaffUser[]>([]);
	policy = $state.raw<SecurityPolicy | null>(null);
	session = $state.raw<Session | null>(null);
	/** Why the screen is locked, or why the last unlock failed. */
	lockMessage = $state<string | null>(null);
	/** A step of a long operation (creating accounts), for a status line. */
	progress = $state<string | null>(null);
	readonly sync = new SyncState();

	private hub: DocHub | null = null;
	private deviceKey: CryptoKey | null = null;
	private keys: UnlockedKeys | null = null;
	private keyring: Keyring | null = null;
	private auditLog: AuditLog | null = null;
	private auditLogName: DocName | null = null;
	private autoLock: AutoLock | null = null;
	private relay: RelaySession | null = null;
	/** The current relay access token (memory only), for the relay's few HTTP calls. */
	private relayToken: string | null = null;
	/** A setup token from `npm run token`, held in memory until the clinic's administrator exists. */
	private setupToken: string | null = null;
	private readonly quarantineBySource = new Map<DocName, QuarantinedRecord[]>();
	private stops: (() => void)[] = [];
	private readonly lockListeners = new Set<() => void>();
	/** This tab's chain in the workstation's audit log: each tab appends to its own (one writer each). */
	private readonly chainId = newChainId();

	constructor(
		private readonly idb: () => IDBFactory = () => indexedDB,
		private readonly auth: AuthClient = new AuthClient()
	) {}

	/** Opens the workspace this browser already has at its lock screen, or shows the welcome screen. */
	async init(): Promise<void> {
		try {
			const [existing] = await listWorkspaces(this.idb());
			if (!existing) {
				this.status = 'welcome';
				return;
			}
			this.status = 'opening';
			await this.openDevice(existing);
			if (this.keyring?.isEmpty()) {
				this.error =
					'This workstation holds data from an earlier version of ClinicDesk without user accounts. ' +
					'Reset the workstation to start again (its data is synthetic or on the clinic server).';
				this.status = 'error';
				return;
			}
			this.status = 'locked';
		} catch (e) {
			this.fail('Could not open this workstation’s local data', e);
		}
	}

	// ── Creating or joining a clinic ──────────────────────────────────────────────────────────

	/** First run on a workstation of its own: the clinic and its administrator. */
	async createClinic(input: {
		name: string;
		timeZone: string;
		slotMinutes: 5 | 10 | 15 | 20 | 30;
		admin: AdminInput;
	}): Promise<void> {
		const now = new Date().toISOString();
		await this.create(
			{ clinicName: input.name.trim().slice(0, 120), demo: false },
			input.admin,
			[],
			(open) => {
				clinicsIn(open(directoryDoc())).insert({
					id: crypto.randomUUID(),
					createdAt: now,
					updatedAt: now,
					name: input.name,
					timeZone: input.timeZone,
					slotMinutes: input.slotMinutes
				});
			}
		);
	}

	/** The demo clinic with one account per role, all with DEMO_PASSPHRASE; logs in as its administrator. */
	async openDemo(today = new Date(), preset: DemoPreset = 'small'): Promise<void> {
		// Loaded on demand: the generator and its name tables are not part of the app's first load.
		const [{ generateDemoClinic, DEMO_PRESETS, withDenseDay }, { writeClinic }] = await Promise.all([
			import('../domain/demo'),
			import('../crdt/seed')
		]);
		// "Today" is the demo clinic's own date, which may differ from this workstation's around midnight.
		const todayIso = localDate(today, DEMO_PRESETS.small.timeZone ?? 'America/Chicago');
		const generated = generateDemoClinic({
			seed: DEMO_SEED,
			today: todayIso,
			...(preset === 'large' ? DEMO_PRESETS.large : DEMO_PRESETS.small)
		});
		const data = preset === 'dense' ? withDenseDay(generated, todayIso) : generated;
		await this.create(
			{ clinicName: data.clinic.name, demo: true },
			{ displayName: 'Avery Admin', username: 'admin', passphrase: DEMO_PASSPHRASE },
			DEMO_USERS.map((u) => ({ ...u, passphrase: DEMO_PASSPHRASE })),
			(open) => writeClinic(open, data)
		);
	}

	/**
	 * Fetches the code a join needs (the sync client, the relay session) while the join form is being
	 * filled in, instead of one round trip after another once it is sent. Failures are ignored: the
	 * join loads them again and reports a failure there.
	 */
	warmUpJoin(): void {
		for (const load of [
			() => import('./relay-session'),
			() => import('../sync/client'),
			() => import('../sync/presence')
		])
			load().catch(() => {});
	}

	/**
	 * Joins the clinic server this app was loaded from with a staff login: the server checks the
	 * passphrase (as a derived key), the keyring syncs, and the same passphrase then unlocks locally.
	 */
	async joinWithLogin(username: string, passphrase: string): Promise<void> {
		this.joinError = null;
		this.status = 'opening';
		try {
			const params = await this.auth.prelogin(username);
			const secrets = await deriveUserSecrets(passphrase, fromB64(params.salt), params.iterations);
			const deviceId = newDeviceId();
			const login = await this.auth.login(username, secrets.authKey, deviceId);
			const record = this.newRecord(login.clinicId, deviceId, 'Clinic server', true);
			await this.openDevice(record);
			this.sync.start(this.hub!, { token: login.accessToken, deviceId, userName: 'Staff member' });
			if (!(await this.sync.whenSynced(keyringDoc(), 20_000))) {
				throw new AuthError('offline');
			}
			await saveWorkspace(this.idb(), record);
			this.status = 'locked';
			// The secrets and the relay tokens of this login serve the unlock and the session: neither
			// PBKDF2 nor the login's round trip runs twice. The connection stays open for the session
			// (same token): a new one is one more round trip before the first screen's documents.
			const derived = { salt: params.salt, iterations: params.iterations, secrets };
			if (!(await this.unlock(username, passphrase, { derived, login }))) this.sync.stop();
		} catch (e) {
			await this.abandonJoin();
			this.joinError = joinProblem(e);
		}
	}

	/**
	 * Joins with a setup token printed by `npm run token` on the server: for the first workstation of
	 * a new clinic server, which then creates the clinic and its administrator.
	 */
	async joinWithSetupToken(token: string): Promise<void> {
		const claims = await readTokenClaims(token.trim());
		if (!claims) {
			this.joinError = 'That is not a ClinicDesk setup token. Copy the whole token and try again.';
			return;
		}
		this.joinError = null;
		this.status = 'opening';
		try {
			const record = this.newRecord(claims.clinic, newDeviceId(), 'Clinic server', true);
			await this.openDevice(record);
			this.sync.start(this.hub!, { token: token.trim(), deviceId: record.deviceId, userName: 'Setup' });
			if (!(await this.sync.whenSynced(keyringDoc(), 20_000))) {
				this.joinError =
					this.sync.lastError() ?? 'The clinic server did not answer. Check the network and try again.';
				await this.abandonJoin();
				return;
			}
			this.sync.stop();
			await saveWorkspace(this.idb(), record);
			if (this.keyring!.isEmpty()) {
				this.setupToken = token.trim();
				this.status = 'setup';
			} else {
				this.lockMessage = 'This clinic is already set up. Log in with your account.';
				this.status = 'locked';
			}
		} catch (e) {
			await this.abandonJoin();
			this.joinError = joinProblem(e);
		}
	}

	// ── Log in, lock, log out ─────────────────────────────────────────────────────────────────

	/** Seconds this user must wait before another try on this workstation (0: may try now). */
	waitSeconds(userId: string, now = Date.now()): number {
		const f = this.device?.failures[userId];
		if (!f || !this.policy) return 0;
		const wait = lockoutSeconds(f.count, this.policy.maxFailures) * 1000 - (now - f.at);
		return Math.max(0, Math.ceil(wait / 1000));
	}

	/**
	 * Unlocks with a passphrase; works offline. Returns false (with `lockMessage` set) on failure.
	 * `joined`: what a login moments ago already derived and received (see joinWithLogin).
	 */
	async unlock(username: string, passphrase: string, joined?: JoinedLogin): Promise<boolean> {
		const keyring = this.keyring;
		const device = this.device;
		if (!keyring || !device || !this.hub) return false;
		const user = keyring.byUsername(username);
		if (user) {
			const wait = this.waitSeconds(user.id);
			if (wait > 0) {
				this.lockMessage = `Too many wrong passphrases. Try again in ${wait} seconds.`;
				return false;
			}
		}
		// The passphrase key the lock screen derived while it was typed, if it is for these words.
		const ahead = this.ahead.take(username, passphrase);
		// The first screen's sealed copy is read from IndexedDB while PBKDF2 runs (off this thread);
		// after the keys, only opening it is left.
		this.earlyViews = user
			? { userId: user.id, read: readSealedViews(this.viewIdb(), viewSlot(device.workspaceId, user.id, '')) }
			: null;
		let keys: UnlockedKeys;
		try {
			const derived = joined?.derived ?? (ahead && (await ahead)) ?? undefined;
			keys = await keyring.unlock(username, passphrase, derived);
		} catch (e) {
			// The keyring here may be behind the server's: a new account, or a passphrase changed on
			// another workstation. Ask the server, catch the keyring up, and try once more.
			const retry =
				device.server &&
				!(e instanceof DisabledUserError) &&
				(await this.catchUpKeyring(username, passphrase));
			try {
				if (!retry) throw e;
				keys = await keyring.unlock(username, passphrase);
			} catch (again) {
				await this.loginFailed(keyring.byUsername(username) ?? user, again);
				return false;
			}
		}
		// Opened while the session reads its documents, so the first screen paints its copy in the
		// same frame as the rest of the page.
		const early = this.earlyViews;
		const patientKeys = keys.scopes.get('patients');
		if (early?.userId === keys.user.id && patientKeys?.length)
			early.opened = early.read.then((sealed) => openViews(sealed, patientKeys));
		const failures = { ...device.failures };
		delete failures[keys.user.id];
		const recentUsers = [keys.user.id, ...device.recentUsers.filter((id) => id !== keys.user.id)].slice(
			0,
			12
		);
		// Written while the session opens its documents: the first screen does not wait for it.
		const saved = this.saveDevice({ ...device, failures, recentUsers });
		saved.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
		// The login's tokens are this user's only if the keyring agrees on who logged in.
		await this.startSession(keys, joined?.login.userId === keys.user.id ? joined.login : undefined);
		await saved;
		return true;
	}

	/**
	 * The lock screen's login name and passphrase as they are typed: the passphrase key is derived
	 * meanwhile, so Unlock does not wait for PBKDF2 (state/derive-ahead.ts). Nothing is checked.
	 */
	typedPassphrase(username: string, passphrase: string): void {
		if (this.status === 'locked') this.ahead.typed(username, passphrase);
	}

	/** The lock screen closed: no passphrase or key derived from one is kept. */
	forgetTypedPassphrase(): void {
		this.ahead.clear();
	}

	private readonly ahead = new DeriveAhead(async (username, passphrase) => {
		const user = this.keyring?.byUsername(username);
		const bag = user && !user.disabled ? this.keyring?.bag(user.id) : undefined;
		if (!bag) return null;
		const secrets = await deriveUserSecrets(passphrase, fromB64(bag.salt), bag.iterations);
		return { salt: bag.salt, iterations: bag.iterations, secrets };
	});

	/** Logs in to the server with a passphrase and syncs the keyring; false when that did not work. */
	private async catchUpKeyring(username: string, passphrase: string): Promise<boolean> {
		const device = this.device;
		if (!device || !this.hub) return false;
		try {
			const params = await this.auth.prelogin(username);
			const secrets = await deriveUserSecrets(passphrase, fromB64(params.salt), params.iterations);
			const login = await this.auth.login(username, secrets.authKey, device.deviceId);
			this.sync.start(this.hub, {
				token: login.accessToken,
				deviceId: device.deviceId,
				userName: 'Staff member'
			});
			return await this.sync.whenSynced(keyringDoc(), 15_000);
		} catch {
			return false;
		} finally {
			this.sync.stop();
		}
	}

	/** Locks now: keys dropped, documents closed, every tab of the app locked. */
	async lock(cause: LockReason = 'manual'): Promise<void> {
		if (!this.keys) return;
		const user = this.keys.user;
		this.audit(cause === 'logout' ? 'logout' : 'lock');
		if (cause === 'other-tab') this.autoLock?.stop();
		else this.autoLock?.lockAll();
		this.autoLock = null;
		this.relay?.stop();
		this.relay = null;
		this.relayToken = null;
		this.sync.stop();
		this.keys = null;
		this.session = null;
		this.earlyViews = null;
		this.ahead.clear();
		for (const fn of this.lockListeners) fn();
		this.clearDirectory();
		await this.hub?.closeWhere((n) => !usesDeviceKey(n));
		this.lockMessage = LOCK_TEXT[cause];
		if (cause === 'disabled') this.lockMessage = `${user.displayName}: this account has been disabled.`;
		this.status = 'locked';
	}

	logout(): Promise<void> {
		return this.lock('logout');
	}

	/** Screens call this to clear what they hold when the session ends. */
	onLock(fn: () => void): () => void {
		this.lockListeners.add(fn);
		return () => this.lockListeners.delete(fn);
	}

	/** What the logged-in user's role may do with a scope ('none' when locked). */
	access(s: Scope): Access {
		const user = this.session?.user;
		if (!user || !this.policy) return 'none';
		return this.policy.roles[user.role][s];
	}

	can(s: Scope, need: 'read' | 'write' = 'read'): boolean {
		const a = this.access(s);
		return need === 'read' ? a !== 'none' : a === 'write';
	}

	get isManager(): boolean {
		return this.session?.user.role === MANAGER_ROLE;
	}

	/**
	 * Appends to this workstation's audit log: who, what, which record — never PHI. While locked,
	 * only login attempts are recorded (under the user id they named).
	 */
	audit(action: AuditAction, recordType?: string, recordId?: string, userId?: string): void {
		const who = userId ?? this.keys?.user.id;
		if (!this.auditLog || !who) return;
		this.auditLog.append({ userId: who, action, recordType, recordId }).catch(() => {
			// A bad record id from a screen: nothing written; the screen's own action still stands.
		});
	}

	/**
	 * Remembers a document written here that is not preloaded (an attached file) until the server has
	 * it: it is reopened at each login, so an upload started offline completes later.
	 */
	async trackUpload(name: DocName): Promise<void> {
		const device = this.device;
		if (!device?.server) return;
		if (!device.pendingUploads.includes(name))
			await this.saveDevice({ ...device, pendingUploads: [...device.pendingUploads, name] });
		await this.confirmUpload(name);
	}

	private async confirmUpload(name: DocName): Promise<void> {
		if (!this.sync.enabled || !(await this.sync.whenSynced(name, 10 * 60_000))) return;
		if (!(await this.sync.whenAcknowledged())) return;
		const device = this.device;
		if (device?.pendingUploads.includes(name))
			await this.saveDevice({ ...device, pendingUploads: device.pendingUploads.filter((n) => n !== name) });
	}

	/** Resolves when every audit entry asked for so far has been written. */
	async auditSettled(): Promise<void> {
		await this.auditLog?.settled();
	}

	// ── Accounts (administrators) ─────────────────────────────────────────────────────────────

	async addUser(input: NewUser): Promise<StaffUser> {
		const { keyring, keys } = this.requireManager();
		const user = await keyring.addUser(keys, { ...input, mustChange: input.mustChange ?? true });
		this.audit('create', 'staff-user', user.id);
		this.audit('role-change', 'staff-user', user.id);
		return user;
	}

	async setRole(userId: string, role: Role): Promise<void> {
		const { keyring, keys } = this.requireManager();
		await keyring.setRole(keys, userId, role);
		this.audit('role-change', 'staff-user', userId);
	}

	setDisabled(userId: string, disabled: boolean): void {
		const { keyring, keys } = this.requireManager();
		keyring.setDisabled(keys, userId, disabled);
		this.audit('change', 'staff-user', userId);
	}

	/** Removes an account and rotates every scope key it held (see Keyring.removeUser). */
	async removeUser(userId: string): Promise<number> {
		const { keyring, keys } = this.requireManager();
		const rotated = await keyring.removeUser(keys, userId);
		this.audit('delete', 'staff-user', userId);
		return rotated.length;
	}

	async resetPassphrase(userId: string, temporary: string): Promise<void> {
		const { keyring, keys } = this.requireManager();
		await keyring.resetPassphrase(keys, userId, temporary);
		this.audit('change', 'staff-user', userId);
	}

	async rotateScope(s: Scope): Promise<number> {
		const { keyring, keys } = this.requireManager();
		const version = await keyring.rotateScope(keys, s);
		this.audit('change', 'scope-key');
		return version;
	}

	savePolicy(patch: Partial<Pick<SecurityPolicy, 'idleMinutes' | 'sessionHours' | 'maxFailures'>>): void {
		const { keyring } = this.requireManager();
		keyring.savePolicy(patch);
		this.audit('change', 'security-policy');
	}

	/**
	 * A new role matrix, then every user's keys follow it: scopes a role gained are wrapped for its
	 * users, scopes it lost are withdrawn (rotate those keys if that matters: see README).
	 */
	async saveRoleMatrix(roles: SecurityPolicy['roles']): Promise<void> {
		const { keyring, keys } = this.requireManager();
		keyring.savePolicy({ roles });
		this.audit('role-change', 'security-policy');
		for (const u of keyring.users()) await keyring.setRole(keys, u.id, u.role);
	}

	/**
	 * The logged-in user's own passphrase. On a server workstation the relay checks the current one
	 * and stores the new keybag (ordinary users cannot write the keyring document themselves).
	 */
	async changePassphrase(current: string, next: string): Promise<string | null> {
		const keys = this.keys;
		const keyring = this.keyring;
		if (!keys || !keyring) return 'You are not logged in';
		const problem = passphraseProblem(next, keys.user);
		if (problem) return problem;
		const bag = keyring.bag(keys.user.id);
		if (!bag) return 'Your account has no keys on this workstation';
		try {
			if (this.device?.server && !this.isManager) {
				const { changeKeybagPassphrase } = await import('../persistence/keywrap');
				const nextBag = await changeKeybagPassphrase(bag, current, next, new Date().toISOString());
				const old = await deriveUserSecrets(current, fromB64(bag.salt), bag.iterations);
				await this.auth.changePassphrase(keys.user.username, old.authKey, nextBag);
			} else {
				await keyring.changePassphrase(keys.user.id, current, next);
			}
		} catch (e) {
			if (e instanceof WrongPassphraseError) return 'Your current passphrase is not right';
			if (e instanceof AuthError) return 'The clinic server must be reachable to change your passphrase';
			throw e;
		}
		this.audit('change', 'staff-user', keys.user.id);
		this.session = this.session && {
			...this.session,
			user: { ...this.session.user, mustChangePassphrase: false }
		};
		return null;
	}

	// ── Documents ─────────────────────────────────────────────────────────────────────────────

	/** The hub for screens that open their own documents (schedule months, patient shards). */
	docs(): DocHub {
		if (!this.hub || !this.keys) throw new Error('No clinic is open');
		return this.hub;
	}

	/** Forgets this workstation's local copy: documents, keys and the workspace entry. */
	async resetWorkstation(): Promise<void> {
		const device = this.device;
		await this.lock('logout');
		await this.closeAll();
		if (device) {
			await deleteWorkspaceDatabase(this.idb(), workspaceDbName(device.workspaceId));
			await deleteDeviceKey(this.idb(), device.workspaceId);
			await forgetWorkspace(this.idb(), device.workspaceId);
			await forgetViews(this.viewIdb(), device.workspaceId);
		}
		this.device = null;
		this.users = [];
		this.policy = null;
		this.quarantineBySource.clear();
		this.quarantined = [];
		this.storeErrors = [];
		this.lockMessage = null;
		this.status = 'welcome';
	}

	/** Replaces what one document reported as quarantined; the Admin screen lists them all. */
	reportQuarantine(source: DocName, list: QuarantinedRecord[]): void {
		this.quarantineBySource.set(source, list);
		this.quarantined = [...this.quarantineBySource.values()].flat();
	}

	/**
	 * Every workstation's audit log this session can reach: this workstation's, and on a clinic
	 * server every other workstation's log the relay lists (administrators' tokens read them all).
	 * `onChange` runs when any of them changes (new entries arriving by sync).
	 */
	async auditTrail(onChange?: () => void): Promise<{
		rows: AuditRow[];
		verdicts: ChainVerdictRow[];
		stop: () => void;
	}> {
		const hub = this.docs();
		const device = this.device!;
		// This workstation's logs for every month since it joined (an empty month costs nothing).
		const names = new Set<DocName>(
			monthsBetween(device.createdAt, new Date().toISOString()).map((m) => auditDoc(device.deviceId, m))
		);
		if (device.server && this.relayToken) {
			for (const n of await this.auth.auditLogs(this.relayToken).catch(() => [])) {
				if (isDocName(n) && scopeOf(n) === 'audit') names.add(n);
			}
		}
		for (const n of hub.names()) if (scopeOf(n) === 'audit') names.add(n);
		const logs = await Promise.all(
			[...names].map(async (n) => ({ deviceId: auditDeviceOf(n), doc: await hub.ready(n) }))
		);
		const handler = () => onChange?.();
		for (const l of logs) l.doc.on('update', handler);
		const { rows, verdicts } = await readAuditDocs(logs);
		return { rows, verdicts, stop: () => logs.forEach((l) => l.doc.off('update', handler)) };
	}

	// ── Internals ─────────────────────────────────────────────────────────────────────────────

	private newRecord(
		workspaceId: string,
		deviceId: string,
		clinicName: string,
		server: boolean
	): DeviceRecord {
		return {
			workspaceId,
			deviceId,
			clinicName,
			demo: false,
			createdAt: new Date().toISOString(),
			server,
			recentUsers: [],
			pendingUploads: [],
			failures: {}
		};
	}

	private async create(
		change: { clinicName: string; demo: boolean },
		admin: AdminInput,
		others: NewUser[],
		write: (open: (n: DocName) => Y.Doc) => unknown
	): Promise<void> {
		const setup = this.status === 'setup' && this.device !== null;
		this.status = 'opening';
		try {
			const record: DeviceRecord = setup
				? { ...this.device!, ...change }
				: {
						...this.newRecord(crypto.randomUUID(), newDeviceId(), change.clinicName, false),
						demo: change.demo
					};
			if (!setup) await this.openDevice(record);
			const keyring = this.keyring!;
			this.progress = 'Creating the administrator’s keys…';
			const keys = await keyring.bootstrap(admin);
			if (others.length) {
				// WebCrypto runs key generation and PBKDF2 off the main thread: create them side by side.
				this.progress = `Creating ${others.length} more accounts…`;
				await Promise.all(others.map((u) => keyring.addUser(keys, u)));
			}
			this.progress = null;
			this.keys = keys;
			const hub = this.hub!;
			const names: DocName[] = [directoryDoc()];
			await hub.ready(directoryDoc());
			write((n) => {
				if (!names.includes(n)) names.push(n);
				return hub.open(n);
			});
			await Promise.all(names.map((n) => hub.ready(n)));
			await hub.flush();
			await saveWorkspace(this.idb(), { ...record, recentUsers: [keys.user.id] });
			this.device = { ...record, recentUsers: [keys.user.id] };
			this.audit('create', 'staff-user', keys.user.id);
			this.keys = null;
			await this.startSession(keys);
			this.setupToken = null;
		} catch (e) {
			this.progress = null;
			this.fail('Could not set up the clinic on this workstation', e);
		}
	}

	private async startSession(keys: UnlockedKeys, login?: LoginResponse): Promise<void> {
		const device = this.device!;
		const hub = this.hub!;
		// The audit log (device key) and the directory (this user's keys) are read side by side.
		const auditLog = this.openAuditLog();
		auditLog.catch(() => undefined); // awaited below
		const before = this.status;
		this.keys = keys;
		this.lockMessage = null;
		this.session = { user: keys.user, startedAt: Date.now(), emergency: keys.user.emergency };
		this.status = 'opening';
		// Still syncing from the join: presence (attached with the directory) shows this user's name.
		if (this.sync.enabled) this.sync.rename(keys.user.displayName);
		const directory = this.attachDirectory(hub);
		directory.catch(() => undefined); // awaited below
		try {
			await auditLog;
		} catch (e) {
			// No session without its audit log (as before the two were read together).
			this.keys = null;
			this.session = null;
			this.status = before;
			throw e;
		}
		this.audit('login');
		if (keys.user.emergency) this.audit('break-glass');
		await directory;
		const policy = this.policy!;
		this.autoLock = new AutoLock({
			idleMs: policy.idleMinutes * 60_000,
			maxMs: policy.sessionHours * 3_600_000,
			channel: `clinicdesk-session-${device.workspaceId}`,
			target: typeof window !== 'undefined' ? window : undefined,
			onLock: (cause) => void this.lock(cause)
		});
		this.status = 'ready';
		if (device.server) {
			this.connect(keys, login);
			// Once the first screen has painted (it opens what it shows itself): decrypting and applying
			// every patient shard of a large clinic first would hold its first paint back by seconds.
			setTimeout(() => {
				if (this.hub === hub && this.keys === keys) this.preload(hub);
			}, PRELOAD_DELAY_MS);
			for (const name of device.pendingUploads) {
				if (!isDocName(name) || !hub.canOpen(name)) continue;
				hub.open(name);
				void this.confirmUpload(name);
			}
		}
	}

	/**
	 * Keeps a sealed copy of what a screen shows (`screen`: a fixed word), for painting it at once on
	 * this user's next cold open (persistence/view-cache). Sealed with the patients key: such copies
	 * show names, so only a session that may read patients writes or reads them.
	 */
	async saveView(screen: string, value: unknown): Promise<void> {
		const key = this.keys?.scopes.get('patients')?.[0];
		const device = this.device;
		if (!key || !device || !this.session) return;
		this.earlyViews = null;
		await saveView(this.viewIdb(), viewSlot(device.workspaceId, this.session.user.id, screen), key, value);
	}

	/** The copy `saveView` kept for this user and screen, or null. */
	async loadView(screen: string): Promise<unknown> {
		const keys = this.keys?.scopes.get('patients');
		const device = this.device;
		if (!keys?.length || !device || !this.session) return null;
		const slot = viewSlot(device.workspaceId, this.session.user.id, screen);
		const early = this.earlyViews?.userId === this.session.user.id ? this.earlyViews : null;
		if (early?.opened) return (await early.opened).get(slot) ?? null;
		return loadView(this.viewIdb(), slot, keys, early ? await early.read : undefined);
	}

	/**
	 * This unlock's copies: read while the passphrase key was derived, opened once the keys were
	 * there; dropped when one is written (or the session ends).
	 */
	private earlyViews: {
		userId: string;
		read: Promise<ReadonlyMap<string, unknown>>;
		opened?: Promise<ReadonlyMap<string, unknown>>;
	} | null = null;
	private viewCacheIdb: IDBFactory | null = null;
	private viewIdb(): IDBFactory {
		return (this.viewCacheIdb ??= this.idb());
	}

	/** The relay access token of this session (memory only), when this workstation syncs with a server. */
	accessToken(): string | null {
		return this.device?.server ? this.relayToken : null;
	}

	/** Relay tokens for this session; the setup token bridges the moment the first admin is created. */
	private connect(keys: UnlockedKeys, login?: LoginResponse): void {
		const device = this.device!;
		const start = (token: string) => {
			this.relayToken = token;
			if (this.sync.enabled) this.sync.setToken(token);
			else this.sync.start(this.hub!, { token, deviceId: device.deviceId, userName: keys.user.displayName });
		};
		if (this.setupToken) start(this.setupToken);
		// Loaded with the session, not with the app (a workstation without a server never needs it).
		void import('./relay-session').then(({ RelaySession }) => {
			if (this.keys !== keys || this.relay) return; // locked (or started) meanwhile
			this.relay = new RelaySession({
				auth: this.auth,
				username: keys.user.username,
				authKey: keys.authKey,
				deviceId: device.deviceId,
				...(login ? { initial: login } : {}),
				onToken: (res) => start(res.accessToken),
				onRefused: (reason) => void this.lock(reason === 'disabled' ? 'disabled' : 'changed')
			});
			void this.relay.start();
		});
	}

	private async openDevice(record: DeviceRecord): Promise<void> {
		await this.closeAll();
		this.deviceKey = await loadOrCreateDeviceKey(this.idb(), record.workspaceId);
		const hub = new DocHub({
			idb: this.idb(),
			dbName: workspaceDbName(record.workspaceId),
			keysFor: (name) => {
				if (usesDeviceKey(name)) return this.deviceKey ? [this.deviceKey] : undefined;
				const kind = scopeOf(name);
				return kind === 'keyring' ? undefined : this.keys?.scopes.get(kind);
			},
			onStoreError: (e) => (this.storeErrors = [...this.storeErrors, e]),
			onNewerSchema: (name) => {
				if (!this.newerSchemaDocs.includes(name)) this.newerSchemaDocs = [...this.newerSchemaDocs, name];
			}
		});
		this.hub = hub;
		this.device = record;
		const keyringYDoc = await hub.ready(keyringDoc());
		this.keyring = new Keyring(keyringYDoc);
		const readKeyring = () => {
			this.users = this.keyring?.users() ?? [];
			this.policy = this.keyring?.policy() ?? null;
			const me = this.keys && this.keyring?.user(this.keys.user.id);
			if (this.keys && (!me || me.disabled)) void this.lock('disabled');
		};
		keyringYDoc.on('update', readKeyring);
		this.stops.push(() => keyringYDoc.off('update', readKeyring));
		readKeyring();
		await this.openAuditLog();
	}

	/** This month's log; a session that starts in a new month moves to that month's document. */
	private async openAuditLog(): Promise<void> {
		const device = this.device!;
		const name = auditDoc(device.deviceId, thisMonth());
		if (this.auditLogName === name) return;
		const log = await this.hub!.ready(name);
		this.auditLog = new AuditLog(log, { deviceId: device.deviceId, chainId: this.chainId });
		this.auditLogName = name;
	}

	private async attachDirectory(hub: DocHub): Promise<void> {
		const dir = await hub.ready(directoryDoc());
		const refresh = () => {
			if (this.keys) this.readDirectory(dir);
		};
		dir.on('update', refresh);
		this.stops.push(() => dir.off('update', refresh));
		this.readDirectory(dir);
		const device = this.device!;
		if (this.clinic && device.clinicName !== this.clinic.name) {
			await this.saveDevice({ ...device, clinicName: this.clinic.name.slice(0, 120) });
		}
	}

	/**
	 * A syncing workstation keeps the documents of the coming weeks and every patient on hand, so
	 * that it can work through days without the network.
	 */
	private preload(hub: DocHub): void {
		const now = new Date();
		if (this.can('schedule')) {
			for (let i = -1; i <= 2; i++) {
				const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
				hub.open(scheduleDoc(d.toISOString().slice(0, 7)));
			}
		}
		if (this.can('patients')) for (const name of allPatientDocs()) hub.open(name);
	}

	private readDirectory(dir: Y.Doc): void {
		const clinics = clinicsIn(dir).all();
		const providers = providersIn(dir).all();
		const rooms = roomsIn(dir).all();
		const types = appointmentTypesIn(dir).all();
		this.clinic = clinics.records.find((c) => !c.deletedAt) ?? null;
		this.providers = providers.records.filter((p) => !p.deletedAt).sort(byName((p) => p.displayName));
		this.rooms = rooms.records.filter((r) => !r.deletedAt).sort(byName((r) => r.name));
		this.appointmentTypes = types.records.filter((t) => !t.deletedAt).sort(byName((t) => t.name));
		this.reportQuarantine(directoryDoc(), [
			...clinics.quarantined,
			...providers.quarantined,
			...rooms.quarantined,
			...types.quarantined
		]);
	}

	private clearDirectory(): void {
		this.clinic = null;
		this.providers = this.rooms = this.appointmentTypes = [];
		this.quarantineBySource.clear();
		this.quarantined = [];
	}

	private async loginFailed(user: StaffUser | undefined, e: unknown): Promise<void> {
		if (e instanceof DisabledUserError) {
			this.lockMessage = 'This account is disabled. Ask your clinic administrator.';
		} else if (e instanceof WrongPassphraseError || e instanceof UnknownUserError) {
			this.lockMessage = 'That login name and passphrase do not match.';
		} else {
			this.lockMessage = 'Could not log in on this workstation.';
		}
		const device = this.device;
		if (!user || !device) return;
		this.audit('login-failed', 'staff-user', user.id, user.id);
		const prev = device.failures[user.id]?.count ?? 0;
		await this.saveDevice({
			...device,
			failures: { ...device.failures, [user.id]: { count: prev + 1, at: Date.now() } }
		});
	}

	private async saveDevice(record: DeviceRecord): Promise<void> {
		this.device = record;
		await saveWorkspace(this.idb(), record);
	}

	private requireManager(): { keyring: Keyring; keys: UnlockedKeys } {
		if (!this.keyring || !this.keys || !this.isManager) throw new Error('Only an administrator can do that');
		return { keyring: this.keyring, keys: this.keys };
	}

	private async abandonJoin(): Promise<void> {
		const device = this.device;
		await this.closeAll();
		if (device) {
			await deleteWorkspaceDatabase(this.idb(), workspaceDbName(device.workspaceId));
			await forgetWorkspace(this.idb(), device.workspaceId);
		}
		this.device = null;
		this.status = 'welcome';
	}

	private async closeAll(): Promise<void> {
		this.sync.stop();
		this.relay?.stop();
		this.relay = null;
		this.autoLock?.stop();
		this.autoLock = null;
		for (const stop of this.stops) stop();
		this.stops = [];
		const hub = this.hub;
		this.hub = null;
		this.keyring = null;
		this.auditLog = null;
		this.auditLogName = null;
		this.keys = null;
		this.session = null;
		await hub?.close();
	}

	private fail(message: string, e: unknown): void {
		// Error objects from storage may quote record contents; only their name is shown.
		const kind = e instanceof Error ? e.name : 'Error';
		this.error = `${message} (${kind}).`;
		this.status = 'error';
	}
}

type LockReason = LockCause | 'manual' | 'logout' | 'disabled' | 'changed';

const LOCK_TEXT: Record<LockReason, string | null> = {
	idle: 'Locked after a period without activity.',
	'session-cap': 'Locked: the longest session the clinic allows has ended.',
	'other-tab': 'Locked in another window of ClinicDesk.',
	manual: null,
	logout: null,
	disabled: 'This account has been disabled.',
	changed:
		'The clinic server did not accept this passphrase (was it changed on another workstation?). Log in again.'
};

/** The demo clinic's accounts besides its administrator: one per role and a break-glass account. */
const DEMO_USERS: Omit<NewUser, 'passphrase'>[] = [
	{ displayName: 'Frankie Front', username: 'front', role: 'front-desk' },
	{ displayName: 'Billie Biller', username: 'billing', role: 'billing' },
	{ displayName: 'Morgan Secretary', username: 'secretary', role: 'medical-secretary' },
	{ displayName: 'Dr Rowan Physician', username: 'physician', role: 'physician' },
	{ displayName: 'Olive Manager', username: 'manager', role: 'office-manager' },
	{ displayName: 'Emergency Access', username: 'emergency', role: 'physician', emergency: true }
];

function joinProblem(e: unknown): string {
	if (e instanceof AuthError) {
		switch (e.reason) {
			case 'invalid-login':
				return 'That login name and passphrase do not match.';
			case 'disabled':
				return 'This account is disabled. Ask your clinic administrator.';
			case 'no-users':
				return 'This clinic server has no accounts yet. Its first workstation joins with a setup token.';
			case 'too-many-attempts':
				return 'Too many attempts. Wait a minute and try again.';
			case 'offline':
				return 'Could not reach the clinic server. Check the network and try again.';
			default:
				return 'The clinic server could not log you in. Try again, or tell your clinic administrator.';
		}
	}
	if (e instanceof WrongPassphraseError) return 'That login name and passphrase do not match.';
	return 'Could not join the clinic server.';
}

function thisMonth(): string {
	return new Date().toISOString().slice(0, 7);
}

function byName<T>(key: (t: T) => string) {
	return (a: T, b: T) => key(a).localeCompare(key(b));
}

export const workspace = new WorkspaceState();
