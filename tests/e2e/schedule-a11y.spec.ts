/**
 * axe-core over every schedule screen of the demo clinic: day (by provider and by room), week, month,
 * agenda, flow board, conflicts, waitlist, the booking dialog, Admin → Scheduling and the day sheet.
 * Serious and critical violations fail the test (minor and moderate ones are listed in the output).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, openDemo, showBusyDay, test } from './fixtures';

async function serious(page: Page, where: string): Promise<string[]> {
	const result = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
		.analyze();
	const found = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	for (const v of result.violations)
		if (!found.includes(v)) console.log(`${where}: ${v.impact} ${v.id} (${v.nodes.length})`);
	return found.map((v) => `${where}: ${v.id} — ${v.help} — ${v.nodes[0]?.target.join(' ')}`);
}

test('schedule screens have no serious or critical accessibility violations', async ({ page }) => {
	test.setTimeout(180_000);
	await openDemo(page);
	await showBusyDay(page);
	const problems: string[] = [];
	problems.push(...(await serious(page, 'day')));
	await page.getByRole('checkbox', { name: 'By room' }).check();
	problems.push(...(await serious(page, 'day by room')));
	await page.getByRole('checkbox', { name: 'By room' }).uncheck();
	for (const view of ['week', 'month', 'agenda', 'flow', 'conflicts', 'waitlist']) {
		await page.getByTestId(`view-${view}`).click();
		await expect(page.getByTestId(`view-${view}`)).toHaveAttribute('aria-pressed', 'true');
		problems.push(...(await serious(page, view)));
	}
	await page.getByTestId('view-day').click();
	await showBusyDay(page);
	await page.getByTestId('new-appointment').click();
	await expect(page.getByTestId('booking-dialog')).toBeVisible();
	problems.push(...(await serious(page, 'booking dialog')));
	await page.keyboard.press('Escape');
	await page.getByTestId('appointment').first().getByRole('button').first().click();
	await expect(page.getByTestId('booking-dialog')).toBeVisible();
	problems.push(...(await serious(page, 'appointment dialog')));
	await page.keyboard.press('Escape');
	await page.getByRole('button', { name: 'Print day sheet' }).click();
	await expect(page.getByTestId('day-sheet')).toBeVisible();
	problems.push(...(await serious(page, 'day sheet')));
	await page.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name: 'Admin' }).click();
	await page.getByRole('link', { name: /Scheduling/ }).click();
	await expect(page.getByRole('heading', { name: /Appointment types/ })).toBeVisible();
	problems.push(...(await serious(page, 'admin scheduling')));
	expect(problems).toEqual([]);
});
