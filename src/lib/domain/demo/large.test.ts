import { describe, expect, it } from 'vitest';
import { appointment as appointmentSchema } from '../schedule/schemas';
import { patient as patientSchema } from '../patients/schemas';
import { DEMO_PRESETS, generateDemoClinic } from './index';

describe('large demo preset (benchmark scale)', () => {
	// Prints how long generation took so regressions are visible in the log; deliberately asserts nothing
	// about time, because CI machines vary far more than the code does.
	it('generates about 100,000 appointments and 20,000 patients [prints timing, no time assertion]', () => {
		const started = performance.now();
		const demo = generateDemoClinic({ seed: 1, today: '2026-11-16', ...DEMO_PRESETS.large });
		const ms = performance.now() - started;
		console.log(
			`[demo timing] large preset: ${demo.appointments.length} appointments, ${demo.patients.length} patients in ${ms.toFixed(0)} ms`
		);
		expect(demo.patients).toHaveLength(20_000);
		expect(demo.appointments.length).toBeGreaterThan(85_000);
		expect(demo.appointments.length).toBeLessThan(115_000);
		// The hot loop skips zod; spot-check a spread of records instead.
		for (let i = 0; i < demo.appointments.length; i += 997) appointmentSchema.parse(demo.appointments[i]);
		for (let i = 0; i < demo.patients.length; i += 199) patientSchema.parse(demo.patients[i]);
	});
});
