/**
 * The relay's view of the `keyring` document (staff accounts, keybags, security policy), read
 * straight from the Yjs maps because the relay may not import the CRDT layer. Each collection is a
 * top-level Y.Map keyed by record id whose values are nested Y.Maps of fields (crdt/codec.ts);
 * records that fail the domain schema, whose key differs from their id, or that are deleted are
 * ignored, as the app ignores them.
 */
import * as Y from 'yjs';
import type { z } from 'zod';
import {
	keybag,
	securityPolicy,
	staffUser,
	type Keybag,
	type SecurityPolicy,
	type StaffUser
} from '../src/lib/domain/security/users';

export const KEYRING_DOC = 'keyring';

/** The fields of a keybag a passphrase change may set; everything else must stay as it is. */
export const PASSPHRASE_FIELDS = ['salt', 'iterations', 'verifier', 'privateKey', 'updatedAt'] as const;

const DEFAULT_POLICY_ID = '00000000-0000-4000-8000-000000000000';
const EPOCH = '1970-01-01T00:00:00.000Z';

export interface KeyringView {
	users: StaffUser[];
	userById(id: string): StaffUser | undefined;
	/** Users with this login name (normally one; two workstations may have added the same name). */
	byUsername(username: string): StaffUser[];
	bag(userId: string): Keybag | undefined;
	policy: SecurityPolicy;
}

/** A top-level map, or null when the name holds another kind of shared type (a malformed doc). */
function collection(doc: Y.Doc, name: string): Y.Map<unknown> | null {
	try {
		return doc.getMap(name);
	} catch {
		return null;
	}
}

function records<T extends { id: string; deletedAt?: string }>(
	doc: Y.Doc,
	name: string,
	schema: z.ZodType<T>
): Map<string, T> {
	const out = new Map<string, T>();
	collection(doc, name)?.forEach((value, id) => {
		if (!(value instanceof Y.Map)) return;
		const parsed = schema.safeParse(value.toJSON());
		if (!parsed.success || parsed.data.id !== id || parsed.data.deletedAt) return;
		out.set(id, parsed.data);
	});
	return out;
}

export function readKeyring(doc: Y.Doc): KeyringView {
	const users = records(doc, 'users', staffUser);
	const bags = records(doc, 'keybags', keybag);
	const policies = [...records(doc, 'policy', securityPolicy).values()].sort((a, b) =>
		a.id < b.id ? -1 : a.id > b.id ? 1 : 0
	);
	const policy = policies[0] ?? securityPolicy.parse({ id: DEFAULT_POLICY_ID, updatedAt: EPOCH });
	const list = [...users.values()].sort(
		(a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)
	);
	return {
		users: list,
		userById: (id) => users.get(id),
		byUsername: (username) => list.filter((u) => u.username === username),
		bag: (userId) => bags.get(userId),
		policy
	};
}

/** JSON with object keys sorted, so two equal values compare equal whatever order they were built in. */
export function canonical(value: unknown): string {
	return JSON.stringify(value, (_key, v: unknown) =>
		v && typeof v === 'object' && !Array.isArray(v)
			? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
			: v
	);
}

/** Whether `next` differs from `current` only in the fields a passphrase change may set. */
export function onlyPassphraseChanged(current: Keybag, next: Keybag): boolean {
	const strip = (bag: Keybag) => {
		const copy: Record<string, unknown> = { ...bag };
		for (const f of PASSPHRASE_FIELDS) delete copy[f];
		return canonical(copy);
	};
	return strip(current) === strip(next);
}

/**
 * Writes a passphrase change into the keyring in one transaction with `origin`: the keybag's
 * changed passphrase fields, and the user's `mustChangePassphrase: false` and `updatedAt`. Only
 * fields whose value differs are set, so concurrent edits to other fields are kept.
 */
export function writePassphraseChange(doc: Y.Doc, next: Keybag, now: string, origin: unknown): void {
	const bagMap = collection(doc, 'keybags')?.get(next.id);
	const userMap = collection(doc, 'users')?.get(next.id);
	if (!(bagMap instanceof Y.Map) || !(userMap instanceof Y.Map)) throw new Error('keyring record missing');
	doc.transact(() => {
		for (const field of PASSPHRASE_FIELDS) {
			const value = JSON.parse(JSON.stringify(next[field])) as unknown;
			if (canonical(bagMap.get(field)) !== canonical(value)) bagMap.set(field, value);
		}
		if (userMap.get('mustChangePassphrase') !== false) userMap.set('mustChangePassphrase', false);
		userMap.set('updatedAt', now);
	}, origin);
}
