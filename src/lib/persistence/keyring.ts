/**
 * The clinic's keyring document: staff accounts, each user's keybag and the security policy, and
 * the operations that keep them consistent (see keywrap.ts for the key hierarchy).
 *
 * Who holds which scope key follows the role matrix (`keyScopes`); the administrator role holds
 * every scope key because it is the one that grants them. Audit logs and the keyring itself are
 * sealed with the workstation's device key, not a scope key (crdt/layout.ts `usesDeviceKey`).
 */
import type * as Y from 'yjs';
import { keyScopes, MANAGER_ROLE, scope as scopeEnum, type Role, type Scope } from '../domain/security/roles';
import {
	securityPolicy,
	type Keybag,
	type SecurityPolicy,
	type StaffUser,
	type WrappedScopeKey
} from '../domain/security/users';
import { keybagsIn, policyIn, usersIn } from '../crdt/collections';
import {
	changeKeybagPassphrase,
	type DerivedSecrets,
	createKeybag,
	newScopeKey,
	openKeybag,
	unwrapScopeKey,
	wrapScopeKey,
	WrongPassphraseError
} from './keywrap';

export { WrongPassphraseError };

export class UnknownUserError extends Error {
	override name = 'UnknownUserError';
	constructor() {
		super('No such user on this workstation');
	}
}

export class DisabledUserError extends Error {
	override name = 'DisabledUserError';
	constructor() {
		super('This account is disabled');
	}
}

/** A logged-in user's keys: held in memory only, all non-extractable. */
export interface UnlockedKeys {
	user: StaffUser;
	privateKey: CryptoKey;
	authKey: Uint8Array;
	/** Per scope, the current key first, then older versions for data not yet rewritten. */
	scopes: Map<Scope, CryptoKey[]>;
}

export interface NewUser {
	displayName: string;
	username: string;
	role: Role;
	passphrase: string;
	emergency?: boolean;
	/** True when someone other than the user chose the passphrase. */
	mustChange?: boolean;
}

const KEY_SCOPES = scopeEnum.options.filter((s) => s !== 'audit');

export class Keyring {
	constructor(
		readonly doc: Y.Doc,
		private readonly iterations?: number
	) {}

	users(): StaffUser[] {
		return usersIn(this.doc)
			.all()
			.records.filter((u) => !u.deletedAt)
			.sort((a, b) => a.displayName.localeCompare(b.displayName));
	}

	user(id: string): StaffUser | undefined {
		const r = usersIn(this.doc).get(id);
		return r?.ok && !r.value.deletedAt ? r.value : undefined;
	}

	byUsername(name: string): StaffUser | undefined {
		const wanted = name.trim().toLowerCase();
		return this.users().find((u) => u.username === wanted);
	}

	bag(userId: string): Keybag | undefined {
		const r = keybagsIn(this.doc).get(userId);
		return r?.ok ? r.value : undefined;
	}

	policy(): SecurityPolicy {
		const found = policyIn(this.doc)
			.all()
			.records.sort((a, b) => a.id.localeCompare(b.id))[0];
		return found ?? securityPolicy.parse({ id: '00000000-0000-4000-8000-000000000000', updatedAt: EPOCH });
	}

	isEmpty(): boolean {
		return this.users().length === 0;
	}

	/** First run: the clinic's scope keys and its administrator. */
	async bootstrap(admin: Omit<NewUser, 'role'>, now = new Date().toISOString()): Promise<UnlockedKeys> {
		if (!this.isEmpty()) throw new Error('This clinic already has users');
		const id = crypto.randomUUID();
		const created = await createKeybag(id, admin.passphrase, now, this.iterations);
		const keys: Keybag['keys'] = {};
		for (const s of KEY_SCOPES) keys[s] = [await wrapScopeKey(await newScopeKey(), created.publicKey, 1)];
		const user = this.userRecord(id, { ...admin, role: MANAGER_ROLE }, now);
		const policy = securityPolicy.parse({
			id: crypto.randomUUID(),
			updatedAt: now,
			keyVersions: Object.fromEntries(KEY_SCOPES.map((s) => [s, 1]))
		});
		this.doc.transact(() => {
			policyIn(this.doc).insert(policy);
			usersIn(this.doc).insert(user);
			keybagsIn(this.doc).insert({ ...created.bag, keys });
		});
		return this.unlockWith(this.user(id)!, { ...created.bag, keys }, created.opened);
	}

