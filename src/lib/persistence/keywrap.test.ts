import { describe, expect, it } from 'vitest';
import { recordAad, seal, unseal } from './crypto';
import {
	changeKeybagPassphrase,
	createKeybag,
	deriveUserSecrets,
	fromB64,
	MIN_ITERATIONS,
	newScopeKey,
	openKeybag,
	unwrapScopeKey,
	wrapScopeKey,
	WrongPassphraseError
} from './keywrap';

const NOW = '2026-11-28T10:00:00.000Z';
const ID = '5b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';

describe('passphrase-protected keys', () => {
	it('opens with the right passphrase into non-extractable keys that read the scope’s data', async () => {
		const { bag } = await createKeybag(ID, 'correct horse battery staple', NOW);
		expect(bag.iterations).toBeGreaterThanOrEqual(MIN_ITERATIONS);
		const dataKey = await newScopeKey();
		const aad = recordAad('schedule/2026-11');
		const sealed = await seal(dataKey, new TextEncoder().encode('appointment update'), aad);
		const wrapped = await wrapScopeKey(dataKey, bag.publicKey, 1);

		const opened = await openKeybag(bag, 'correct horse battery staple');
		expect(opened.privateKey.extractable).toBe(false);
		const key = await unwrapScopeKey(wrapped, opened.privateKey);
		expect(key.extractable).toBe(false);
		await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
		expect(new TextDecoder().decode(await unseal(key, sealed, aad))).toBe('appointment update');

		await expect(openKeybag(bag, 'wrong passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
	});

	it('reuses secrets a login derived with the same salt and count, and ignores any others', async () => {
		const pass = 'correct horse battery staple';
		const { bag } = await createKeybag(ID, pass, NOW);
		const fromLogin = await deriveUserSecrets(pass, fromB64(bag.salt), bag.iterations);
		const same = { salt: bag.salt, iterations: bag.iterations, secrets: fromLogin };
		expect((await openKeybag(bag, pass, same)).authKey).toEqual(fromLogin.authKey);
		// Proof they are used rather than derived again: another passphrase's secrets under this
		// keybag's salt do not open it, even with the right passphrase beside them.
		const other = await deriveUserSecrets('another passphrase', fromB64(bag.salt), bag.iterations);
		await expect(
			openKeybag(bag, pass, { salt: bag.salt, iterations: bag.iterations, secrets: other })
		).rejects.toBeInstanceOf(WrongPassphraseError);
		// A different salt (the relay's made-up one, an older keybag) means: derive as usual.
		const elsewhere = { salt: 'AAAAAAAAAAAAAAAAAAAAAA==', iterations: bag.iterations, secrets: other };
		expect((await openKeybag(bag, pass, elsewhere)).authKey).toEqual(fromLogin.authKey);
	});

	it('derives a verifier the relay can check that is independent of the wrapping key', async () => {
		const salt = crypto.getRandomValues(new Uint8Array(16));
		const a = await deriveUserSecrets('same passphrase!', salt);
		const b = await deriveUserSecrets('same passphrase!', salt);
		const c = await deriveUserSecrets('other passphrase', salt);
		expect(a.verifier).toBe(b.verifier);
		expect(a.verifier).not.toBe(c.verifier);
		expect(a.verifier).toMatch(/^[0-9a-f]{64}$/);
		expect(a.wrapKey.extractable).toBe(false);
		await expect(deriveUserSecrets('x', salt, 1000)).rejects.toThrow(RangeError);
	});

	it('salts each user, and a passphrase change keeps the key pair and scope keys', async () => {
		const a = await createKeybag(ID, 'same passphrase!', NOW);
		const b = await createKeybag(ID, 'same passphrase!', NOW);
		expect(a.bag.salt).not.toBe(b.bag.salt);
		expect(a.bag.verifier).not.toBe(b.bag.verifier);

		const dataKey = await newScopeKey();
		const wrapped = await wrapScopeKey(dataKey, a.bag.publicKey, 1);
		const changed = await changeKeybagPassphrase(a.bag, 'same passphrase!', 'a brand new passphrase', NOW);
		expect(changed.publicKey).toBe(a.bag.publicKey);
		expect(changed.verifier).not.toBe(a.bag.verifier);
		await expect(openKeybag(changed, 'same passphrase!')).rejects.toBeInstanceOf(WrongPassphraseError);
		const opened = await openKeybag(changed, 'a brand new passphrase');
		await expect(unwrapScopeKey(wrapped, opened.privateKey)).resolves.toBeDefined();
		await expect(changeKeybagPassphrase(a.bag, 'not it at all', 'whatever else', NOW)).rejects.toBeInstanceOf(
			WrongPassphraseError
		);
	});
});
