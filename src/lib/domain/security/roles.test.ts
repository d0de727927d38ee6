import { describe, expect, it } from 'vitest';
import { accessTo, DEFAULT_ROLES, role, scope, tokenDocs } from './roles';

describe('default role matrix', () => {
	it('keeps the front desk out of clinical notes and billing', () => {
		expect(accessTo(DEFAULT_ROLES, 'front-desk', 'clinical')).toBe('none');
		expect(accessTo(DEFAULT_ROLES, 'front-desk', 'billing')).toBe('none');
		expect(accessTo(DEFAULT_ROLES, 'front-desk', 'schedule')).toBe('write');
	});

	it('lets billing read the schedule without changing it', () => {
		expect(accessTo(DEFAULT_ROLES, 'billing', 'schedule')).toBe('read');
		expect(tokenDocs(DEFAULT_ROLES, 'billing')).toEqual({
			read: ['directory', 'schedule/', 'patients/'],
			write: ['billing/']
		});
	});

	it('gives every role the clinic directory and only administrators the audit log', () => {
		for (const r of role.options) {
			expect(accessTo(DEFAULT_ROLES, r, 'directory')).not.toBe('none');
			expect(accessTo(DEFAULT_ROLES, r, 'audit')).toBe(r === 'administrator' ? 'read' : 'none');
		}
		expect(Object.keys(DEFAULT_ROLES.physician).sort()).toEqual([...scope.options].sort());
	});
});
