/**
 * The lock screen's passphrase key, derived while the passphrase is typed. PBKDF2 with 600,000
 * iterations takes 130–215 ms on a fast machine (more on an old laptop) and is most of an unlock;
 * started as the person types, it is usually done by the time they press Enter, so Unlock waits only
 * for the documents. The iteration count is not lowered: the same derivation runs, earlier.
 *
 * One derivation runs at a time (WebCrypto runs it off the main thread; a second one would compete
 * with the page for the CPU); input that arrives meanwhile waits, and only the newest waits. What was
 * derived is handed out only for exactly the login name and passphrase it was derived from, and
 * only once. Nothing is checked here: a wrong passphrase fails at Unlock, and counts, as before.
 */
import type { DerivedSecrets } from '../persistence/keywrap';

/** Derives for a login name and passphrase; null when there is no such account here. */
export type Derive = (username: string, passphrase: string) => Promise<DerivedSecrets | null>;

interface Run {
	username: string;
	passphrase: string;
	result: Promise<DerivedSecrets | null>;
}

export class DeriveAhead {
	#derive: Derive;
	#running: Run | null = null;
	#done: Run | null = null;
	#waiting: { username: string; passphrase: string } | null = null;

	constructor(derive: Derive) {
		this.#derive = derive;
	}

	/** The login name or passphrase changed: derive for the new pair when the current run ends. */
	typed(username: string, passphrase: string): void {
		if (!username.trim() || !passphrase) {
			this.#waiting = null;
			return;
		}
		if (this.#matches(this.#running, username, passphrase) || this.#matches(this.#done, username, passphrase))
			return;
		this.#waiting = { username, passphrase };
		if (!this.#running) this.#next();
	}

	/**
	 * The derivation for exactly this pair, running or done; undefined when there is none, and the
	 * caller derives itself. Either way everything is forgotten here.
	 */
	take(username: string, passphrase: string): Promise<DerivedSecrets | null> | undefined {
		const run = [this.#done, this.#running].find((r) => this.#matches(r, username, passphrase));
		this.clear();
		return run?.result;
	}

	/** Forgets everything (unlocked, or the lock screen closed): no passphrase or key is kept. */
	clear(): void {
		this.#waiting = null;
		this.#done = null;
		this.#running = null;
	}

	#matches(run: Run | null, username: string, passphrase: string): boolean {
		return run !== null && run.username === username && run.passphrase === passphrase;
	}

	#next(): void {
		const input = this.#waiting;
		this.#waiting = null;
		if (!input) return;
		// A failed derivation is not kept: Unlock derives again and reports what goes wrong.
		const result = this.#derive(input.username, input.passphrase).catch(() => null);
		const run: Run = { ...input, result };
		this.#running = run;
		void result.then((derived) => {
			if (this.#running !== run) return; // cleared meanwhile
			this.#running = null;
			this.#done = derived ? run : null;
			this.#next();
		});
	}
}
