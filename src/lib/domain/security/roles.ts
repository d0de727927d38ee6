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

/** Document prefixes for a relay token: every scope the role can read, split by read and write. */
export function tokenDocs(matrix: RoleMatrix, r: Role): { read: string[]; write: string[] } {
	const out = { read: [] as string[], write: [] as string[] };
	for (const s of scope.options) {
		const a = matrix[r][s];
		if (a === 'none') continue;
		const prefix = s === 'directory' || s === 'inventory' ? s : `${s}/`;
		out[a].push(prefix);
	}
	return out;
}
