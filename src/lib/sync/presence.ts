/**
 * Who else is working, and on which screen: one y-protocols Awareness for the whole clinic, carried
 * by the `directory` document's channel (pass `presence.awareness` to `SyncClient.attach('directory',
 * …)`).
 *
 * Awareness is broadcast to every workstation and logged nowhere we control, so it must never carry
 * PHI. Both what we send and what we accept are checked against a strict schema made of ids (UUIDs,
 * device ids), document names, a fixed list of screens and the staff member's display name. Remote
 * states that do not fit are dropped, not repaired.
 */
import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { z } from 'zod';
import { isDocName } from '../crdt/layout';

export const PRESENCE_SCREENS = [
	'welcome',
	'schedule',
	'patients',
	'messages',
	'billing',
	'inventory',
	'documents',
	'admin'
] as const;

const uuidLike = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
/** A short lowercase slug for staff ids that are not UUIDs (e.g. seeded demo staff). */
const shortSlug = z.string().regex(/^[a-z][a-z0-9-]{2,31}$/);
/** Device ids are `ws-` plus random hex (persistence/device.ts); a prefix and hex keep words out. */
const deviceId = z.string().regex(/^[a-z]{1,8}-[0-9a-f][0-9a-f-]{7,39}$/);
/**
 * The staff member's display name. Digits are refused, so phone numbers, dates of birth and record
 * numbers cannot ride along in it.
 */
const displayName = z
	.string()
	.min(1)
	.max(60)
	.regex(/^\p{L}[\p{L}\p{M} .'’-]*$/u);

export const presenceUser = z.strictObject({
	id: z.union([uuidLike, shortSlug]),
	name: displayName,
	color: z.string().regex(/^#[0-9a-f]{6}$/i),
	deviceId
});
export type PresenceUser = z.infer<typeof presenceUser>;

export const presenceView = z.strictObject({
	doc: z.string().max(80).refine(isDocName).optional(),
	recordId: uuidLike.optional(),
	/** The calendar day on screen (`yyyy-mm-dd`): a date alone names no patient. */
	date: z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}$/)
		.optional(),
	screen: z.enum(PRESENCE_SCREENS)
});
export type PresenceView = z.infer<typeof presenceView>;

export const presenceState = z.strictObject({ user: presenceUser, view: presenceView });
export type Presence = z.infer<typeof presenceState>;

/** A validated remote presence, with the awareness client id to key lists by. */
export interface Peer extends Presence {
	clientId: number;
}

export class PresenceError extends Error {
	override name = 'PresenceError';
}

export class ClinicPresence {
	readonly awareness: Awareness;
	private readonly listeners = new Set<(peers: Peer[]) => void>();

	private readonly minIntervalMs: number;
	private timer: ReturnType<typeof setTimeout> | null = null;
	private queued: Presence | null = null;

	/** `minIntervalMs`: view changes closer together than this are coalesced (the last one is sent). */
	constructor(
		directoryDoc: Y.Doc,
		user: PresenceUser,
		view: PresenceView = { screen: 'welcome' },
		opts: { minIntervalMs?: number } = {}
	) {
		this.minIntervalMs = opts.minIntervalMs ?? 250;
		this.awareness = new Awareness(directoryDoc);
		this.awareness.setLocalState(checked({ user, view }));
		this.awareness.on('change', this.onAwarenessChange);
	}

	get local(): Presence | null {
		const parsed = presenceState.safeParse(this.awareness.getLocalState());
		return parsed.success ? parsed.data : null;
	}

	/** Announces what this person is looking at; throws PresenceError if it does not fit the schema. */
	setView(view: PresenceView): void {
		const current = this.local;
		if (!current) throw new PresenceError('Presence has been cleared');
		const next = checked({ user: current.user, view });
		if (this.timer !== null) {
			// Announced at the end of the interval: the last view wins, so presence is right at rest.
			this.queued = next;
			return;
		}
		this.announce(next);
	}

	/** Other workstations' valid presences, sorted by name; invalid or PHI-shaped states are left out. */
	peers(): Peer[] {
		const out: Peer[] = [];
		for (const [clientId, state] of this.awareness.getStates()) {
			if (clientId === this.awareness.clientID) continue;
			const parsed = presenceState.safeParse(state);
			if (parsed.success) out.push({ clientId, ...parsed.data });
		}
		return out.sort((a, b) => a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId);
	}

	/** Called with the current peers whenever any presence changes; returns unsubscribe. */
	onChange(cb: (peers: Peer[]) => void): () => void {
		this.listeners.add(cb);
		return () => this.listeners.delete(cb);
	}

	/** Withdraws this workstation's presence and stops listening. */
	destroy(): void {
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
		this.queued = null;
		this.awareness.off('change', this.onAwarenessChange);
		this.listeners.clear();
		this.awareness.destroy();
	}

	private announce(next: Presence): void {
		const current = this.local;
		// y-protocols sends even an unchanged state to every workstation, and each one re-reads its
		// peers: a screen that re-announces its view on every step of a move would cost a round each.
		if (!current || sameView(current.view, next.view)) return;
		this.awareness.setLocalState(next);
		if (this.minIntervalMs <= 0) return;
		this.timer = setTimeout(() => {
			this.timer = null;
			const queued = this.queued;
			this.queued = null;
			if (queued) this.announce(queued);
		}, this.minIntervalMs);
	}

	private readonly onAwarenessChange = (): void => {
		if (this.listeners.size === 0) return;
		const peers = this.peers();
		for (const cb of [...this.listeners]) cb(peers);
	};
}

function sameView(a: PresenceView, b: PresenceView): boolean {
	return a.screen === b.screen && a.doc === b.doc && a.recordId === b.recordId && a.date === b.date;
}

function checked(state: Presence): Presence {
	const parsed = presenceState.safeParse(state);
	if (!parsed.success) {
		// Paths only: the rejected values may be exactly what must not be repeated.
		const paths = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
		throw new PresenceError(`Presence rejected at: ${paths}`);
	}
	return parsed.data;
}
