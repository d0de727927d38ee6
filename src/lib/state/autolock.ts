/**
 * Automatic logoff (45 CFR 164.312(a)(2)(iii)): a session ends after `idleMs` without keyboard or
 * pointer use, and after `maxMs` however busy the user is. Every tab of the app on this workstation
 * shares one idea of "last activity" and locks together: activity and locks are announced on a
 * BroadcastChannel, so working in one tab keeps the others open and locking one locks them all.
 *
 * Timers are plain setTimeout/Date.now, so Playwright's clock and vitest's fake timers drive them.
 */

export type LockCause = 'idle' | 'session-cap' | 'other-tab';

export interface AutoLockOptions {
	idleMs: number;
	maxMs: number;
	/** Called once when the session must end. */
	onLock: (cause: LockCause) => void;
	/** Channel name shared by the tabs of one workspace; omit to not coordinate tabs. */
	channel?: string;
	now?: () => number;
	/** Where activity is watched (window in the app; nothing in unit tests). */
	target?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}

type Message = { type: 'activity'; at: number } | { type: 'lock' };

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel', 'touchstart'] as const;
/** Activity is announced to other tabs at most this often. */
const ANNOUNCE_EVERY_MS = 5_000;

export class AutoLock {
	private readonly started: number;
	private lastActivity: number;
	private lastAnnounced = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private readonly bc: BroadcastChannel | null;
	private stopped = false;
	private readonly now: () => number;

	constructor(private readonly opts: AutoLockOptions) {
		this.now = opts.now ?? Date.now;
		this.started = this.lastActivity = this.now();
		this.bc =
			opts.channel && typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(opts.channel) : null;
		this.bc?.addEventListener('message', this.onMessage);
		for (const e of ACTIVITY_EVENTS) opts.target?.addEventListener(e, this.onActivity, { passive: true });
		this.schedule();
	}

	/** Records use of the app (also called by screens for activity the events above miss). */
	touch(): void {
		if (this.stopped) return;
		const t = this.now();
		this.lastActivity = Math.max(this.lastActivity, t);
		if (t - this.lastAnnounced >= ANNOUNCE_EVERY_MS) {
			this.lastAnnounced = t;
			this.post({ type: 'activity', at: t });
		}
	}

	/** Ends this session and tells every other tab to lock too. */
	lockAll(): void {
		this.post({ type: 'lock' });
		this.stop();
	}

	stop(): void {
		if (this.stopped) return;
		this.stopped = true;
		clearTimeout(this.timer);
		for (const e of ACTIVITY_EVENTS) this.opts.target?.removeEventListener(e, this.onActivity);
		this.bc?.removeEventListener('message', this.onMessage);
		this.bc?.close();
	}

	/** When the session will end if nobody touches anything (ms epoch). */
	deadline(): number {
		return Math.min(this.lastActivity + this.opts.idleMs, this.started + this.opts.maxMs);
	}

	private readonly onActivity = () => this.touch();

	private readonly onMessage = (e: MessageEvent<Message>) => {
		const m = e.data;
		if (m?.type === 'lock') this.fire('other-tab', false);
		else if (m?.type === 'activity' && typeof m.at === 'number') {
			this.lastActivity = Math.max(this.lastActivity, Math.min(m.at, this.now()));
		}
	};

	private schedule(): void {
		clearTimeout(this.timer);
		if (this.stopped) return;
		const wait = Math.max(0, this.deadline() - this.now());
		this.timer = setTimeout(() => this.check(), Math.min(wait, 60_000));
	}

	private check(): void {
		if (this.stopped) return;
		const t = this.now();
		if (t >= this.started + this.opts.maxMs) this.fire('session-cap', true);
		else if (t >= this.lastActivity + this.opts.idleMs) this.fire('idle', true);
		else this.schedule();
	}

	private fire(cause: LockCause, announce: boolean): void {
		if (this.stopped) return;
		if (announce) this.post({ type: 'lock' });
		this.stop();
		this.opts.onLock(cause);
	}

	private post(m: Message): void {
		try {
			this.bc?.postMessage(m);
		} catch {
			// A closed channel: this tab is already locking.
		}
	}
}
