/**
 * Passphrase-protected keys: how a user's passphrase reaches the clinic's data keys.
 *
 *   passphrase ──PBKDF2-SHA256, ≥600,000 iterations, per-user salt──▶ master secret
 *   master ──HKDF "wrap"──▶ wrapping key (AES-GCM)   seals the user's RSA-OAEP private key
 *   master ──HKDF "auth"──▶ authentication key       the relay keeps only its SHA-256 (the verifier)
 *   user's public key ◀── each scope's random AES-256-GCM data key is wrapped to it (RSA-OAEP)
 *
 * So one slow derivation per login unlocks every scope the user holds; an administrator can grant a
 * scope (wrap its key to the user's public key) without knowing the user's passphrase; the relay can
 * check a login without ever being able to unwrap anything (the two HKDF outputs are independent);
 * and a user with no wrapped copy of a scope's key cannot decrypt that scope's data from the disk.
 *
 * Keys held for use are non-extractable. Wrapping a scope key for someone else needs its raw bytes,
 * so `unwrapScopeKey(…, true)` makes a short-lived extractable copy for exactly that and nothing else.
 */
import type { Keybag, WrappedScopeKey } from '../domain/security/users';
import { MIN_ITERATIONS } from '../domain/security/users';

export { MIN_ITERATIONS };

export class WrongPassphraseError extends Error {
	override name = 'WrongPassphraseError';
	constructor() {
		super('The passphrase does not unlock this account');
	}
}

const enc = new TextEncoder();
const RSA = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;

/**
 * Secrets already derived from this passphrase (a login derives them for the relay moments before the
 * unlock): with the keybag's own salt and iteration count they are the same, and PBKDF2 — a quarter
 * of a second — need not run twice. Any other salt or count is ignored.
 */
export interface DerivedSecrets {
	salt: string;
	iterations: number;
	secrets: UserSecrets;
}

export interface UserSecrets {
	/** AES-GCM key that seals and unseals the user's private key. */
	wrapKey: CryptoKey;
	/** Sent to the relay at login (over TLS); never stored. */
	authKey: Uint8Array;
	/** SHA-256 of authKey, hex: stored in the keybag, compared by the relay. */
	verifier: string;
}