	/** Opens a user's keys with their passphrase. Works offline: the keyring is local. */
	async unlock(username: string, passphrase: string, derived?: DerivedSecrets): Promise<UnlockedKeys> {
		const user = this.byUsername(username);
		const bag = user && this.bag(user.id);
		if (!user || !bag) throw new UnknownUserError();
		if (user.disabled) throw new DisabledUserError();
		return this.unlockWith(user, bag, await openKeybag(bag, passphrase, derived));
	}

	/** Adds a user and wraps every scope key their role holds; `actor` must hold those keys. */
	async addUser(actor: UnlockedKeys, input: NewUser, now = new Date().toISOString()): Promise<StaffUser> {
		this.requireManager(actor);
		if (this.byUsername(input.username)) throw new Error('That login name is taken');
		const id = crypto.randomUUID();
		const created = await createKeybag(id, input.passphrase, now, this.iterations);
		const keys = await this.grantKeys(actor, created.bag.publicKey, input.role);
		const user = this.userRecord(id, input, now);
		this.doc.transact(() => {
			usersIn(this.doc).insert(user);
			keybagsIn(this.doc).insert({ ...created.bag, keys });
		});
		return user;
	}

	/**
	 * Changes a role: the user gets wrapped copies of the scope keys the new role holds and loses the
	 * others. Removing a wrapped copy does not un-know a key the user already unwrapped on some
	 * workstation; if that matters, rotate the scope (`rotateScope`).
	 */
	async setRole(
		actor: UnlockedKeys,
		userId: string,
		role: Role,
		now = new Date().toISOString()
	): Promise<void> {
		this.requireManager(actor);
		const bag = this.requireBag(userId);
		const keys = await this.grantKeys(actor, bag.publicKey, role);
		this.doc.transact(() => {
			usersIn(this.doc).update(userId, { role, updatedAt: now });
			keybagsIn(this.doc).update(userId, { keys, updatedAt: now });
		});
	}

	setDisabled(actor: UnlockedKeys, userId: string, disabled: boolean, now = new Date().toISOString()): void {
		this.requireManager(actor);
		if (userId === actor.user.id && disabled) throw new Error('You cannot disable your own account');
		usersIn(this.doc).update(userId, { disabled, updatedAt: now });
	}

	/**
	 * Removes an account for good: the record is soft-deleted (audit entries keep naming it), its
	 * wrapped keys are dropped, and every scope key it held is rotated, so even a copy of its old
	 * keybag opens nothing written from now on. Returns the scopes rotated.
	 */
	async removeUser(actor: UnlockedKeys, userId: string, now = new Date().toISOString()): Promise<Scope[]> {
		this.requireManager(actor);
		if (userId === actor.user.id) throw new Error('You cannot remove your own account');
		const user = this.user(userId);
		if (!user) throw new UnknownUserError();
		const held = Object.keys(this.bag(userId)?.keys ?? {}) as Scope[];
		this.doc.transact(() => {
			usersIn(this.doc).update(userId, { disabled: true, deletedAt: now, updatedAt: now });
			if (keybagsIn(this.doc).has(userId)) keybagsIn(this.doc).update(userId, { keys: {}, updatedAt: now });
		});
		for (const s of held) await this.rotateScope(actor, s, now);
		return held;
	}

	/**
	 * A forgotten passphrase: the old private key cannot be recovered, so the user gets a new key
	 * pair, freshly wrapped scope keys and a temporary passphrase they must change.
	 */
	async resetPassphrase(
		actor: UnlockedKeys,
		userId: string,
		temporary: string,
		now = new Date().toISOString()
	): Promise<void> {
		this.requireManager(actor);
		const user = this.user(userId);
		if (!user) throw new UnknownUserError();
		const created = await createKeybag(userId, temporary, now, this.iterations);
		const keys = await this.grantKeys(actor, created.bag.publicKey, user.role);
		this.doc.transact(() => {
			keybagsIn(this.doc).update(userId, { ...created.bag, keys });
			usersIn(this.doc).update(userId, { mustChangePassphrase: true, updatedAt: now });
		});
	}

