/**
 * Provider hours, time off and appointment types: their writes, and the rules (hours, breaks,
 * daily maximums) built from them for shading the grid and checking bookings.
 */
import {
	SlotFinder,
	type AppointmentType,
	type AvailabilityException,
	type AvailabilityTemplate
} from '../domain';
import { conflictRulesFrom, type ConflictRulesSource } from '../domain/schedule/rules';
import { appointmentTypesIn, availabilityExceptionsIn, availabilityTemplatesIn } from '../crdt/collections';
import { directoryDoc } from '../crdt/layout';
import type { ScheduleStore } from './schedule-store';
import { ScheduleError, type HoursSpan } from './schedule-types';

export type Rules = ReturnType<typeof conflictRulesFrom>;

/** The rules for one snapshot of templates, exceptions, types and zone, built again only when one changes. */
export class RulesCache {
	private cache: { key: unknown[]; rules: Rules } | null = null;

	get(
		timeZone: string,
		templates: ConflictRulesSource['templates'],
		exceptions: ConflictRulesSource['exceptions'],
		types: ConflictRulesSource['types']
	): Rules {
		const key = [templates, exceptions, types, timeZone];
		if (this.cache && this.cache.key.every((k, i) => k === key[i])) return this.cache.rules;
		const rules = conflictRulesFrom({ timeZone, templates, exceptions, types });
		this.cache = { key, rules };
		return rules;
	}

	clear(): void {
		this.cache = null;
	}
}

/** Working intervals and breaks of a provider on a date, as instants (none when unknown or closed). */
export function hoursFrom(rules: Rules, providerId: string, date: string): HoursSpan[] {
	const day = rules.day(providerId, date);
	if (!day) return [];
	const out: HoursSpan[] = [];
	for (const h of day.hours) out.push({ ...h, kind: 'work' });
	for (const b of day.breaks) out.push({ ...b, kind: 'break' });
	return out;
}

/** The name of a clinic-wide holiday on a date. */
export function holidayName(exceptions: readonly AvailabilityException[], date: string): string | undefined {
	const h = exceptions.find(
		(e) => !e.deletedAt && e.kind === 'holiday' && e.date === date && e.providerId === undefined
	);
	return h && h.kind === 'holiday' ? h.name || 'Clinic closed' : undefined;
}

interface SoftDeletable {
	has(id: string): boolean;
	update(id: string, patch: { deletedAt: string; updatedAt: string }): unknown;
}

export class SetupWriter {
	constructor(
		private readonly store: ScheduleStore,
		private readonly recompute: () => void
	) {}

	/** A next-available search over the loaded appointments and the given hours and time off. */
	finder(templates: AvailabilityTemplate[], exceptions: AvailabilityException[]): SlotFinder {
		const { ws } = this.store;
		return new SlotFinder({
			timeZone: this.store.timeZone,
			slotMinutes: this.store.slotMinutes,
			templates,
			exceptions,
			appointments: this.store.allLoaded(),
			types: ws.appointmentTypes,
			providerIds: ws.providers.filter((p) => p.active).map((p) => p.id)
		});
	}

	saveTemplate(t: AvailabilityTemplate): void {
		this.store.requireWrite();
		const c = availabilityTemplatesIn(this.store.common());
		if (c.has(t.id)) c.update(t.id, { ...t, updatedAt: new Date().toISOString() });
		else c.insert(t);
		this.store.ws.audit('change', 'availability', t.id);
		this.store.readCommon();
		this.recompute();
	}

	saveException(e: AvailabilityException): void {
		this.store.requireWrite();
		const c = availabilityExceptionsIn(this.store.common());
		if (c.has(e.id)) c.update(e.id, { ...e, updatedAt: new Date().toISOString() });
		else c.insert(e);
		this.store.ws.audit('change', 'availability', e.id);
		this.store.readCommon();
		this.recompute();
	}

	removeTemplate(id: string): void {
		this.softDelete(availabilityTemplatesIn(this.store.common()), id, 'availability');
	}

	removeException(id: string): void {
		this.softDelete(availabilityExceptionsIn(this.store.common()), id, 'availability');
	}

	/** Appointment types live in the directory, which administrators edit. */
	saveType(t: AppointmentType): void {
		const { ws } = this.store;
		if (!ws.can('directory', 'write'))
			throw new ScheduleError('Only an administrator can change appointment types');
		const c = appointmentTypesIn(ws.docs().open(directoryDoc()));
		const exists = c.has(t.id);
		if (exists) c.update(t.id, { ...t, updatedAt: new Date().toISOString() });
		else c.insert(t);
		ws.audit(exists ? 'change' : 'create', 'appointment-type', t.id);
	}

	private softDelete(c: SoftDeletable, id: string, recordType: string): void {
		this.store.requireWrite();
		if (!c.has(id)) return;
		const now = new Date().toISOString();
		c.update(id, { deletedAt: now, updatedAt: now });
		this.store.ws.audit('delete', recordType, id);
		this.store.readCommon();
		this.recompute();
	}
}
