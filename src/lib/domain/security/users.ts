/**
 * The clinic's staff accounts, their wrapped keys and the security policy. These live in the
 * `keyring` document, which every workstation can read before anyone logs in (it is sealed with the
 * device key, not a scope key) and which the relay reads to log users in. Nothing here is PHI:
 * staff names, roles, public keys, salts, wrapped (encrypted) keys and a verifier.
 */
import { z } from 'zod';
import { isoDateTime, recordBase } from '../common/primitives';
import { DEFAULT_ROLES, role, roleMatrix, scope } from './roles';

export const MIN_ITERATIONS = 600_000;
export const MIN_PASSPHRASE = 10;

/** Login names: lower-case letters, digits, dots, dashes; typed at the lock screen and the relay. */
export const username = z
	.string()
	.trim()
	.toLowerCase()
	.regex(
		/^[a-z][a-z0-9.-]{1,31}$/,
		'Use 2–32 lower-case letters, digits, dots or dashes, starting with a letter'
	);

/** Staff names are shown in presence and audit views, so they may not look like anything else. */
export const staffName = z
	.string()
	.trim()
	.min(1, 'Required')
	.max(60)
	.regex(/^[^\d@]+$/, 'A staff name has no digits or @');

export const staffUser = recordBase.extend({
	username,
	displayName: staffName,
	role,
	disabled: z.boolean().default(false),
	/** Set when an administrator chose the passphrase: the user picks their own at next login. */
	mustChangePassphrase: z.boolean().default(false),
	/**
	 * A sealed emergency ("break-glass") account: its use shows a banner, is audited as emergency
	 * access and is listed for review.
	 */
	emergency: z.boolean().default(false)
});
export type StaffUser = z.infer<typeof staffUser>;

const b64 = z.base64().max(8192);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** A scope data key wrapped (RSA-OAEP) to a user's public key, with its version. */
export const wrappedScopeKey = z.object({ version: z.number().int().min(1), wrapped: b64 });
export type WrappedScopeKey = z.infer<typeof wrappedScopeKey>;

/**
 * One user's key material. The passphrase derives (PBKDF2-SHA256 → HKDF) a wrapping key and an
 * authentication key; the wrapping key seals the user's RSA private key, the SHA-256 of the
 * authentication key is what the relay compares at login. Scope keys are wrapped to the public key,
 * so an administrator can grant a scope without knowing the user's passphrase.
 */
export const keybag = z.object({
	id: z.uuid(),
	updatedAt: isoDateTime,
	kdf: z.literal('PBKDF2-SHA256'),
	iterations: z.number().int().min(MIN_ITERATIONS),
	salt: b64,
	verifier: hex64,
	publicKey: b64,
	privateKey: z.object({ iv: b64, sealed: b64 }),
	/** Per scope, every version the user holds, newest first (older ones read not-yet-rewritten data). */
	keys: z.partialRecord(scope, z.array(wrappedScopeKey).min(1).max(32))
});
export type Keybag = z.infer<typeof keybag>;

export const securityPolicy = z.object({
	id: z.uuid(),
	updatedAt: isoDateTime,
	/** Automatic logoff after this much inactivity. */
	idleMinutes: z.number().int().min(1).max(240).default(10),
	/** Absolute session cap, however active the user is. */
	sessionHours: z.number().int().min(1).max(24).default(12),
	/** Failed passphrases on one workstation before it makes the user wait. */
	maxFailures: z.number().int().min(3).max(20).default(5),
	roles: roleMatrix.default(DEFAULT_ROLES),
	/** Current version of each scope's data key (raised by rotation). */
	keyVersions: z.partialRecord(scope, z.number().int().min(1)).default({})
});
export type SecurityPolicy = z.infer<typeof securityPolicy>;

export function passphraseProblem(
	p: string,
	user?: Pick<StaffUser, 'username' | 'displayName'>
): string | null {
	if (p.length < MIN_PASSPHRASE) return `Use at least ${MIN_PASSPHRASE} characters (a few words is best)`;
	if (p.length > 256) return 'Use at most 256 characters';
	if (user && p.toLowerCase().includes(user.username)) return 'Do not include your login name';
	if (new Set(p).size < 4) return 'Use more varied characters';
	return null;
}

/** How long the lock screen makes a user wait after `failures` wrong passphrases in a row. */
export function lockoutSeconds(failures: number, maxFailures: number): number {
	if (failures < maxFailures) return 0;
	return Math.min(15 * 60, 30 * 2 ** (failures - maxFailures));
}
