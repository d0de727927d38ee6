/**
 * One day of the clinic's schedule. The day's UTC range can cross a month boundary, so the view
 * opens every monthly schedule document the range touches and re-reads them when they change.
 */
import type * as Y from 'yjs';
import { zonedDayRange, type Appointment } from '../domain';
import { appointmentsIn } from '../crdt/collections';
import { monthsBetween, scheduleDoc, type DocName } from '../crdt/layout';
import type { WorkspaceState } from './workspace.svelte';

export class ScheduleState {
	day = $state('');
	appointments = $state.raw<Appointment[]>([]);
	loading = $state(false);
	private stops: (() => void)[] = [];
	private generation = 0;

	constructor(private readonly ws: WorkspaceState) {}

	async show(day: string): Promise<void> {
		const tz = this.ws.clinic?.timeZone;
		if (!tz) return;
		const generation = ++this.generation;
		this.day = day;
		this.loading = true;
		this.detach();
		const range = zonedDayRange(day, tz);
		const names = monthsBetween(range.start, range.end).map(scheduleDoc);
		const hub = this.ws.docs();
		const docs = await Promise.all(names.map((n) => hub.ready(n)));
		if (generation !== this.generation) return;
		const refresh = () => this.read(names, docs, range);
		for (const doc of docs) {
			doc.on('update', refresh);
			this.stops.push(() => doc.off('update', refresh));
		}
		refresh();
		this.loading = false;
	}

	forProvider(providerId: string): Appointment[] {
		return this.appointments.filter((a) => a.providerId === providerId);
	}

	reset(): void {
		this.detach();
		this.appointments = [];
		this.day = '';
	}

	private read(names: DocName[], docs: Y.Doc[], range: { start: string; end: string }): void {
		const out: Appointment[] = [];
		docs.forEach((doc, i) => {
			const { records, quarantined } = appointmentsIn(doc).all();
			this.ws.reportQuarantine(names[i]!, quarantined);
			for (const a of records) if (!a.deletedAt && a.start < range.end && a.end > range.start) out.push(a);
		});
		out.sort((a, b) => a.start.localeCompare(b.start));
		this.appointments = out;
	}

	private detach(): void {
		for (const stop of this.stops) stop();
		this.stops = [];
	}
}
