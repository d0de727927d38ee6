/**
 * Vitest setup: in the app, rrule is loaded once the schedule has painted (`rrule-loader.ts`); tests
 * call the synchronous series functions directly, so every test file starts with it loaded.
 */
import { ensureRRule } from './rrule-loader';

await ensureRRule();