	async changePassphrase(
		userId: string,
		oldPassphrase: string,
		newPassphrase: string,
		now = new Date().toISOString()
	): Promise<Keybag> {
		const bag = this.requireBag(userId);
		const next = await changeKeybagPassphrase(bag, oldPassphrase, newPassphrase, now);
		this.doc.transact(() => {
			keybagsIn(this.doc).update(userId, next);
			usersIn(this.doc).update(userId, { mustChangePassphrase: false, updatedAt: now });
		});
		return next;
	}

	/**
	 * Compromised account: a new version of the scope's key, wrapped for every enabled user whose role
	 * holds the scope. New writes use it; older versions stay with current holders so data written
	 * before can still be read until compaction rewrites it under the new key.
	 */
	async rotateScope(actor: UnlockedKeys, s: Scope, now = new Date().toISOString()): Promise<number> {
		this.requireManager(actor);
		const policy = this.policy();
		const version = (policy.keyVersions[s] ?? 1) + 1;
		const fresh = await newScopeKey();
		const updates: [string, Keybag['keys']][] = [];
		for (const u of this.users()) {
			const bag = this.bag(u.id);
			if (!bag || u.disabled || !keyScopes(policy.roles, u.role).includes(s)) continue;
			const w = await wrapScopeKey(fresh, bag.publicKey, version);
			updates.push([u.id, { ...bag.keys, [s]: [w, ...(bag.keys[s] ?? [])].slice(0, 32) }]);
		}
		this.doc.transact(() => {
			for (const [id, keys] of updates) keybagsIn(this.doc).update(id, { keys, updatedAt: now });
			for (const u of this.users()) {
				const bag = this.bag(u.id);
				if (bag && u.disabled && bag.keys[s]) {
					const keys = { ...bag.keys };
					delete keys[s];
					keybagsIn(this.doc).update(u.id, { keys, updatedAt: now });
				}
			}
			this.savePolicy({ keyVersions: { ...policy.keyVersions, [s]: version } }, now);
		});
		return version;
	}

	savePolicy(patch: Partial<Omit<SecurityPolicy, 'id'>>, now = new Date().toISOString()): void {
		const current = this.policy();
		const col = policyIn(this.doc);
		if (col.has(current.id)) col.update(current.id, { ...patch, updatedAt: now });
		else col.insert({ ...current, ...patch, updatedAt: now });
	}

	private async unlockWith(
		user: StaffUser,
		bag: Keybag,
		opened: { privateKey: CryptoKey; authKey: Uint8Array }
	) {
		const scopes = new Map<Scope, CryptoKey[]>();
		for (const [s, versions] of Object.entries(bag.keys) as [Scope, WrappedScopeKey[]][]) {
			const sorted = [...versions].sort((a, b) => b.version - a.version);
			scopes.set(s, await Promise.all(sorted.map((w) => unwrapScopeKey(w, opened.privateKey))));
		}
		return { user, privateKey: opened.privateKey, authKey: opened.authKey, scopes };
	}

	/** Every version of each scope key `role` holds, wrapped to `publicKey`. */
	private async grantKeys(actor: UnlockedKeys, publicKey: string, role: Role): Promise<Keybag['keys']> {
		const actorBag = this.requireBag(actor.user.id);
		const out: Keybag['keys'] = {};
		for (const s of keyScopes(this.policy().roles, role)) {
			const versions = actorBag.keys[s];
			if (!versions) throw new Error(`You do not hold the ${s} key, so you cannot grant it`);
			out[s] = [];
			for (const w of versions) {
				// Extractable only for this wrap; the copy is dropped when the loop moves on.
				const raw = await unwrapScopeKey(w, actor.privateKey, true);
				out[s].push(await wrapScopeKey(raw, publicKey, w.version));
			}
		}
		return out;
	}

	private userRecord(id: string, input: NewUser, now: string): StaffUser {
		return {
			id,
			createdAt: now,
			updatedAt: now,
			username: input.username,
			displayName: input.displayName,
			role: input.role,
			disabled: false,
			mustChangePassphrase: input.mustChange ?? false,
			emergency: input.emergency ?? false
		};
	}

	private requireManager(actor: UnlockedKeys): void {
		if (actor.user.role !== MANAGER_ROLE) throw new Error('Only an administrator can manage users and keys');
	}

	private requireBag(userId: string): Keybag {
		const bag = this.bag(userId);
		if (!bag) throw new UnknownUserError();
		return bag;
	}
}

const EPOCH = '1970-01-01T00:00:00.000Z';
