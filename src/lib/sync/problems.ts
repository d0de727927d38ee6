/**
 * What the sync status says to a person at the front desk: plain English, what happened and what to
 * do about it. Codes are for logs and tests; no document names or record data appear in the text.
 */
import { CloseCode } from '../domain/sync/mux';

export type SyncProblemCode =
	| 'sign-in-expired'
	| 'not-allowed'
	| 'refused'
	| 'wrong-version'
	| 'documents-blocked'
	| 'documents-over-limit'
	| 'documents-refused'
	| 'unreachable';

export interface SyncProblem {
	code: SyncProblemCode;
	message: string;
	action: string;
}

const text: Record<SyncProblemCode, Omit<SyncProblem, 'code'>> = {
	'sign-in-expired': {
		message: 'Sign-in to the clinic server expired. Your changes are kept on this workstation.',
		action: 'Sign in again'
	},
	'not-allowed': {
		message: 'This account is not allowed to sync with the clinic server.',
		action: 'Ask your clinic administrator for access'
	},
	refused: {
		message: 'The clinic server refused this workstation. Your changes are kept on this workstation.',
		action: 'Ask your clinic administrator to check this workstation'
	},
	'wrong-version': {
		message: 'The clinic server runs a different version of ClinicDesk.',
		action: 'Reload the app; if this stays, tell your clinic administrator'
	},
	'documents-blocked': {
		message: 'Some records cannot sync because this account has no access to them.',
		action: 'Ask your clinic administrator for access'
	},
	'documents-over-limit': {
		message: "Some records cannot sync: they are over the clinic server's limits.",
		action: 'Tell your clinic administrator'
	},
	'documents-refused': {
		message: 'The clinic server refused to sync some records.',
		action: 'Tell your clinic administrator'
	},
	unreachable: {
		message: "Can't reach the clinic server. Your changes are kept on this workstation.",
		action: 'No need to do anything: ClinicDesk keeps trying'
	}
};

export function problem(code: SyncProblemCode): SyncProblem {
	return { code, ...text[code] };
}

/** The problem behind a connection the relay closed with 4400–4499. */
export function connectionProblem(closeCode: number | null): SyncProblem {
	if (closeCode === CloseCode.unauthorized) return problem('sign-in-expired');
	if (closeCode === CloseCode.forbidden) return problem('not-allowed');
	return problem('refused');
}

/** The problem behind a document whose channel the relay closed for good (4400–4499). */
export function documentProblem(closeCode: number): SyncProblem {
	if (closeCode === CloseCode.forbidden || closeCode === CloseCode.unauthorized) {
		return problem('documents-blocked');
	}
	// The relay uses 4413 both for a document that is too large and for too many open channels.
	if (closeCode === CloseCode.tooLarge) return problem('documents-over-limit');
	return problem('documents-refused');
}
