/**
 * Reads (without verifying: the server does that) which clinic and user a sign-in token names. Its
 * own module so that jose loads only when a setup token is pasted, not with the app.
 */
import { decodeJwt } from 'jose';
import { syncClaims, type SyncClaims } from '../domain/sync/claims';

export function tokenClaims(token: string): SyncClaims | null {
	try {
		const parsed = syncClaims.safeParse(decodeJwt(token));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}
