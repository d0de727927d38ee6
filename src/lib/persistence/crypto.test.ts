import { describe, expect, it } from 'vitest';
import { generateDataKey, recordAad, seal, unseal } from './crypto';

const text = new TextEncoder();

describe('seal / unseal', () => {
	it('round-trips bytes under the same key and document', async () => {
		const key = await generateDataKey();
		const plaintext = text.encode('appointment moved to 10:30');
		const sealed = await seal(key, plaintext, recordAad('schedule/2025-03'));
		expect(await unseal(key, sealed, recordAad('schedule/2025-03'))).toEqual(plaintext);
	});

	it('uses a fresh 96-bit IV for every call', async () => {
		const key = await generateDataKey();
		const plaintext = text.encode('same bytes twice');
		const a = await seal(key, plaintext, recordAad('directory'));
		const b = await seal(key, plaintext, recordAad('directory'));
		expect(a.iv).toHaveLength(12);
		expect(a.iv).not.toEqual(b.iv);
		expect(a.ct).not.toEqual(b.ct);
	});

	it('rejects altered ciphertext, altered IV, another document and another key', async () => {
		const key = await generateDataKey();
		const aad = recordAad('patients/a');
		const sealed = await seal(key, text.encode('payload'), aad);

		const badCt = { iv: sealed.iv, ct: sealed.ct.slice() };
		badCt.ct[0] = (badCt.ct[0] ?? 0) ^ 1;
		await expect(unseal(key, badCt, aad)).rejects.toThrow();

		const badIv = { iv: sealed.iv.slice(), ct: sealed.ct };
		badIv.iv[0] = (badIv.iv[0] ?? 0) ^ 1;
		await expect(unseal(key, badIv, aad)).rejects.toThrow();

		await expect(unseal(key, { iv: sealed.iv.slice(0, 8), ct: sealed.ct }, aad)).rejects.toThrow();
		await expect(unseal(key, sealed, recordAad('patients/b'))).rejects.toThrow();
		await expect(unseal(await generateDataKey(), sealed, aad)).rejects.toThrow();
	});

	it('accepts views onto larger buffers', async () => {
		const key = await generateDataKey();
		const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
		const sealed = await seal(key, backing.subarray(2, 5), recordAad('inventory'));
		expect(await unseal(key, sealed, recordAad('inventory'))).toEqual(new Uint8Array([1, 2, 3]));
	});
});

describe('generateDataKey', () => {
	it('makes a non-extractable AES-GCM-256 key for encrypt/decrypt only', async () => {
		const key = await generateDataKey();
		expect(key.extractable).toBe(false);
		expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
		expect([...key.usages].sort()).toEqual(['decrypt', 'encrypt']);
		await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
	});
});
