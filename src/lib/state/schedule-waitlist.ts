/**
 * The waitlist: patients waiting for an earlier or any slot. Matching a freed slot against the
 * entries is a pure function (`matchWaitlist`); the writes go through `WaitlistWriter`.
 */
import {
	occupiesSlot,
	localDate,
	localMinutes,
	TIME_OF_DAY,
	weekday,
	type Appointment,
	type AppointmentType
} from '../domain';
import type { WaitlistEntry } from '../domain/schedule/records';
import { waitlistIn } from '../crdt/collections';
import { clock } from './schedule-helpers';
import type { ScheduleStore } from './schedule-store';
import { ScheduleError, type BookingInput, type SlotChange } from './schedule-types';

export interface MatchContext {
	timeZone: string;
	types: readonly Pick<AppointmentType, 'id' | 'durationMinutes' | 'providerIds'>[];
	/** The appointment an entry already holds (to be moved earlier), if it is loaded. */
	held(appointmentId: string): Pick<Appointment, 'start'> | undefined;
}

/**
 * Waiting patients who would take a slot: provider and type fit, preferences match, earliest date
 * passed, and nothing they already hold is as early. Urgent first, then those waiting for the type
 * that was freed, then the longest waiting.
 */
export function matchWaitlist(
	entries: readonly WaitlistEntry[],
	slot: SlotChange,
	ctx: MatchContext,
	freedTypeId?: string
): WaitlistEntry[] {
	const date = localDate(slot.start, ctx.timeZone);
	const minute = localMinutes(slot.start, ctx.timeZone);
	const length = (Date.parse(slot.end) - Date.parse(slot.start)) / 60000;
	const types = new Map(ctx.types.map((t) => [t.id, t]));
	return entries
		.filter((w) => {
			if (w.deletedAt || w.status !== 'waiting') return false;
			if (w.providerId && w.providerId !== slot.providerId) return false;
			const type = types.get(w.typeId);
			if (!type || type.durationMinutes > length) return false;
			if (type.providerIds.length > 0 && !type.providerIds.includes(slot.providerId)) return false;
			if (w.earliest && w.earliest > date) return false;
			if (w.weekdays.length > 0 && !w.weekdays.includes(weekday(date))) return false;
			if (w.timeOfDay !== 'any') {
				const win = TIME_OF_DAY[w.timeOfDay];
				if (minute < clock(win.from) || minute >= clock(win.to)) return false;
			}
			if (w.currentAppointmentId) {
				const held = ctx.held(w.currentAppointmentId);
				if (held && held.start <= slot.start) return false;
			}
			return true;
		})
		.sort(
			(a, b) =>
				(a.priority === 'urgent' ? 0 : 1) - (b.priority === 'urgent' ? 0 : 1) ||
				Number(b.typeId === freedTypeId) - Number(a.typeId === freedTypeId) ||
				a.createdAt.localeCompare(b.createdAt)
		);
}

export type WaitlistInput = Omit<WaitlistEntry, 'id' | 'createdAt' | 'updatedAt' | 'status'>;

export interface WaitlistDeps {
	store: ScheduleStore;
	/** The entries as last read. */
	entries(): readonly WaitlistEntry[];
	book(input: BookingInput): Appointment;
	move(id: string, to: SlotChange, reason?: string): Appointment;
}

export class WaitlistWriter {
	constructor(private readonly deps: WaitlistDeps) {}

	/** `matchWaitlist` over the entries as last read and the loaded appointments. */
	matches(slot: SlotChange, freedTypeId?: string): WaitlistEntry[] {
		const { store } = this.deps;
		const ctx: MatchContext = {
			timeZone: store.timeZone,
			types: store.ws.appointmentTypes,
			held: (id) => store.find(id)
		};
		return matchWaitlist(this.deps.entries(), slot, ctx, freedTypeId);
	}

	add(input: WaitlistInput): WaitlistEntry {
		const { store } = this.deps;
		store.requireWrite();
		const now = new Date().toISOString();
		const entry = waitlistIn(store.common()).insert({
			...input,
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			status: 'waiting'
		});
		store.ws.audit('create', 'waitlist', entry.id);
		store.readCommon();
		return entry;
	}

	update(id: string, patch: Partial<WaitlistEntry>): WaitlistEntry {
		const { store } = this.deps;
		store.requireWrite();
		const updated = waitlistIn(store.common()).update(id, { ...patch, updatedAt: new Date().toISOString() });
		store.ws.audit('change', 'waitlist', id);
		store.readCommon();
		return updated;
	}

	/** Books a waitlisted patient into a slot; their earlier booking (if any) is moved instead. */
	bookFrom(entryId: string, slot: SlotChange): Appointment {
		const { store } = this.deps;
		const entry = this.deps.entries().find((w) => w.id === entryId);
		if (!entry) throw new ScheduleError('That waitlist entry no longer exists');
		const type = store.ws.appointmentTypes.find((t) => t.id === entry.typeId);
		const end = new Date(Date.parse(slot.start) + (type?.durationMinutes ?? 15) * 60000).toISOString();
		const held = entry.currentAppointmentId ? store.find(entry.currentAppointmentId) : undefined;
		const booked =
			held && occupiesSlot(held.status)
				? this.deps.move(held.id, { ...slot, end }, 'Earlier slot from waitlist')
				: this.deps.book({
						patientId: entry.patientId,
						providerId: slot.providerId,
						typeId: entry.typeId,
						start: slot.start,
						end,
						reason: entry.note
					});
		this.update(entryId, { status: 'booked', bookedAppointmentId: booked.id });
		return booked;
	}
}
