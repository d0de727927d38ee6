/** The app's modules, in navigation order; Alt+1…Alt+7 jump to them. */
export const modules = [
	{ href: '/schedule', label: 'Schedule' },
	{ href: '/patients', label: 'Patients' },
	{ href: '/messages', label: 'Messages' },
	{ href: '/billing', label: 'Billing' },
	{ href: '/inventory', label: 'Inventory' },
	{ href: '/documents', label: 'Documents' },
	{ href: '/admin', label: 'Admin' }
] as const;
