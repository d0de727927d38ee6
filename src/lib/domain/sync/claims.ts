import { z } from 'zod';

/**
 * What a relay token grants. Documents are granted by prefix ("schedule/" covers every month;
 * "directory" only that document); `access` is read or write for all of them.
 */
export const syncClaims = z.object({
	sub: z.string().min(1).max(64),
	role: z.string().min(1).max(40),
	clinic: z.string().min(1).max(64),
	docs: z.array(z.string().min(1).max(80)).min(1).max(64),
	access: z.enum(['read', 'write']),
	/**
	 * With `access: 'write'`, the prefixes the token may change; the other `docs` are read-only.
	 * Absent: every granted document is writable (tokens from `npm run token`).
	 */
	write: z.array(z.string().min(1).max(80)).max(64).optional()
});
export type SyncClaims = z.infer<typeof syncClaims>;

export const TOKEN_ISSUER = 'clinicdesk-relay';
export const TOKEN_AUDIENCE = 'clinicdesk-sync';

export function mayOpen(claims: Pick<SyncClaims, 'docs'>, docName: string): boolean {
	return claims.docs.some(
		(prefix) => prefix === '*' || docName === prefix || (prefix.endsWith('/') && docName.startsWith(prefix))
	);
}

/** Whether a token lets its holder change `docName` (it must also be allowed to open it). */
export function mayWrite(claims: Pick<SyncClaims, 'docs' | 'access' | 'write'>, docName: string): boolean {
	if (claims.access !== 'write' || !mayOpen(claims, docName)) return false;
	return claims.write === undefined || mayOpen({ docs: claims.write }, docName);
}
