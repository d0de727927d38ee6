/**
 * What the blocks carry besides the appointment: open conflicts in words and colleagues' presence.
 */
import type { Conflict, ConflictKind } from '$lib/domain/schedule/conflicts';

const CONFLICT_TEXT: Record<ConflictKind, string> = {
	'provider-overlap': 'Double-booked',
	'room-overlap': 'Room double-booked',
	'outside-hours': 'Outside working hours',
	'over-break': 'Over a break',
	'max-per-day': 'Over the daily limit'
};

/** For each appointment in an open conflict, what is wrong, in words ("Double-booked"). */
export function conflictTexts(conflicts: readonly Conflict[]): Map<string, string> {
	const kinds = new Map<string, Set<ConflictKind>>();
	for (const c of conflicts) {
		if (c.resolved) continue;
		for (const id of c.appointmentIds) {
			let set = kinds.get(id);
			if (!set) kinds.set(id, (set = new Set()));
			set.add(c.kind);
		}
	}
	const out = new Map<string, string>();
	for (const [id, set] of kinds) out.set(id, [...set].map((k) => CONFLICT_TEXT[k]).join(', '));
	return out;
}

/**
 * `next`, or `prev` when both hold the same entries: a conflict list that changed without changing
 * any block's words (a moved booking that stays outside hours) then re-renders no block.
 */
export function sameOrNew<V>(prev: ReadonlyMap<string, V>, next: Map<string, V>): ReadonlyMap<string, V> {
	if (prev.size !== next.size) return next;
	for (const [k, v] of next) if (prev.get(k) !== v) return next;
	return prev;
}

export interface PresenceBadge {
	key: number;
	name: string;
	color: string;
	initials: string;
}

/** `Ann Lee` → `AL`; a single name gives its first two letters. */
export function initials(name: string): string {
	const words = name.trim().split(/\s+/).filter(Boolean);
	if (words.length === 0) return '?';
	if (words.length === 1) return words[0]!.slice(0, 2).toUpperCase();
	return (words[0]!.charAt(0) + words[words.length - 1]!.charAt(0)).toUpperCase();
}

/** Colleagues with an appointment open in the schedule, by appointment id. */
export function presenceByRecord(
	peers: readonly {
		clientId: number;
		user: { name: string; color: string };
		view: { screen: string; recordId?: string | undefined };
	}[]
): Map<string, PresenceBadge[]> {
	const out = new Map<string, PresenceBadge[]>();
	for (const p of peers) {
		if (p.view.screen !== 'schedule' || !p.view.recordId) continue;
		const badge = {
			key: p.clientId,
			name: p.user.name,
			color: p.user.color,
			initials: initials(p.user.name)
		};
		const list = out.get(p.view.recordId);
		if (list) list.push(badge);
		else out.set(p.view.recordId, [badge]);
	}
	return out;
}
