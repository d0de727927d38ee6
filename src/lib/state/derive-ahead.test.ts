import { describe, expect, it } from 'vitest';
import { DeriveAhead } from './derive-ahead';
import type { DerivedSecrets } from '../persistence/keywrap';

/** A derivation the test finishes by hand, recording what was asked. */
function fakeDerive() {
	const calls: { pair: string; finish: (ok: boolean) => void }[] = [];
	const derive = (username: string, passphrase: string) =>
		new Promise<DerivedSecrets | null>((resolve, reject) => {
			const pair = `${username}/${passphrase}`;
			calls.push({
				pair,
				finish: (ok) =>
					ok
						? resolve({ salt: pair, iterations: 600_000, secrets: {} as DerivedSecrets['secrets'] })
						: reject(new Error('no'))
			});
		});
	return { calls, derive };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('DeriveAhead', () => {
	it('derives one pair at a time and then only the newest input', async () => {
		const { calls, derive } = fakeDerive();
		const ahead = new DeriveAhead(derive);
		ahead.typed('ada', 'c');
		ahead.typed('ada', 'co');
		ahead.typed('ada', 'cor');
		expect(calls.map((c) => c.pair)).toEqual(['ada/c']);
		calls[0]!.finish(true);
		await flush();
		expect(calls.map((c) => c.pair)).toEqual(['ada/c', 'ada/cor']);
		calls[1]!.finish(true);
		await flush();
		expect(calls).toHaveLength(2);
		expect((await ahead.take('ada', 'cor'))?.salt).toBe('ada/cor');
	});

	it('hands out a derivation only for exactly its login name and passphrase, once', async () => {
		const { calls, derive } = fakeDerive();
		const ahead = new DeriveAhead(derive);
		ahead.typed('ada', 'correct');
		calls[0]!.finish(true);
		await flush();
		expect(ahead.take('ada', 'correct horse')).toBeUndefined();
		ahead.typed('ada', 'correct');
		calls[1]!.finish(true);
		await flush();
		expect(ahead.take('bob', 'correct')).toBeUndefined();
		// take() forgot it: nothing is kept for a later unlock.
		expect(ahead.take('ada', 'correct')).toBeUndefined();
	});

	it('hands out a derivation still running, and keeps nothing once it ends', async () => {
		const { calls, derive } = fakeDerive();
		const ahead = new DeriveAhead(derive);
		ahead.typed('ada', 'pass');
		const running = ahead.take('ada', 'pass');
		expect(running).toBeDefined();
		calls[0]!.finish(true);
		expect((await running)?.salt).toBe('ada/pass');
		await flush();
		expect(ahead.take('ada', 'pass')).toBeUndefined();
	});

	it('does not keep a failed derivation and goes on with newer input', async () => {
		const { calls, derive } = fakeDerive();
		const ahead = new DeriveAhead(derive);
		ahead.typed('ada', 'a');
		ahead.typed('ada', 'ab');
		calls[0]!.finish(false);
		await flush();
		expect(calls.map((c) => c.pair)).toEqual(['ada/a', 'ada/ab']);
		calls[1]!.finish(false);
		await flush();
		expect(ahead.take('ada', 'ab')).toBeUndefined();
	});

	it('ignores an empty login name or passphrase, and clear() drops what waits', async () => {
		const { calls, derive } = fakeDerive();
		const ahead = new DeriveAhead(derive);
		ahead.typed(' ', 'x');
		ahead.typed('ada', '');
		expect(calls).toHaveLength(0);
		ahead.typed('ada', 'x');
		ahead.typed('ada', 'xy');
		ahead.clear();
		calls[0]!.finish(true);
		await flush();
		expect(calls).toHaveLength(1);
		expect(ahead.take('ada', 'x')).toBeUndefined();
	});
});
