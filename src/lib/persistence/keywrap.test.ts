import { describe, expect, it } from 'vitest';
import { recordAad, seal, unseal } from './crypto';
import { MIN_ITERATIONS, newScopeKey, unwrapForUse, wrapForUser, WrongPassphraseError } from './keywrap';

describe('passphrase-wrapped scope keys', () => {
	it('unwraps for the right passphrase into a non-extractable key that reads the scope’s data', async () => {
		const dataKey = await newScopeKey();
		const aad = recordAad('schedule/2026-11');
		const sealed = await seal(dataKey, new TextEncoder().encode('appointment update'), aad);
		const record = await wrapForUser(dataKey, 'schedule', 'user-a', 'correct horse battery staple');
		expect(record.iterations).toBeGreaterThanOrEqual(MIN_ITERATIONS);
		expect(record.wrapped).not.toContain('appointment');

		const key = await unwrapForUse(record, 'correct horse battery staple');
		expect(key.extractable).toBe(false);
		await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
		expect(new TextDecoder().decode(await unseal(key, sealed, aad))).toBe('appointment update');

		await expect(unwrapForUse(record, 'wrong passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
	});

	it('salts each user’s copy, and refuses weak iteration counts', async () => {
		const dataKey = await newScopeKey();
		const a = await wrapForUser(dataKey, 'patients', 'user-a', 'same passphrase');
		const b = await wrapForUser(dataKey, 'patients', 'user-b', 'same passphrase');
		expect(a.salt).not.toBe(b.salt);
		expect(a.wrapped).not.toBe(b.wrapped);
		await expect(wrapForUser(dataKey, 'patients', 'user-c', 'x', 1000)).rejects.toThrow(RangeError);
		await expect(unwrapForUse({ ...a, iterations: 1000 }, 'same passphrase')).rejects.toThrow();
	});
});
