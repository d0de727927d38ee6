/**
 * What the audit screens work with: entries read out of the workstations' logs and one verdict per
 * chain. The CRDT reader, the CSV export and the admin view share these types, so they live in
 * domain. Nothing here is PHI: ids, codes and times.
 */
import type { AuditEntry, ChainVerdict } from './audit';

/**
 * A log document holds one chain per tab (per app start), so a chain id is minted at random for
 * each: two tabs that picked the same id would write one Y.Array from two places and break it.
 */
export const CHAIN_ID = /^c-[0-9a-f]{12}$/;

/** An entry with the chain it was read from; `deviceId` is checked against the log's workstation. */
export type AuditRow = AuditEntry & { chainId: string };

export interface ChainVerdictRow {
	/** The workstation whose log (`audit/<deviceId>`) holds the chain. */
	deviceId: string;
	chainId: string;
	verdict: ChainVerdict;
}

/** The last (seq, hash) of a chain that another party saw; the chain must still contain it. */
export interface AuditAnchor {
	seq: number;
	hash: string;
}
