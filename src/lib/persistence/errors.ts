/**
 * What the store reports when something goes wrong, and the fixed wording of those reports.
 *
 * Reports end up in UI banners, logs and bug reports, so they carry only the document name (no PHI by design),
 * record keys, fixed text and DOMException names; never record contents nor engine messages, which can quote
 * the offending value.
 */
import { errorName } from './idb';

export type StoreErrorKind = 'decrypt' | 'apply' | 'write' | 'quota' | 'open';

export interface StoreError {
	kind: StoreErrorKind;
	docName: string;
	recordKey?: number;
	message: string;
}

/** A StoreError before the store stamps its document name on it. */
export type Problem = Omit<StoreError, 'docName'>;

/** Rejection reason of `whenSynced`, `flush`, `compact` and `destroy` when data could not be read or saved. */
export class StoreFailure extends Error {
	constructor(readonly storeError: StoreError) {
		super(storeError.message);
		this.name = 'StoreFailure';
	}
}

/** The fixed wording of every report. */
export const problem = {
	write(e: unknown): Problem {
		const name = errorName(e);
		if (name === 'QuotaExceededError') {
			return {
				kind: 'quota',
				message:
					'Local storage is full: recent changes are kept in memory only and will be saved once space is ' +
					'freed. Keep this tab open.'
			};
		}
		return {
			kind: 'write',
			message: `Could not save changes locally (${name}); they are kept in memory and retried.`
		};
	},
	open(e: unknown): Problem {
		return {
			kind: 'open',
			message: `Could not read the local database (${errorName(e)}); changes are kept in memory only.`
		};
	},
	noConnection(pendingCount: number): Problem {
		return {
			kind: 'open',
			message: `No local database connection; ${pendingCount} unsaved change(s) are kept in memory only.`
		};
	},
	closed(): Problem {
		return {
			kind: 'open',
			message:
				'The local database was closed because it is being deleted or upgraded; changes are no longer saved.'
		};
	},
	decrypt(recordKey: number): Problem {
		return {
			kind: 'decrypt',
			recordKey,
			message: `Record ${recordKey} could not be decrypted (wrong key or altered data); skipped and kept.`
		};
	},
	apply(recordKey: number): Problem {
		return {
			kind: 'apply',
			recordKey,
			message: `Record ${recordKey} is not a valid update; skipped and kept.`
		};
	}
};

/** Retry loops on a full disk can report on every keystroke; keep memory bounded. */
const MAX_KEPT_ERRORS = 500;

/** Records reports in `errors` and forwards them to `onError`, which must not be able to break the caller. */
export function reportTo(
	errors: StoreError[],
	docName: string,
	onError: ((e: StoreError) => void) | undefined,
	problem: Problem
): StoreError {
	const error: StoreError = { ...problem, docName };
	errors.push(error);
	if (errors.length > MAX_KEPT_ERRORS) errors.shift();
	try {
		onError?.(error);
	} catch {
		// A throwing handler must not stop persistence.
	}
	return error;
}
