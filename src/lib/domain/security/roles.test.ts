import { describe, expect, it } from 'vitest';
import { accessTo, DEFAULT_ROLES, keyScopes, role, roleMatrix, scope, tokenGrant } from './roles';

describe('default role matrix', () => {
	it('keeps the front desk out of clinical notes and billing', () => {
		expect(accessTo(DEFAULT_ROLES, 'front-desk', 'clinical')).toBe('none');
		expect(accessTo(DEFAULT_ROLES, 'front-desk', 'billing')).toBe('none');
		expect(accessTo(DEFAULT_ROLES, 'front-desk', 'schedule')).toBe('write');
		expect(keyScopes(DEFAULT_ROLES, 'front-desk')).not.toContain('clinical');
		expect(keyScopes(DEFAULT_ROLES, 'front-desk')).not.toContain('billing');
	});

	it('lets billing read the schedule without changing it', () => {
		expect(accessTo(DEFAULT_ROLES, 'billing', 'schedule')).toBe('read');
		expect(tokenGrant(DEFAULT_ROLES, 'billing', 'ws-0123456789')).toEqual({
			docs: ['keyring', 'directory', 'schedule/', 'patients/', 'billing/', 'audit/ws-0123456789/'],
			write: ['billing/', 'audit/ws-0123456789/']
		});
	});

	it('lets only administrators write the keyring and read every workstation’s audit log', () => {
		const admin = tokenGrant(DEFAULT_ROLES, 'administrator', 'ws-0123456789');
		expect(admin.write).toContain('keyring');
		expect(admin.docs).toContain('audit/');
		for (const r of role.options.filter((x) => x !== 'administrator')) {
			const g = tokenGrant(DEFAULT_ROLES, r, 'ws-0123456789');
			expect(g.write).not.toContain('keyring');
			expect(g.docs).not.toContain('audit/');
			expect(g.write).toContain('audit/ws-0123456789/');
		}
	});

	it('gives every role the clinic directory and only administrators the audit log', () => {
		for (const r of role.options) {
			expect(accessTo(DEFAULT_ROLES, r, 'directory')).not.toBe('none');
			expect(accessTo(DEFAULT_ROLES, r, 'audit')).toBe(r === 'administrator' ? 'read' : 'none');
		}
		expect(Object.keys(DEFAULT_ROLES.physician).sort()).toEqual([...scope.options].sort());
	});

	it('refuses a configured matrix that locks a role out of the directory', () => {
		expect(roleMatrix.safeParse(DEFAULT_ROLES).success).toBe(true);
		const broken = { ...DEFAULT_ROLES, billing: { ...DEFAULT_ROLES.billing, directory: 'none' } };
		expect(roleMatrix.safeParse(broken).success).toBe(false);
	});
});
