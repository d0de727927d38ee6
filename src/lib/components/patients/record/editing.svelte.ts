/**
 * Inline editing on the patient record: one section's form open at a time (each has its own Save and
 * Cancel), Escape closes it, focus goes into the form when it opens and back to its Edit button when
 * it closes, and a polite announcement says what was saved.
 */
import { getContext, setContext, tick } from 'svelte';
import type { Attachment } from 'svelte/attachments';

const KEY = Symbol('patient-record-editing');

export class RecordEditing {
	/** The key of the open form (a section id, or e.g. `coverage:<id>`), or null. */
	open = $state<string | null>(null);
	/** The last thing saved, for a live region. */
	announcement = $state('');

	start(key: string): void {
		this.open = key;
		this.announcement = '';
	}

	/**
	 * Closes the form `key` (if it is open) and returns focus to its Edit button, or else to the first
	 * of `fallbacks`' buttons still on the page, or else to the patient's name.
	 */
	async close(key: string, saved?: string, ...fallbacks: string[]): Promise<void> {
		if (this.open === key) this.open = null;
		if (saved) this.announcement = saved;
		await tick();
		const target = [key, ...fallbacks]
			.map((k) => document.getElementById(editButtonId(k)))
			.find((el): el is HTMLElement => !!el && !(el as HTMLButtonElement).disabled);
		(target ?? document.getElementById('patient-name'))?.focus();
	}
}

/** The id of the button that opens the form `key`, where focus returns when it closes. */
export function editButtonId(key: string): string {
	return `edit-${key.replace(/[^a-zA-Z0-9-]/g, '-')}`;
}

export function provideEditing(): RecordEditing {
	return setContext(KEY, new RecordEditing());
}

export function useEditing(): RecordEditing {
	return getContext<RecordEditing | undefined>(KEY) ?? new RecordEditing();
}

/** On a form's container: focuses its first field, and Escape cancels. */
export function formArea(onEscape: () => void): Attachment<HTMLElement> {
	return (node) => {
		node.querySelector<HTMLElement>('input:not([type="hidden"]), select, textarea')?.focus();
		const keydown = (e: KeyboardEvent) => {
			if (e.key !== 'Escape' || e.defaultPrevented) return;
			e.preventDefault();
			e.stopPropagation();
			onEscape();
		};
		node.addEventListener('keydown', keydown);
		return () => node.removeEventListener('keydown', keydown);
	};
}

/** Trimmed text, or undefined when empty (optional fields are left out rather than stored empty). */
export function optional(value: string | undefined): string | undefined {
	const v = value?.trim();
	return v ? v : undefined;
}

/**
 * The fields of `after` whose value differs from `before` (the record as it was when the form
 * opened): only those are written, so a colleague's concurrent change to another field is kept.
 */
export function changedFields<T extends object>(before: T, after: Partial<T>): Partial<T> {
	const patch: Partial<T> = {};
	for (const key of Object.keys(after) as (keyof T)[]) {
		if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) patch[key] = after[key];
	}
	return patch;
}

/** Validation issues keyed by their path (`phones.0.number`); the first message per field wins. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
	const out: Record<string, string> = {};
	for (const issue of issues) {
		const key = issue.path.map(String).join('.') || 'form';
		out[key] ??= issue.message;
	}
	return out;
}

/** Words for a failed save: the validation messages of a rejected record, or a general failure. */
export function saveProblem(e: unknown): string {
	const issues = (e as { issues?: { message?: unknown }[] } | null)?.issues;
	if (Array.isArray(issues) && issues.length) {
		const messages = issues
			.map((i) => String(i.message ?? ''))
			.filter((m, i, all) => m && all.indexOf(m) === i);
		if (messages.length) return `Not saved: ${messages.join('; ')}.`;
	}
	return 'Not saved: the record could not be changed on this workstation. Try again.';
}
