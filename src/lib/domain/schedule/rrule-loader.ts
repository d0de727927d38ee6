/**
 * The rrule package (≈12 KB gzip) loads on demand, not before the schedule's first paint: only
 * series expansion needs it, and nothing on screen waits for that (materialization runs after the
 * view has painted). `ensureRRule()` starts the load once; the state layer awaits it before it
 * materializes and starts it when the schedule opens, so by the time a person books or edits a
 * series the synchronous expansion functions have their engine. Tests load it in their setup file.
 */
import type * as RRuleModule from 'rrule';

export type RRuleClass = typeof RRuleModule.RRule;

let engine: RRuleClass | undefined;
let loading: Promise<RRuleClass> | undefined;

/**
 * rrule ships an ES module build (used by Vite) and a UMD main (used by Node, whose CommonJS interop
 * exposes it only as `default`), so the class is read whichever way it arrived.
 */
function pick(mod: unknown): RRuleClass {
	const m = mod as { RRule?: RRuleClass; default?: { RRule?: RRuleClass } };
	const found = m.RRule ?? m.default?.RRule;
	if (!found) throw new Error('rrule did not export RRule');
	return found;
}

/** Loads rrule (once; a failed load, e.g. offline before the chunk was cached, may be retried). */
export function ensureRRule(): Promise<RRuleClass> {
	loading ??= import('rrule').then(
		(mod) => (engine = pick(mod)),
		(e: unknown) => {
			loading = undefined;
			throw e;
		}
	);
	return loading;
}

export function rruleLoaded(): boolean {
	return engine !== undefined;
}

/** The loaded RRule class; expansion before `ensureRRule()` resolved is a programming error. */
export function loadedRRule(): RRuleClass {
	if (!engine) throw new Error('Recurring series are not ready yet: await ensureRRule() first');
	return engine;
}
