/**
 * The role matrix at rest: each role's users hold exactly the scope keys their role allows, and
 * without a scope's key the raw IndexedDB records of that scope do not decrypt. Accounts are
 * created once (PBKDF2 at 600,000 iterations is deliberately slow) and shared by the tests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	DEFAULT_ROLES,
	role as roleEnum,
	scope as scopeEnum,
	type Role,
	type Scope
} from '../domain/security/roles';
import { recordAad, unseal } from './crypto';
import {
	DisabledUserError,
	Keyring,
	UnknownUserError,
	WrongPassphraseError,
	type UnlockedKeys
} from './keyring';
import { openKeybag, unwrapScopeKey } from './keywrap';
import { fixture, openTab, readRaw, type Fixture } from './test-support';

const PASS = 'staff passphrase one';
const docFor: Record<Exclude<Scope, 'audit'>, string> = {
	directory: 'directory',
	schedule: 'schedule/2026-11',
	patients: 'patients/a',
	clinical: 'clinical/2026-11',
	billing: 'billing/2026-11',
	inventory: 'inventory',
	comms: 'comms/2026-11'
};

let keyring: Keyring;
let admin: UnlockedKeys;
const unlocked = new Map<Role, UnlockedKeys>();
let f: Fixture;

beforeAll(async () => {
	keyring = new Keyring(new Y.Doc());
	admin = await keyring.bootstrap({ displayName: 'Ada Admin', username: 'ada', passphrase: PASS });
	unlocked.set('administrator', admin);
	for (const r of roleEnum.options.filter((x) => x !== 'administrator')) {
		await keyring.addUser(admin, {
			displayName: `Staff ${r.replace(/-/g, ' ')}`,
			username: r,
			role: r,
			passphrase: PASS
		});
		unlocked.set(r, await keyring.unlock(r, PASS));
	}
	// Every scope's document written by the administrator, sealed with that scope's key.
	f = await fixture();
	for (const [s, name] of Object.entries(docFor) as [Scope, string][]) {
		const [key] = admin.scopes.get(s)!;
		const tab = await openTab({ ...f, key: key! }, name);
		tab.doc.getMap('canary').set('value', `CANARY-${s}`);
		await tab.store.flush();
	}
}, 120_000);

async function decrypts(keys: UnlockedKeys, s: Scope): Promise<boolean> {
	const rows = await readRaw(f.idb, docFor[s as Exclude<Scope, 'audit'>]);
	expect(rows.length).toBeGreaterThan(0);
	// Try every key this user holds, not only the scope's own: none may open another scope's data.
	for (const versions of keys.scopes.values()) {
		for (const key of versions) {
			try {
				await unseal(key, rows[0]!.value, recordAad(rows[0]!.value.doc));
				return true;
			} catch {
				// not this key
			}
		}
	}
	return false;
}

describe('keys per role', () => {
	it('gives each role the keys of exactly the scopes it may use (administrators hold all)', () => {
		for (const r of roleEnum.options) {
			const held = [...unlocked.get(r)!.scopes.keys()].sort();
			const expected = scopeEnum.options
				.filter((s) => s !== 'audit' && (r === 'administrator' || DEFAULT_ROLES[r][s] !== 'none'))
				.sort();
			expect(held, r).toEqual(expected);
		}
	});

	it('decrypts the raw IndexedDB records of a scope only with that scope’s key', async () => {
		for (const r of roleEnum.options) {
			for (const s of Object.keys(docFor) as Scope[]) {
				const allowed = r === 'administrator' || DEFAULT_ROLES[r][s] !== 'none';
				expect(await decrypts(unlocked.get(r)!, s), `${r} → ${s}`).toBe(allowed);
			}
		}
	});

	it('holds every unwrapped key non-extractable', async () => {
		for (const keys of unlocked.values()) {
			expect(keys.privateKey.extractable).toBe(false);
			for (const versions of keys.scopes.values())
				for (const k of versions) expect(k.extractable).toBe(false);
		}
		const [k] = unlocked.get('front-desk')!.scopes.get('patients')!;
		await expect(crypto.subtle.exportKey('raw', k!)).rejects.toThrow();
	});

	it('keeps nothing readable in the keyring but names, roles and wrapped keys', () => {
		const json = JSON.stringify(keyring.doc.toJSON());
		expect(json).not.toContain(PASS);
		expect(json).not.toContain('CANARY');
	});
});

describe('unlocking', () => {
	it('refuses a wrong passphrase, an unknown user and a disabled account', async () => {
		await expect(keyring.unlock('front-desk', 'not the passphrase')).rejects.toBeInstanceOf(
			WrongPassphraseError
		);
		await expect(keyring.unlock('nobody', PASS)).rejects.toBeInstanceOf(UnknownUserError);
		const biller = keyring.byUsername('billing')!;
		keyring.setDisabled(admin, biller.id, true);
		await expect(keyring.unlock('billing', PASS)).rejects.toBeInstanceOf(DisabledUserError);
		keyring.setDisabled(admin, biller.id, false);
		await expect(keyring.unlock('billing', PASS)).resolves.toBeDefined();
	});

	it('only lets administrators manage accounts', async () => {
		const fd = unlocked.get('front-desk')!;
		await expect(
			keyring.addUser(fd, {
				displayName: 'Eve Intruder',
				username: 'eve',
				role: 'administrator',
				passphrase: PASS
			})
		).rejects.toThrow(/administrator/);
		expect(() => keyring.setDisabled(admin, admin.user.id, true)).toThrow(/own account/);
	});
});

describe('role change, passphrase change and rotation', () => {
	it('grants and withdraws scope keys when a role changes', async () => {
		const fd = keyring.byUsername('front-desk')!;
		await keyring.setRole(admin, fd.id, 'billing');
		const asBilling = await keyring.unlock('front-desk', PASS);
		expect(asBilling.scopes.has('billing')).toBe(true);
		expect(asBilling.scopes.has('comms')).toBe(false);
		expect(await decrypts(asBilling, 'billing')).toBe(true);
		await keyring.setRole(admin, fd.id, 'front-desk');
		const back = await keyring.unlock('front-desk', PASS);
		expect(back.scopes.has('billing')).toBe(false);
	});

	it('changes a passphrase without losing keys, and a reset gives a new key pair', async () => {
		const sec = keyring.byUsername('medical-secretary')!;
		await keyring.changePassphrase(sec.id, PASS, 'a second passphrase');
		await expect(keyring.unlock('medical-secretary', PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
		const after = await keyring.unlock('medical-secretary', 'a second passphrase');
		expect(await decrypts(after, 'clinical')).toBe(true);

		const before = keyring.bag(sec.id)!.publicKey;
		await keyring.resetPassphrase(admin, sec.id, 'temporary passphrase');
		expect(keyring.bag(sec.id)!.publicKey).not.toBe(before);
		expect(keyring.user(sec.id)!.mustChangePassphrase).toBe(true);
		const reset = await keyring.unlock('medical-secretary', 'temporary passphrase');
		expect(await decrypts(reset, 'clinical')).toBe(true);
	});

	it('rotates a scope key: holders get the new version first and keep reading old data', async () => {
		const version = await keyring.rotateScope(admin, 'billing');
		expect(version).toBe(2);
		expect(keyring.policy().keyVersions.billing).toBe(2);
		const biller = await keyring.unlock('billing', PASS);
		const versions = biller.scopes.get('billing')!;
		expect(versions).toHaveLength(2);
		expect(await decrypts(biller, 'billing')).toBe(true);
		// The new key is a different key: it does not open data sealed before the rotation.
		const rows = await readRaw(f.idb, docFor.billing);
		await expect(unseal(versions[0]!, rows[0]!.value, recordAad(docFor.billing))).rejects.toThrow();
		// Someone without the scope got nothing.
		const bag = keyring.bag(keyring.byUsername('front-desk')!.id)!;
		expect(bag.keys.billing).toBeUndefined();
		const opened = await openKeybag(keyring.bag(biller.user.id)!, PASS);
		await expect(
			unwrapScopeKey(keyring.bag(biller.user.id)!.keys.billing![0]!, opened.privateKey)
		).resolves.toBeDefined();
	});

	it('removes an account: no keys left, cannot unlock, and every scope it held is rotated', async () => {
		const manager = keyring.byUsername('office-manager')!;
		const before = keyring.policy().keyVersions;
		const rotated = await keyring.removeUser(admin, manager.id);
		expect(rotated.sort()).toEqual(['directory', 'inventory', 'schedule']);
		expect(keyring.policy().keyVersions.inventory).toBe((before.inventory ?? 1) + 1);
		expect(keyring.bag(manager.id)!.keys).toEqual({});
		expect(keyring.byUsername('office-manager')).toBeUndefined();
		await expect(keyring.unlock('office-manager', PASS)).rejects.toBeInstanceOf(UnknownUserError);
		// The others who hold the rotated scopes got the new version.
		const fd = await keyring.unlock('front-desk', PASS);
		expect(fd.scopes.get('schedule')).toHaveLength(2);
		await expect(keyring.removeUser(admin, admin.user.id)).rejects.toThrow(/own account/);
	});
});
