/**
 * A tiny typed event emitter. `on` returns its own unsubscribe function so a state class (or a
 * Svelte `$effect`) can hold one cleanup per subscription instead of keeping the listener around.
 */
export type EventMap = Record<string, unknown[]>;

export class Emitter<E extends EventMap> {
	private readonly listeners = new Map<keyof E, Set<unknown>>();

	on<K extends keyof E>(name: K, fn: (...args: E[K]) => void): () => void {
		let set = this.listeners.get(name);
		if (!set) {
			set = new Set();
			this.listeners.set(name, set);
		}
		set.add(fn);
		return () => this.off(name, fn);
	}

	off<K extends keyof E>(name: K, fn: (...args: E[K]) => void): void {
		this.listeners.get(name)?.delete(fn);
	}

	emit<K extends keyof E>(name: K, ...args: E[K]): void {
		const set = this.listeners.get(name);
		if (!set) return;
		// A copy, so a listener that unsubscribes (or subscribes another) does not disturb this round.
		for (const fn of [...set]) (fn as (...a: E[K]) => void)(...args);
	}

	clear(): void {
		this.listeners.clear();
	}
}
