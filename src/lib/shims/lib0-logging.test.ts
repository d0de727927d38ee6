import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as shim from './lib0-logging';

const require = createRequire(import.meta.url);

describe('lib0/logging stand-in', () => {
	afterEach(() => vi.restoreAllMocks());

	it('exports every name Yjs takes from lib0/logging', () => {
		const yjs = readFileSync(require.resolve('yjs').replace(/yjs\.cjs$/, 'yjs.mjs'), 'utf8');
		expect(yjs).toMatch(/import \* as logging from 'lib0\/logging'/);
		const used = new Set([...yjs.matchAll(/\blogging\.(\w+)/g)].map((m) => m[1]!));
		expect(used.size).toBeGreaterThan(0);
		const missing = [...used].filter((name) => !(name in shim));
		expect(missing).toEqual([]);
	});

	it('prints the text of a line without the styling marks', () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
		shim.print(shim.ORANGE, shim.BOLD, '[yjs] ', shim.UNBOLD, shim.RED, 'Changed the client-id');
		shim.warn('Invalid access', 2);
		expect(log).toHaveBeenCalledWith('[yjs] ', 'Changed the client-id');
		expect(warn).toHaveBeenCalledWith('Invalid access', 2);
	});
});
