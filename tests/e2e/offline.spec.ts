import { expect, openDemo, showBusyDay, test, unlock, waitForServiceWorker } from './fixtures';

test('the installed app reopens offline with the demo clinic from local storage', async ({
	page,
	context
}) => {
	await openDemo(page);
	await showBusyDay(page);
	const appointments = page.getByTestId('appointment');
	await expect(appointments.first()).toBeVisible();
	const countOnline = await appointments.count();
	await waitForServiceWorker(page);

	await context.setOffline(true);
	await page.reload();
	// A reload starts a new session; unlocking needs no network (the keys are wrapped locally).
	await unlock(page);
	await expect(page.getByTestId('clinic-name')).toContainText('(demo)');
	await expect(page.getByTestId('net-status')).toContainText('Offline');
	await showBusyDay(page);
	await expect(appointments.first()).toBeVisible();
	expect(await appointments.count()).toBe(countOnline);

	// Navigation works offline too, both within the app and by full page load of a deep link.
	await page.getByRole('link', { name: 'Patients' }).click();
	await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
	await expect(page.getByRole('row')).not.toHaveCount(1);
	await page.goto('/admin');
	await unlock(page);
	await expect(page.getByRole('heading', { name: 'Admin', exact: true })).toBeVisible();
	await expect(page.getByText('All records read back valid')).toBeVisible();
	await context.setOffline(false);
});
