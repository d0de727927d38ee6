/**
 * Next available slot (issue "Scheduling"): how long the search takes on a busy clinic.
 * 5 providers, 6 months of weekday hours (08:00–17:00 with a lunch break, America/Chicago, 15-minute
 * grid) and ~40 appointments per provider per weekday, packed with short random gaps, so most
 * searches walk many days. Measured:
 *   - indexing the schedule (`new SlotFinder`), paid once per snapshot;
 *   - ~200 searches with varied types, providers, times of day and weekdays (median, p95);
 *   - the worst case: nothing free for 6 months, on a fresh finder (cold day caches) and one-shot
 *     `nextAvailable` including indexing.
 */
import type { TemplateInput } from '../src/lib/domain/schedule/availability';
import {
	nextAvailable,
	SlotFinder,
	type SchedulingContext,
	type SlotAppointmentInput,
	type SlotQuery,
	type SlotTypeInput
} from '../src/lib/domain/schedule/next-slot';
import { zonedTimeToUtc, addDays, weekday } from '../src/lib/domain/common/time';
import { emit, keep, log, median, SMOKE, timeMs } from './lib';
import { rng } from '../tests/integration/support/fuzz-inputs';

const TZ = 'America/Chicago';
const PROVIDERS = SMOKE ? 2 : 5;
const DAYS = SMOKE ? 14 : 183;
const PER_DAY = 40;
const SEARCHES = SMOKE ? 5 : 200;
const RUNS = SMOKE ? 1 : 7;
const START = '2026-12-01';
const TARGET_MS = 50;

const providerIds = Array.from({ length: PROVIDERS }, (_, i) => `provider-${i}`);
const types: SlotTypeInput[] = [
	{ id: 'follow-up', durationMinutes: 15 },
	{ id: 'check-up', durationMinutes: 30 },
	{ id: 'new-patient', durationMinutes: 45, bufferAfterMinutes: 10 },
	{ id: 'procedure', durationMinutes: 60, bufferBeforeMinutes: 10, bufferAfterMinutes: 10, maxPerDay: 2 }
];

function buildContext(): SchedulingContext {
	const templates: TemplateInput[] = providerIds.map((providerId) => ({
		id: `tpl-${providerId}`,
		providerId,
		effectiveFrom: '2026-01-01',
		days: [1, 2, 3, 4, 5].map((wd) => ({
			weekday: wd,
			intervals: [
				{ from: '08:00', to: '12:00' },
				{ from: '13:00', to: '17:00', typeIds: ['follow-up', 'check-up', 'procedure'] }
			],
			breaks: [],
			blocked: wd === 3 ? [{ from: '16:00', to: '17:00', reason: 'meeting' }] : []
		}))
	}));
	const random = rng(42);
	const appointments: SlotAppointmentInput[] = [];
	const durations = [10, 10, 15];
	for (let d = 0; d < DAYS; d++) {
		const date = addDays(START, d);
		if (weekday(date) === 0 || weekday(date) === 6) continue;
		for (const providerId of providerIds) {
			// Back to back from 07:30 (some before opening) with 0–5 minute gaps, lunch kept free.
			let minute = 7 * 60 + 30;
			for (let n = 0; n < PER_DAY && minute < 17 * 60; n++) {
				if (minute >= 12 * 60 && minute < 13 * 60) minute = 13 * 60;
				const length = durations[Math.floor(random() * durations.length)]!;
				const start = zonedTimeToUtc(date, Math.floor(minute / 60), minute % 60, TZ).getTime();
				appointments.push({
					providerId,
					typeId: random() < 0.05 ? 'procedure' : 'follow-up',
					start: new Date(start).toISOString(),
					end: new Date(start + length * 60_000).toISOString(),
					status: random() < 0.03 ? 'cancelled' : 'booked'
				});
				minute += length + (random() < 0.3 ? 5 : 0);
			}
		}
	}
	return { timeZone: TZ, slotMinutes: 15, templates, exceptions: [], appointments, types, providerIds };
}

function queries(): SlotQuery[] {
	const random = rng(7);
	const times: SlotQuery['timeOfDay'][] = [
		undefined,
		undefined,
		'morning',
		'afternoon',
		{ from: '10:00', to: '14:00' }
	];
	const out: SlotQuery[] = [];
	for (let i = 0; i < SEARCHES; i++) {
		const from = Date.parse(`${START}T12:00:00.000Z`) + Math.floor(random() * 30 * 24 * 60) * 60_000;
		const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
		out.push({
			typeId: pick(types).id,
			from: new Date(from).toISOString(),
			timeOfDay: pick(times),
			providerIds: random() < 0.5 ? undefined : [pick(providerIds)],
			weekdays: random() < 0.2 ? [pick([1, 2, 3, 4, 5])] : undefined,
			limit: 5
		});
	}
	return out;
}

function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function main(): void {
	const ctx = buildContext();
	log(`${PROVIDERS} providers × ${DAYS} days: ${ctx.appointments.length} appointments`);

	const buildMs: number[] = [];
	let finder = new SlotFinder(ctx);
	for (let i = 0; i < RUNS; i++) buildMs.push(timeMs(() => (finder = new SlotFinder(ctx))));

	const searchMs: number[] = [];
	let found = 0;
	let empty = 0;
	for (const q of queries()) {
		let slots: unknown[] = [];
		searchMs.push(timeMs(() => (slots = finder.nextAvailable(q))));
		if (slots.length === 0) empty++;
		found += slots.length;
		keep(slots);
	}
	log(`${SEARCHES} searches: ${found} slots found, ${empty} searches with none`);

	// Nothing free for 6 months: a 2-hour appointment never fits between the packed bookings.
	const none: SlotQuery = {
		typeId: 'check-up',
		durationMinutes: 120,
		from: `${START}T00:00:00.000Z`,
		until: new Date(Date.parse(`${START}T00:00:00.000Z`) + DAYS * 86_400_000).toISOString()
	};
	const coldMs: number[] = [];
	const oneShotMs: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const fresh = new SlotFinder(ctx);
		coldMs.push(
			timeMs(() => {
				if (fresh.nextAvailable(none).length !== 0) throw new Error('expected nothing free');
			})
		);
		oneShotMs.push(timeMs(() => keep(nextAvailable(none, ctx))));
	}
	const warmNone = median(Array.from({ length: RUNS }, () => timeMs(() => keep(finder.nextAvailable(none)))));

	const notes = `${PROVIDERS} providers, ${DAYS} days, ${ctx.appointments.length} appointments`;
	emit({ name: 'next-slot: index the schedule (new SlotFinder)', unit: 'ms', value: median(buildMs), notes });
	emit({ name: 'next-slot: search, median', unit: 'ms', value: median(searchMs), target: TARGET_MS, notes });
	emit({
		name: 'next-slot: search, p95',
		unit: 'ms',
		value: percentile(searchMs, 95),
		target: TARGET_MS,
		notes
	});
	emit({ name: 'next-slot: search, max', unit: 'ms', value: Math.max(...searchMs), notes });
	emit({
		name: 'next-slot: nothing free for 6 months, cold finder',
		unit: 'ms',
		value: median(coldMs),
		target: TARGET_MS,
		notes
	});
	emit({ name: 'next-slot: nothing free for 6 months, warm finder', unit: 'ms', value: warmNone, notes });
	emit({
		name: 'next-slot: nothing free for 6 months, one-shot incl. indexing',
		unit: 'ms',
		value: median(oneShotMs),
		target: TARGET_MS,
		notes
	});
}

main();
