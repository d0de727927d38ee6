import type { Scope } from '$lib/domain/security/roles';

/**
 * The app's modules, in navigation order; Alt+1…Alt+7 jump to them. A module is shown to a user
 * whose role reads its scope; `admin` is for administrators only.
 */
type ModuleHref =
	'/schedule' | '/patients' | '/messages' | '/billing' | '/inventory' | '/documents' | '/admin';

export const modules: readonly { href: ModuleHref; label: string; scope: Scope | 'admin' }[] = [
	{ href: '/schedule', label: 'Schedule', scope: 'schedule' },
	{ href: '/patients', label: 'Patients', scope: 'patients' },
	{ href: '/messages', label: 'Messages', scope: 'comms' },
	{ href: '/billing', label: 'Billing', scope: 'billing' },
	{ href: '/inventory', label: 'Inventory', scope: 'inventory' },
	{ href: '/documents', label: 'Documents', scope: 'clinical' },
	{ href: '/admin', label: 'Admin', scope: 'admin' }
];
