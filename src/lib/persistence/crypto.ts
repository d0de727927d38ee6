/**
 * Authenticated encryption for records at rest: AES-256-GCM via WebCrypto.
 *
 * - Keys are generated non-extractable, so script running in the page (an XSS payload, a malicious extension
 *   reading JS heap values) can use the key while the page is open but can never export the key material.
 * - Every seal draws a fresh random 96-bit IV. With random IVs the usual bound is 2^32 seals per key before the
 *   collision risk becomes uncomfortable; a device writing a record per keystroke stays many orders below it.
 * - Additional authenticated data binds a ciphertext to its context (see `recordAad`): GCM refuses to open a
 *   record under any other context, so records cannot be shuffled between documents without detection.
 * - `unseal` throws on any tampering, wrong key or wrong context; callers treat that as "record unreadable".
 */

const ALGORITHM = 'AES-GCM';
const KEY_BITS = 256;
const IV_BYTES = 12;
const TAG_BITS = 128;

export interface Sealed {
	iv: Uint8Array;
	ct: Uint8Array;
}

/** WebCrypto's typings want ArrayBuffer-backed views; Yjs may hand out views over other buffers. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
	return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export async function generateDataKey(): Promise<CryptoKey> {
	return crypto.subtle.generateKey({ name: ALGORITHM, length: KEY_BITS }, false, ['encrypt', 'decrypt']);
}

export async function seal(key: CryptoKey, plaintext: Uint8Array, aad: Uint8Array): Promise<Sealed> {
	const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const ct = await crypto.subtle.encrypt(
		{ name: ALGORITHM, iv, additionalData: ownBuffer(aad), tagLength: TAG_BITS },
		key,
		ownBuffer(plaintext)
	);
	return { iv, ct: new Uint8Array(ct) };
}

export async function unseal(key: CryptoKey, sealed: Sealed, aad: Uint8Array): Promise<Uint8Array> {
	// A wrong-length IV would still "work" in GCM (it is hashed), so reject it explicitly as malformed.
	if (sealed.iv.byteLength !== IV_BYTES) throw new Error('Sealed record has a malformed IV');
	const pt = await crypto.subtle.decrypt(
		{ name: ALGORITHM, iv: ownBuffer(sealed.iv), additionalData: ownBuffer(aad), tagLength: TAG_BITS },
		key,
		ownBuffer(sealed.ct)
	);
	return new Uint8Array(pt);
}

const encoder = new TextEncoder();

/**
 * AAD for a stored Yjs record: a format label plus the document name. The label lets a future record format
 * (e.g. passphrase-wrapped keys) never be confused with this one; the NUL separator keeps the encoding
 * unambiguous. The workspace is not included: each workspace already has its own key.
 */
export function recordAad(docName: string): Uint8Array {
	return encoder.encode(`clinicdesk/persistence/v1\u0000${docName}`);
}
