/**
 * Today's day view from the sealed copy of the last session (persistence/view-cache), painted at
 * once on a cold open while the schedule's documents are still being read — for a large clinic
 * that reading takes seconds. The copy is only ever shown for the day it was taken of, read-only,
 * and replaced by the documents' own contents as soon as they are loaded.
 */
import { z } from 'zod';
import { appointment, isoDate, isoDateTime, type Appointment } from '../domain';
import type { WorkspaceState } from './workspace.svelte';

/** The slot's screen word (an id-like word: slot names never hold PHI). */
const SCREEN = 'schedule-day';

const dayCopy = z.object({
	v: z.literal(1),
	day: isoDate,
	timeZone: z.string().min(1).max(64),
	savedAt: isoDateTime,
	appointments: z.array(appointment).max(2_000),
	/** Patient id → name as the day view shows it. */
	names: z.record(z.string().max(64), z.string().max(300))
});
export type DayCopy = z.output<typeof dayCopy>;

/** The copy of `day`, if this user has one for it in this time zone. */
export async function readDayCopy(
	ws: WorkspaceState,
	day: string,
	timeZone: string
): Promise<DayCopy | null> {
	if (!ws.can('schedule') || !ws.can('patients')) return null;
	const parsed = dayCopy.safeParse(await ws.loadView(SCREEN));
	if (!parsed.success || parsed.data.day !== day || parsed.data.timeZone !== timeZone) return null;
	return parsed.data;
}

/** Keeps the day view's appointments and the names on them for the next cold open. */
export async function writeDayCopy(
	ws: WorkspaceState,
	copy: { day: string; timeZone: string; appointments: readonly Appointment[] },
	nameOf: (patientId: string) => string
): Promise<void> {
	if (!ws.can('schedule') || !ws.can('patients')) return;
	const names: Record<string, string> = {};
	for (const a of copy.appointments) names[a.patientId] = nameOf(a.patientId);
	await ws.saveView(SCREEN, {
		v: 1,
		day: copy.day,
		timeZone: copy.timeZone,
		savedAt: new Date().toISOString(),
		appointments: [...copy.appointments],
		names
	} satisfies z.input<typeof dayCopy>);
}

/** Resolves after the next frame has been painted (at once where there are no frames). */
export function afterPaint(): Promise<void> {
	if (typeof requestAnimationFrame === 'undefined') return Promise.resolve();
	return new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
}