export async function deriveUserSecrets(
	passphrase: string,
	salt: Uint8Array,
	iterations = MIN_ITERATIONS
): Promise<UserSecrets> {
	if (iterations < MIN_ITERATIONS) throw new RangeError(`Use at least ${MIN_ITERATIONS} PBKDF2 iterations`);
	const material = await crypto.subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, [
		'deriveBits'
	]);
	const master = await crypto.subtle.deriveBits(
		{ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
		material,
		256
	);
	const hkdf = await crypto.subtle.importKey('raw', master, 'HKDF', false, ['deriveKey', 'deriveBits']);
	const info = (label: string) => ({
		name: 'HKDF',
		hash: 'SHA-256',
		salt: new Uint8Array(0),
		info: enc.encode(`clinicdesk ${label} v1`)
	});
	const wrapKey = await crypto.subtle.deriveKey(info('wrap'), hkdf, { name: 'AES-GCM', length: 256 }, false, [
		'wrapKey',
		'unwrapKey'
	]);
	const authKey = new Uint8Array(await crypto.subtle.deriveBits(info('auth'), hkdf, 256));
	return { wrapKey, authKey, verifier: await sha256Hex(authKey) };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
	const d = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
	return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface OpenedKeybag {
	/** Non-extractable; unwraps the user's scope keys. */
	privateKey: CryptoKey;
	authKey: Uint8Array;
}

type KeybagCore = Omit<Keybag, 'id' | 'updatedAt' | 'keys'>;

async function sealPrivateKey(
	pkcs8Key: CryptoKey,
	userId: string,
	passphrase: string,
	iterations: number
): Promise<{ core: KeybagCore; secrets: UserSecrets }> {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	const secrets = await deriveUserSecrets(passphrase, salt, iterations);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.wrapKey('pkcs8', pkcs8Key, secrets.wrapKey, {
		name: 'AES-GCM',
		iv,
		additionalData: enc.encode(userId)
	});
	return {
		secrets,
		core: {
			kdf: 'PBKDF2-SHA256',
			iterations,
			salt: toB64(salt),
			verifier: secrets.verifier,
			publicKey: '',
			privateKey: { iv: toB64(iv), sealed: toB64(new Uint8Array(sealed)) }
		}
	};
}

/**
 * A new user's key material: a fresh RSA-OAEP key pair whose private half is sealed under the
 * passphrase. Scope keys are added with `wrapScopeKey`.
 */
export async function createKeybag(
	userId: string,
	passphrase: string,
	now: string,
	iterations = MIN_ITERATIONS
): Promise<{ bag: Keybag; opened: OpenedKeybag; publicKey: CryptoKey }> {
	const pair = await crypto.subtle.generateKey(
		{ ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
		true,
		['wrapKey', 'unwrapKey']
	);
	const { core, secrets } = await sealPrivateKey(pair.privateKey, userId, passphrase, iterations);
	const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
	const bag: Keybag = { id: userId, updatedAt: now, ...core, publicKey: toB64(spki), keys: {} };
	// The derivation just done opens it: no second PBKDF2 run for the creator's own copy.
	const opened = {
		privateKey: await unsealPrivateKey(bag, secrets.wrapKey, false),
		authKey: secrets.authKey
	};
	return { bag, opened, publicKey: pair.publicKey };
}

async function unsealPrivateKey(bag: Keybag, wrapKey: CryptoKey, extractable: boolean): Promise<CryptoKey> {
	try {
		return await crypto.subtle.unwrapKey(
			'pkcs8',
			fromB64(bag.privateKey.sealed) as BufferSource,
			wrapKey,
			{ name: 'AES-GCM', iv: fromB64(bag.privateKey.iv) as BufferSource, additionalData: enc.encode(bag.id) },
			RSA,
			extractable,
			['unwrapKey']
		);
	} catch {
		// GCM's tag check fails on a wrong key: with an intact keybag that means a wrong passphrase.
		throw new WrongPassphraseError();
	}
}

/** The user's private key (non-extractable) and auth key; WrongPassphraseError if it does not open. */
export async function openKeybag(
	bag: Keybag,
	passphrase: string,
	derived?: DerivedSecrets
): Promise<OpenedKeybag> {
	const reuse = derived && derived.salt === bag.salt && derived.iterations === bag.iterations;
	const secrets = reuse
		? derived.secrets
		: await deriveUserSecrets(passphrase, fromB64(bag.salt), bag.iterations);
	const privateKey = await unsealPrivateKey(bag, secrets.wrapKey, false);
	return { privateKey, authKey: secrets.authKey };
}

/** The same keybag under a new passphrase: new salt, verifier and sealed private key; keys unchanged. */
export async function changeKeybagPassphrase(
	bag: Keybag,
	oldPassphrase: string,
	newPassphrase: string,
	now: string
): Promise<Keybag> {
	const old = await deriveUserSecrets(oldPassphrase, fromB64(bag.salt), bag.iterations);
	const extractable = await unsealPrivateKey(bag, old.wrapKey, true);
	const { core } = await sealPrivateKey(
		extractable,
		bag.id,
		newPassphrase,
		Math.max(bag.iterations, MIN_ITERATIONS)
	);
	return { ...bag, ...core, publicKey: bag.publicKey, updatedAt: now };
}

/** A new scope data key, extractable so that it can be wrapped for its users; drop it once wrapped. */
export function newScopeKey(): Promise<CryptoKey> {
	return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

export async function importPublicKey(spkiB64: string): Promise<CryptoKey> {
	return crypto.subtle.importKey('spki', fromB64(spkiB64) as BufferSource, RSA, false, ['wrapKey']);
}

export async function wrapScopeKey(
	scopeKey: CryptoKey,
	publicKey: CryptoKey | string,
	version: number
): Promise<WrappedScopeKey> {
	const pub = typeof publicKey === 'string' ? await importPublicKey(publicKey) : publicKey;
	const wrapped = new Uint8Array(await crypto.subtle.wrapKey('raw', scopeKey, pub, RSA));
	return { version, wrapped: toB64(wrapped) };
}

/** A scope key for use (non-extractable), or — only to wrap it for another user — extractable. */
export async function unwrapScopeKey(
	w: WrappedScopeKey,
	privateKey: CryptoKey,
	extractable = false
): Promise<CryptoKey> {
	return crypto.subtle.unwrapKey(
		'raw',
		fromB64(w.wrapped) as BufferSource,
		privateKey,
		RSA,
		{ name: 'AES-GCM', length: 256 },
		extractable,
		['encrypt', 'decrypt']
	);
}

export function toB64(bytes: Uint8Array): string {
	let s = '';
	for (const b of bytes) s += String.fromCharCode(b);
	return btoa(s);
}

export function fromB64(s: string): Uint8Array {
	return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
