/**
 * A demo clinic with one very busy day, for measuring the day view (issue "Scheduling": "day view
 * render with 5 providers × 40 appointments"). The day's generated bookings are replaced by
 * `perProvider` back-to-back 10-minute visits per provider from 08:00, patients taken in turn.
 */
import { localDate, zonedTimeToUtc } from '../common/time';
import { CLINICDESK_NAMESPACE, uuidV5 } from '../common/uuid';
import type { Appointment } from '../schedule/schemas';
import type { DemoClinic } from './generate';

const VISIT_MINUTES = 10;

export function withDenseDay(data: DemoClinic, date: string, perProvider = 40): DemoClinic {
	const tz = data.clinic.timeZone;
	const others = data.appointments.filter((a) => localDate(a.start, tz) !== date);
	const type = [...data.appointmentTypes].sort((a, b) => a.durationMinutes - b.durationMinutes)[0];
	if (!type || data.patients.length === 0) return data;
	const created = zonedTimeToUtc(date, 7, 0, tz).toISOString();
	const dense: Appointment[] = [];
	let patient = 0;
	for (const provider of data.providers) {
		for (let i = 0; i < perProvider; i++) {
			const minute = 8 * 60 + i * VISIT_MINUTES;
			const start = zonedTimeToUtc(date, Math.floor(minute / 60), minute % 60, tz).toISOString();
			dense.push({
				id: uuidV5(`demo-dense/${provider.id}/${date}/${i}`, CLINICDESK_NAMESPACE),
				createdAt: created,
				updatedAt: created,
				patientId: data.patients[patient++ % data.patients.length]!.id,
				providerId: provider.id,
				typeId: type.id,
				start,
				end: new Date(Date.parse(start) + VISIT_MINUTES * 60_000).toISOString(),
				status: 'booked',
				reason: '',
				notes: ''
			});
		}
	}
	return { ...data, appointments: [...others, ...dense] };
}
