import { render } from 'svelte/server';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Appointment } from '$lib/domain';
import type { Conflict } from '$lib/domain/schedule/conflicts';
import { availabilityTemplate } from '$lib/domain/schedule/availability-schemas';
import { appointmentType, appt, at, canWrite, provider, room, useTestWorkspace } from './test-fixtures';

describe('day and week views (server render)', () => {
	const id = (k: number) => `00000000-0000-4000-9000-${String(k).padStart(12, '0')}`;
	const [P1, P2, T1, R1, R2] = [id(1), id(2), id(3), id(4), id(5)];
	const booking = (start: string, end: string, over: Partial<Appointment> = {}) =>
		appt(at(start), at(end), { providerId: P1, typeId: T1, ...over });

	useTestWorkspace(() => ({
		providers: [
			provider(P1, 'Ada Vell'),
			provider(P2, 'Bo Tran'),
			provider(id(6), 'Old Doc', { active: false })
		],
		rooms: [room(R1, 'Exam 1'), room(R2, 'Storage', { bookable: false })],
		appointmentTypes: [appointmentType(T1)]
	}));

	beforeAll(async () => {
		const { patients } = await import('$lib/state');
		vi.spyOn(patients, 'nameOf').mockImplementation(() => 'Quinn Example');
	});

	async function show(appointments: Appointment[], conflicts: Conflict[] = []) {
		const { schedule } = await import('$lib/state');
		schedule.day = '2026-12-01';
		schedule.from = '2026-11-29';
		schedule.to = '2026-12-06';
		schedule.appointments = appointments;
		schedule.conflicts = conflicts;
		return schedule;
	}

	it('shows one column per active provider, with full accessible names and no withdrawn bookings', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const a = booking('2026-12-01T09:30', '2026-12-01T10:00');
		const gone = booking('2026-12-01T11:00', '2026-12-01T11:30', {
			status: 'cancelled',
			cancelReason: 'Ill'
		});
		await show([a, gone]);
		await canWrite(false);
		const out = render(DayView, { props: {} }).body;
		expect(out.match(/<h2[^>]*>/g)).toHaveLength(2);
		expect(out).toContain('Ada Vell');
		expect(out).not.toContain('Old Doc');
		expect(out.match(/data-testid="appointment"/g)).toHaveLength(1);
		expect(out).toContain(`data-appointment-id="${a.id}"`);
		expect(out).toContain('aria-label="9:30 AM, 30 minutes, Quinn Example, Follow-up visit, Booked"');
		// Read-only: no slots to book, no move help.
		expect(out).not.toContain('data-slot-start');
		expect(out).not.toContain('Keyboard');
		const all = render(DayView, { props: { showCancelled: true } }).body;
		expect(all.match(/data-testid="appointment"/g)).toHaveLength(2);
		expect(all).toContain('data-status="cancelled"');
	});

	it('gives writers one bookable cell (arrow keys move it) and a clickable group of rows per column', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		await show([]);
		await canWrite(true);
		const out = render(DayView, { props: {} }).body;
		// Not a button per slot (48 per provider here): one cell in the whole grid, at 8:00 on a day
		// that is not today, in the first column.
		expect(out.match(/<button[^>]*class="slot cell/g)).toHaveLength(1);
		expect(out.match(/data-slot-start=/g)).toHaveLength(1);
		expect(out).toContain(`data-slot-start="${at('2026-12-01T08:00')}"`);
		expect(out).toContain('aria-label="Book 8:00 AM with Ada Vell"');
		expect(out.match(/role="group" aria-label="Free slots with [^"]*"/g)).toEqual([
			'role="group" aria-label="Free slots with Ada Vell"',
			'role="group" aria-label="Free slots with Bo Tran"'
		]);
		expect(out).toContain(`data-column="${P2}"`);
		expect(out).toContain('Keyboard');
	});

	it('widens the hours to an early appointment and marks conflicts and colleagues', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const { workspace } = await import('$lib/state');
		const a = booking('2026-12-01T06:15', '2026-12-01T06:45');
		const b = booking('2026-12-01T06:30', '2026-12-01T07:00');
		await show(
			[a, b],
			[
				{
					id: 'c',
					kind: 'provider-overlap',
					appointmentIds: [a.id, b.id],
					resourceId: P1,
					start: b.start,
					end: a.end,
					resolved: false
				}
			]
		);
		workspace.sync.peers = [
			{
				clientId: 7,
				user: { id: 'ann-lee', name: 'Ann Lee', color: '#0f766e', deviceId: 'ws-0123456789' },
				view: { screen: 'schedule', recordId: a.id }
			}
		];
		await canWrite(true);
		const out = render(DayView, { props: {} }).body;
		expect(out).toContain('>6 AM<');
		expect(out.match(/data-testid="conflict-marker"/g)).toHaveLength(2);
		expect(out).toContain('Double-booked');
		expect(out.match(/data-testid="appointment-presence"/g)).toHaveLength(1);
		expect(out).toContain('title="Open by Ann Lee"');
		expect(out).toContain('open by Ann Lee"');
		// Overlapping bookings side by side.
		expect(out).toContain('--lanes: 2');
		workspace.sync.peers = [];
	});

	it('draws a compact block as one line, its conflict mark as the button itself', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const a = booking('2026-12-01T09:00', '2026-12-01T09:15');
		const b = booking('2026-12-01T09:00', '2026-12-01T09:15');
		const c = booking('2026-12-01T10:00', '2026-12-01T10:15');
		const overlap = { kind: 'provider-overlap' as const, resourceId: P1, resolved: false };
		await show(
			[a, b, c],
			[{ ...overlap, id: 'c', appointmentIds: [a.id, b.id], start: a.start, end: a.end }]
		);
		await canWrite(true);
		const out = render(DayView, { props: {} }).body;
		expect(out.match(/class="appt [^"]*\bcompact\b/g)).toHaveLength(3);
		expect(out.match(/class="appt [^"]*\bcompact\b[^"]*\bconflicted\b/g)).toHaveLength(2);
		// Two buttons carry the mark (its words are in their names); no element of its own.
		expect(
			out.match(/<button[^>]*data-testid="conflict-marker"[^>]*aria-label="[^"]*Double-booked/g)
		).toBeNull();
		expect(
			out.match(/<button[^>]*aria-label="[^"]*Double-booked"[^>]*data-testid="conflict-marker"/g)
		).toHaveLength(2);
		expect(out.match(/data-testid="conflict-marker"/g)).toHaveLength(2);
		// Time and name on one line with no element around the name.
		expect(out).toMatch(/<span class="time[^"]*">9:00 AM<\/span> Quinn Example(<!--[^>]*-->)*<\/button>/);
		expect(out).not.toContain('class="patient"');
	});

	it("shades the hours outside a provider's template, and only for that provider", async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const { schedule } = await import('$lib/state');
		await show([booking('2026-12-01T09:00', '2026-12-01T09:30')]);
		await canWrite(true);
		schedule.templates = [
			availabilityTemplate.parse({
				id: id(50),
				createdAt: '2026-11-20T15:00:00.000Z',
				updatedAt: '2026-11-20T15:00:00.000Z',
				providerId: P1,
				effectiveFrom: '2026-01-01',
				// 2026-12-01 is a Tuesday.
				days: [
					{
						weekday: 2,
						intervals: [{ from: '09:00', to: '17:00' }],
						breaks: [{ from: '12:00', to: '13:00' }]
					}
				]
			})
		];
		try {
			const out = render(DayView, { props: {} }).body;
			// Ada Vell: before 9 and after 5 off, a lunch break; Bo Tran has no hours entered: no shading.
			expect(out.match(/class="shade off/g)).toHaveLength(2);
			expect(out.match(/class="shade break/g)).toHaveLength(1);
		} finally {
			schedule.templates = [];
		}
	});

	it('shows rooms and a "No room" column in rooms mode', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		await show([
			booking('2026-12-01T09:00', '2026-12-01T09:30', { roomId: R1 }),
			booking('2026-12-01T10:00', '2026-12-01T10:30')
		]);
		await canWrite(true);
		const out = render(DayView, { props: { mode: 'rooms' } }).body;
		expect(out).toContain('Exam 1');
		expect(out).not.toContain('Storage');
		expect(out).toContain('No room');
		expect(out).toContain(`data-column="${R1}"`);
		expect(out).toContain('aria-label="Book 8:00 AM in Exam 1"');
	});

	it('shows a week of one provider in seven day columns', async () => {
		const { default: WeekView } = await import('./WeekView.svelte');
		await show([
			booking('2026-12-01T09:00', '2026-12-01T09:30'),
			booking('2026-12-03T09:00', '2026-12-03T09:30'),
			booking('2026-12-03T09:00', '2026-12-03T09:30', { providerId: P2 })
		]);
		await canWrite(true);
		const out = render(WeekView, { props: { providerId: P1 } }).body;
		expect(out.match(/<h2[^>]*>/g)).toHaveLength(7);
		expect(out).toContain('Tue, 12/1');
		expect(out.match(/data-testid="appointment"/g)).toHaveLength(2);
		expect(out).toContain('aria-label="Book 8:00 AM on Sunday, November 29"');
		expect(out).toContain('Week of Sunday, November 29 for Ada Vell');
	});

	// How fast is bench/day-view.bench.ts's business (timings never go into tests); this checks the
	// packed day renders whole.
	it('renders 5 providers × 40 appointments, overlapping ones side by side', async () => {
		const { default: DayView } = await import('./DayView.svelte');
		const { workspace } = await import('$lib/state');
		const saved = workspace.providers;
		const ids = [1, 2, 3, 4, 5].map((k) => id(100 + k));
		workspace.providers = ids.map((pid, k) => provider(pid, `Doc ${'ABCDE'[k]}`));
		const list: Appointment[] = [];
		for (const pid of ids)
			for (let i = 0; i < 40; i++) {
				const start = Date.parse(at('2026-12-01T07:00')) + i * 15 * 60000;
				list.push(
					appt(
						new Date(start).toISOString(),
						new Date(start + (i % 3 === 0 ? 45 : 15) * 60000).toISOString(),
						{
							providerId: pid,
							typeId: T1
						}
					)
				);
			}
		await show(list);
		await canWrite(true);
		const out = render(DayView, { props: {} }).body;
		expect(out.match(/data-testid="appointment"/g)).toHaveLength(200);
		expect(out.match(/<button[^>]*class="body/g)).toHaveLength(200);
		expect(out).toContain('--lanes: 2');
		workspace.providers = saved;
	});
});
