/**
 * Passphrase-wrapped data keys (groundwork for issue "Users, roles, keys and audit").
 *
 * One random AES-256-GCM data key per permission scope encrypts that scope's documents. For each user
 * who may use the scope, the data key is wrapped (AES-KW, RFC 3394) with a key derived from that
 * user's passphrase by PBKDF2-SHA256 with at least 600,000 iterations (OWASP 2023 guidance) and a
 * random salt. Wrapped keys are safe to store and sync; a user without a scope has no wrapped copy
 * and so cannot decrypt that scope's data even with the disk in hand.
 *
 * A data key is extractable only in the moment it is created and wrapped for its users; every key
 * unwrapped for use is non-extractable, so script can encrypt and decrypt with it but never read it.
 */
import { z } from 'zod';

export const MIN_ITERATIONS = 600_000;

export const wrappedKey = z.object({
	scope: z.string().min(1).max(40),
	userId: z.string().min(1).max(64),
	kdf: z.literal('PBKDF2-SHA256'),
	iterations: z.number().int().min(MIN_ITERATIONS),
	salt: z.base64(),
	wrapped: z.base64()
});
export type WrappedKey = z.infer<typeof wrappedKey>;

export class WrongPassphraseError extends Error {
	override name = 'WrongPassphraseError';
	constructor() {
		super('The passphrase does not unlock this key');
	}
}

export async function deriveWrappingKey(passphrase: string, salt: Uint8Array, iterations = MIN_ITERATIONS) {
	if (iterations < MIN_ITERATIONS) throw new RangeError(`Use at least ${MIN_ITERATIONS} PBKDF2 iterations`);
	const material = await crypto.subtle.importKey(
		'raw',
		new TextEncoder().encode(passphrase),
		'PBKDF2',
		false,
		['deriveKey']
	);
	return crypto.subtle.deriveKey(
		{ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
		material,
		{ name: 'AES-KW', length: 256 },
		false,
		['wrapKey', 'unwrapKey']
	);
}

/** A new scope data key, extractable so that it can be wrapped; drop it once wrapped. */
export function newScopeKey(): Promise<CryptoKey> {
	return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

export async function wrapForUser(
	dataKey: CryptoKey,
	scope: string,
	userId: string,
	passphrase: string,
	iterations = MIN_ITERATIONS
): Promise<WrappedKey> {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	const kek = await deriveWrappingKey(passphrase, salt, iterations);
	const wrapped = new Uint8Array(await crypto.subtle.wrapKey('raw', dataKey, kek, 'AES-KW'));
	return { scope, userId, kdf: 'PBKDF2-SHA256', iterations, salt: toB64(salt), wrapped: toB64(wrapped) };
}

/** The scope's data key as a non-extractable CryptoKey; WrongPassphraseError if it does not unwrap. */
export async function unwrapForUse(record: WrappedKey, passphrase: string): Promise<CryptoKey> {
	const r = wrappedKey.parse(record);
	const kek = await deriveWrappingKey(passphrase, fromB64(r.salt), r.iterations);
	try {
		return await crypto.subtle.unwrapKey(
			'raw',
			fromB64(r.wrapped) as BufferSource,
			kek,
			'AES-KW',
			{ name: 'AES-GCM', length: 256 },
			false,
			['encrypt', 'decrypt']
		);
	} catch {
		// AES-KW's integrity check fails on a wrong key: the only thing it can mean here.
		throw new WrongPassphraseError();
	}
}

function toB64(bytes: Uint8Array): string {
	let s = '';
	for (const b of bytes) s += String.fromCharCode(b);
	return btoa(s);
}

function fromB64(s: string): Uint8Array {
	return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
