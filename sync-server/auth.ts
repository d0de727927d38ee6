/**
 * Relay tokens: HS256 JWTs signed with the relay's own key (identity.ts). Verification allows only
 * HS256 (so `alg: none` and algorithm confusion are refused by jose before any signature check),
 * requires issuer, audience, `exp` and `iat`, refuses tokens older than the configured maximum age
 * whatever their `exp` says, validates the claims with the shared zod schema, and refuses tokens
 * issued for another clinic. Failure reasons are short codes safe to log; tokens never are.
 */
import { jwtVerify, SignJWT } from 'jose';
import { syncClaims, TOKEN_AUDIENCE, TOKEN_ISSUER, type SyncClaims } from '../src/lib/domain/sync/claims';
import type { RelayIdentity } from './identity';

export type AuthResult =
	| {
			ok: true;
			claims: SyncClaims;
			/** ms since epoch after which the connection must end */ expiresAt: number;
	  }
	| { ok: false; reason: string };

export type Verifier = (token: string) => Promise<AuthResult>;

const MAX_TOKEN_LENGTH = 8192;

export function createVerifier(identity: RelayIdentity, maxAgeSeconds: number): Verifier {
	return async (token) => {
		if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'token-length' };
		let payload: Record<string, unknown>;
		try {
			({ payload } = await jwtVerify(token, identity.key, {
				algorithms: ['HS256'],
				issuer: TOKEN_ISSUER,
				audience: TOKEN_AUDIENCE,
				maxTokenAge: maxAgeSeconds,
				requiredClaims: ['exp', 'iat', 'sub']
			}));
		} catch (e) {
			const code = (e as { code?: unknown }).code;
			return { ok: false, reason: typeof code === 'string' ? code : 'invalid-token' };
		}
		const parsed = syncClaims.safeParse(payload);
		if (!parsed.success) return { ok: false, reason: 'bad-claims' };
		if (parsed.data.clinic !== identity.clinicId) return { ok: false, reason: 'other-clinic' };
		const exp = payload.exp as number;
		const iat = payload.iat as number;
		return { ok: true, claims: parsed.data, expiresAt: Math.min(exp, iat + maxAgeSeconds) * 1000 };
	};
}

export interface TokenRequest {
	sub: string;
	role: string;
	docs: string[];
	access: 'read' | 'write';
	/** Writable prefixes when only some of `docs` may be changed. */
	write?: string[];
	ttlSeconds: number;
}

/** Signs a token for this relay's clinic (the CLI and tests use it; the app gets tokens later). */
export async function signToken(identity: RelayIdentity, req: TokenRequest): Promise<string> {
	const claims = syncClaims.parse({
		sub: req.sub,
		role: req.role,
		clinic: identity.clinicId,
		docs: req.docs,
		access: req.access,
		write: req.write
	});
	return new SignJWT({
		role: claims.role,
		clinic: claims.clinic,
		docs: claims.docs,
		access: claims.access,
		...(claims.write ? { write: claims.write } : {})
	})
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setSubject(claims.sub)
		.setIssuer(TOKEN_ISSUER)
		.setAudience(TOKEN_AUDIENCE)
		.setIssuedAt()
		.setExpirationTime(`${Math.round(req.ttlSeconds)}s`)
		.sign(identity.key);
}
