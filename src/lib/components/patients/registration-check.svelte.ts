/** A registration form's state, over the checks in `registration.ts`. */
import { tick } from 'svelte';
import type { Patient } from '$lib/domain';
import type { DuplicateMatch } from '$lib/domain/patients/duplicates';
import { checkRegistration, type NewPatientInput } from './registration';

/** A registration form's state: its field errors, and the existing patients it asks about. */
export class RegistrationCheck {
	errors = $state<Record<string, string>>({});
	/** Existing patients this one may be, shown before saving; cleared when the details change. */
	matches = $state.raw<DuplicateMatch[]>([]);
	/** The warning that lists them: focused when it appears. */
	warning = $state<HTMLElement>();

	readonly #possibleDuplicates: (p: Patient) => DuplicateMatch[];

	constructor(possibleDuplicates: (p: Patient) => DuplicateMatch[]) {
		this.#possibleDuplicates = possibleDuplicates;
	}

	/** The patient to create; or undefined, with the errors or the possible duplicates shown. */
	async check(candidate: unknown, today: string, anyway: boolean): Promise<NewPatientInput | undefined> {
		const result = checkRegistration(candidate, today, anyway ? undefined : this.#possibleDuplicates);
		this.errors = result.kind === 'invalid' ? result.errors : {};
		this.matches = result.kind === 'maybe-existing' ? result.matches : [];
		if (result.kind === 'maybe-existing') {
			await tick();
			this.warning?.focus();
		}
		return result.kind === 'ok' ? result.input : undefined;
	}
}
