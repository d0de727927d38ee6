/**
 * Who may read and write which part of the clinic's data. A permission scope is a kind of document
 * (crdt/layout.ts), so the same matrix decides which documents a workstation opens, which data keys a
 * user's passphrase unwraps, and which document prefixes the user's relay token grants.
 * Clinics may change the matrix; this is the default a medical office would expect.
 */
import { z } from 'zod';

export const role = z.enum([
	'front-desk',
	'billing',
	'medical-secretary',
	'physician',
	'office-manager',
	'administrator'
]);
export type Role = z.infer<typeof role>;

export const scope = z.enum([
	'directory',
	'schedule',
	'patients',
	'clinical',
	'billing',
	'inventory',
	'comms',
	'audit'
]);
export type Scope = z.infer<typeof scope>;

export type Access = 'none' | 'read' | 'write';

export type RoleMatrix = Record<Role, Record<Scope, Access>>;

const row = (r: Partial<Record<Scope, Access>>): Record<Scope, Access> => ({
	directory: 'read',
	schedule: 'none',
	patients: 'none',
	clinical: 'none',
	billing: 'none',
	inventory: 'none',
	comms: 'none',
	audit: 'none',
	...r
});

export const DEFAULT_ROLES: RoleMatrix = {
	'front-desk': row({ schedule: 'write', patients: 'write', comms: 'write' }),
	billing: row({ schedule: 'read', patients: 'read', billing: 'write' }),
	'medical-secretary': row({ schedule: 'write', patients: 'write', clinical: 'write', comms: 'write' }),
	physician: row({ schedule: 'read', patients: 'write', clinical: 'write', comms: 'write' }),
	'office-manager': row({ schedule: 'read', inventory: 'write' }),
	administrator: row({
		directory: 'write',
		schedule: 'write',
		patients: 'write',
		clinical: 'read',
		billing: 'read',
		inventory: 'write',
		comms: 'write',
		audit: 'read'
	})
};

export function accessTo(matrix: RoleMatrix, r: Role, s: Scope): Access {
	return matrix[r][s];
}

/** Every role's matrix row must read the directory: it holds the clinic, providers and rooms. */
export const roleMatrix = z
	.record(role, z.record(scope, z.enum(['none', 'read', 'write'])))
	.refine((m) => role.options.every((r) => m[r] && m[r].directory !== 'none'), {
		message: 'Every role must at least read the directory'
	});

/** The role that manages users, keys and the matrix itself; it always holds every scope key. */
export const MANAGER_ROLE: Role = 'administrator';

export const ROLE_LABELS: Record<Role, string> = {
	'front-desk': 'Front desk',
	billing: 'Billing',
	'medical-secretary': 'Medical secretary / transcriptionist',
	physician: 'Physician',
	'office-manager': 'Office manager',
	administrator: 'Administrator'
};

/** The scopes whose data keys a role's users hold. */
export function keyScopes(matrix: RoleMatrix, r: Role): Scope[] {
	return scope.options.filter((s) => s !== 'audit' && (r === MANAGER_ROLE || matrix[r][s] !== 'none'));
}

export interface TokenGrant {
	docs: string[];
	write: string[];
}

const prefixOf = (s: Scope): string => (s === 'directory' || s === 'inventory' ? s : `${s}/`);

/**
 * What a user's relay token grants: every scope the role reads, writes where it writes; the keyring
 * (users and wrapped keys, safe to read) for everyone and writable only by administrators; each
 * workstation appends to its own audit log, and roles that read the audit log read every device's.
 */
export function tokenGrant(matrix: RoleMatrix, r: Role, deviceId: string): TokenGrant {
	const out: TokenGrant = { docs: ['keyring'], write: [] };
	if (r === MANAGER_ROLE) out.write.push('keyring');
	for (const s of scope.options) {
		const a = matrix[r][s];
		if (s === 'audit') continue;
		if (a === 'none') continue;
		out.docs.push(prefixOf(s));
		if (a === 'write') out.write.push(prefixOf(s));
	}
	const ownLog = `audit/${deviceId}/`;
	out.docs.push(matrix[r].audit === 'none' ? ownLog : 'audit/');
	out.write.push(ownLog);
	return out;
}
