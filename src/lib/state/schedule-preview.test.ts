/**
 * The cold-open copy of today's day view: kept sealed for this user, painted read-only before the
 * documents are read, only for the day it was taken of, and replaced by the documents' contents.
 */
import { describe, expect, it } from 'vitest';
import { addDays, localDate } from '../domain';
import { ScheduleState } from './schedule.svelte';
import { at, scheduleWorkspace as setup, TZ } from './schedule-fixtures';

describe('schedule preview (cold-open copy of today)', () => {
	it('paints the last session’s copy of today, read-only, until the documents are read', async () => {
		const { ws, schedule, patient, book } = await setup();
		const today = localDate(new Date(), TZ);
		await schedule.show(today, 'day');
		const a = book(at(0, 9));
		const b = book(at(0, 11));
		await schedule.cacheDay((id) => (id === patient.id ? 'Testerly, Ombra' : '?'));

		// The next session on this workstation (same user): a fresh state, nothing read yet.
		const next = new ScheduleState(ws);
		expect(await next.preview(addDays(today, 1))).toBe(false);
		expect(next.previewing).toBe(false);
		expect(await next.preview(today)).toBe(true);
		expect(next.previewing).toBe(true);
		expect(next.appointments.map((x) => x.id)).toEqual([a.id, b.id]);
		expect(next.previewName(patient.id)).toBe('Testerly, Ombra');

		// A colleague's change made meanwhile reaches the screen when the documents are read.
		schedule.cancel(b.id, 'Patient called');
		await next.show(today);
		expect(next.previewing).toBe(false);
		// Names from the copy stay available until the patient list has loaded (the grid asks).
		expect(next.previewName(patient.id)).toBe('Testerly, Ombra');
		expect(next.find(b.id)?.status).toBe('cancelled');
		expect(next.appointments.map((x) => x.id)).toEqual([a.id, b.id]);
	}, 60_000);

	it('keeps nothing for another day, and shows nothing once the day view has been read', async () => {
		const { ws, schedule, book } = await setup();
		const today = localDate(new Date(), TZ);
		const tomorrow = addDays(today, 1);
		await schedule.show(tomorrow, 'day');
		book(at(1, 9));
		await schedule.cacheDay(() => 'Name');
		const next = new ScheduleState(ws);
		expect(await next.preview(tomorrow)).toBe(false);
		expect(await next.preview(today)).toBe(false);
		await next.show(today);
		expect(await next.preview(today)).toBe(false);
	}, 60_000);
});
