/**
 * Which document a workstation asks the relay for first when more are waiting than may load at once
 * (SyncClient's `firstSyncWindow`). A new workstation's first screen is today's schedule with its
 * patients' names: the small documents everything reads (keyring, directory, the schedule's common
 * document, the audit log) come first, then this month's schedule, then the patients, then the other
 * months nearest first (the weeks around today before the past year's no-show counts).
 */
import { scopeOf, type DocName } from '../crdt/layout';

export function firstSyncPriority(name: DocName, now = new Date()): number {
	const kind = scopeOf(name);
	if (kind === 'keyring' || kind === 'directory' || kind === 'audit') return 0;
	if (kind === 'patients') return 2;
	const month = /^schedule\/(\d{4})-(\d{2})$/.exec(name);
	if (kind === 'schedule' && !month) return 0;
	if (month) {
		const away = Math.abs(
			(Number(month[1]) - now.getFullYear()) * 12 + Number(month[2]) - 1 - now.getMonth()
		);
		return away === 0 ? 1 : 2 + away;
	}
	return 3;
}
