/** Data structures behind `PatientIndex` (search.ts): plain arrays and numbers, no dependencies. */

/** Index of the first string in `sorted` that is not below `key`. */
export function lowerBound(sorted: readonly string[], key: string, from = 0): number {
	let lo = from;
	let hi = sorted.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (sorted[mid]! < key) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** First index at or after `from` whose string does not start with `prefix` (all before it do). */
export function endOfPrefix(sorted: readonly string[], prefix: string, from: number): number {
	let lo = from;
	let hi = sorted.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (sorted[mid]!.startsWith(prefix)) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

export function commonPrefix(a: string, b: string): number {
	const n = Math.min(a.length, b.length);
	let i = 0;
	while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
	return i;
}

/** Merges two sorted arrays, `before(a, b)` meaning a sorts first. */
export function merge<T>(a: readonly T[], b: readonly T[], before: (x: T, y: T) => boolean): T[] {
	const out = new Array<T>(a.length + b.length);
	let i = 0;
	let j = 0;
	let k = 0;
	while (i < a.length && j < b.length) out[k++] = before(b[j]!, a[i]!) ? b[j++]! : a[i++]!;
	while (i < a.length) out[k++] = a[i++]!;
	while (j < b.length) out[k++] = b[j++]!;
	return out;
}

/**
 * Damerau (optimal string alignment) distance between a query token `t` and a name `s`, bounded by
 * `max`. Rows are indexed by positions in `s`, so a caller walking sorted names can keep the rows of
 * the prefix two names share and compute only the rest.
 */
export class Damerau {
	private rows = new Int32Array(64);
	private width = 0;
	/** Set by `measure`: distance to the whole of `s`, or `max + 1` when over. */
	full = 0;
	/** Set by `measure`: smallest distance to a prefix of `s` of |t|..|t|+max letters, or `max + 1`. */
	prefix = 0;

	/** Prepares rows for token `t` and bound `max`; row 0 is filled in. */
	reset(t: string, max: number): void {
		this.width = t.length + 1;
		const need = (t.length + max + 2) * this.width;
		if (this.rows.length < need) this.rows = new Int32Array(need * 2);
		for (let i = 0; i < this.width; i++) this.rows[i] = i;
	}

	/** Fills row `j` (the first j letters of `s`) from rows j-1 and j-2; returns the row's minimum. */
	row(t: string, s: string, j: number): number {
		const w = this.width;
		const rows = this.rows;
		const cur = j * w;
		const prev = cur - w;
		const sc = s.charCodeAt(j - 1);
		const sp = j > 1 ? s.charCodeAt(j - 2) : -1;
		rows[cur] = j;
		let min = j;
		let tp = -1;
		for (let i = 1; i < w; i++) {
			const tc = t.charCodeAt(i - 1);
			let v = rows[prev + i - 1]! + (tc === sc ? 0 : 1);
			const del = rows[prev + i]! + 1;
			if (del < v) v = del;
			const ins = rows[cur + i - 1]! + 1;
			if (ins < v) v = ins;
			if (tc === sp && tp === sc && i > 1 && j > 1) {
				const swap = rows[prev - w + i - 2]! + 1;
				if (swap < v) v = swap;
			}
			rows[cur + i] = v;
			if (v < min) min = v;
			tp = tc;
		}
		return min;
	}

	/** Distance between all of `t` and the first j letters of `s` (row j must be filled). */
	last(j: number): number {
		return this.rows[j * this.width + this.width - 1]!;
	}

	/** Sets `full` and, when `prefix`, `prefix` for `t` against `s`. */
	measure(t: string, s: string, max: number, prefix: boolean): void {
		this.reset(t, max);
		this.full = max + 1;
		this.prefix = max + 1;
		const depth = Math.min(s.length, t.length + max);
		for (let j = 1; j <= depth; j++) {
			if (this.row(t, s, j) > max) return;
			if (prefix && j >= t.length && this.last(j) < this.prefix) this.prefix = this.last(j);
		}
		if (s.length <= t.length + max && this.last(s.length) <= max) this.full = this.last(s.length);
	}
}

/** Where look-ups deliver what they find: an owner and its score. */
export interface Sink {
	take(owner: number, score: number): void;
}

/** One sorted run of (key, owner, generation) in parallel arrays. */
interface Run {
	keys: string[];
	owners: number[];
	gens: number[];
}

function mergeRuns(a: Run, b: Run): Run {
	const n = a.keys.length + b.keys.length;
	const out: Run = { keys: new Array<string>(n), owners: new Array<number>(n), gens: new Array<number>(n) };
	let i = 0;
	let j = 0;
	for (let k = 0; k < n; k++) {
		const fromB = i >= a.keys.length || (j < b.keys.length && b.keys[j]! < a.keys[i]!);
		const src = fromB ? b : a;
		const at = fromB ? j++ : i++;
		out.keys[k] = src.keys[at]!;
		out.owners[k] = src.owners[at]!;
		out.gens[k] = src.gens[at]!;
	}
	return out;
}

/**
 * Strings with an owner each, for prefix look-ups. They are kept in sorted runs of at most
 * `RUN_MAX` keys: a batch of additions becomes a new run at `settle`, and runs are merged pairwise
 * (like a binary counter) until they reach that size. So no `settle` merges more than ~2 × RUN_MAX
 * keys, however large the index, and a look-up is one binary search per run. Removals are dropped at
 * `settle` by comparing each owner's generation with the one it had when added, so an owner can be
 * removed and re-added cheaply in between.
 */
export class SortedKeys {
	static readonly RUN_MAX = 16_384;
	private runs: Run[] = [];
	private pending: Run = { keys: [], owners: [], gens: [] };
	private stale = false;

	add(key: string, owner: number, gen: number): void {
		this.pending.keys.push(key);
		this.pending.owners.push(owner);
		this.pending.gens.push(gen);
	}

	/** Marks that some owners changed generation: their old keys go at the next `settle`. */
	invalidate(): void {
		this.stale = true;
	}

	settle(current: (owner: number, gen: number) => boolean): void {
		if (this.stale) {
			this.runs = this.runs.map((run) => filterRun(run, current)).filter((run) => run.keys.length > 0);
			this.stale = false;
		}
		if (this.pending.keys.length === 0) return;
		const batch = filterRun(this.pending, current);
		this.pending = { keys: [], owners: [], gens: [] };
		const order = batch.keys.map((_, i) => i);
		order.sort((x, y) => (batch.keys[x]! < batch.keys[y]! ? -1 : batch.keys[x]! > batch.keys[y]! ? 1 : 0));
		const run: Run = {
			keys: order.map((i) => batch.keys[i]!),
			owners: order.map((i) => batch.owners[i]!),
			gens: order.map((i) => batch.gens[i]!)
		};
		if (run.keys.length > 0) this.runs.push(run);
		for (;;) {
			const n = this.runs.length;
			if (n < 2) break;
			const last = this.runs[n - 1]!;
			const prev = this.runs[n - 2]!;
			if (last.keys.length < prev.keys.length || prev.keys.length + last.keys.length > 2 * SortedKeys.RUN_MAX)
				break;
			this.runs.splice(n - 2, 2, mergeRuns(prev, last));
		}
	}

	/** Gives `into` the owner of every key equal to `key`, with `score` (call `settle` first). */
	withKey(key: string, into: Sink, score: number): void {
		for (const { keys, owners } of this.runs)
			for (let i = lowerBound(keys, key); i < keys.length && keys[i] === key; i++)
				into.take(owners[i]!, score);
	}

	/**
	 * Gives `into` the owner of every key starting with `prefix`: with `exactScore` when the key is
	 * `prefix` itself, else `prefixScore` (call `settle` first).
	 */
	withPrefix(prefix: string, into: Sink, exactScore: number, prefixScore: number): void {
		for (const { keys, owners } of this.runs) {
			const from = lowerBound(keys, prefix);
			const to = endOfPrefix(keys, prefix, from);
			// Keys equal to the prefix sort first in its range.
			let i = from;
			for (; i < to && keys[i] === prefix; i++) into.take(owners[i]!, exactScore);
			for (; i < to; i++) into.take(owners[i]!, prefixScore);
		}
	}
}

function filterRun(run: Run, current: (owner: number, gen: number) => boolean): Run {
	const out: Run = { keys: [], owners: [], gens: [] };
	for (let i = 0; i < run.keys.length; i++) {
		if (!current(run.owners[i]!, run.gens[i]!)) continue;
		out.keys.push(run.keys[i]!);
		out.owners.push(run.owners[i]!);
		out.gens.push(run.gens[i]!);
	}
	return out;
}

/**
 * The best `k` of a stream of candidates, each a (score, name key, slot): higher score first, then the
 * lower name key; `tie(a, b)` settles equal name keys (true when slot a goes first). Typed arrays keep
 * V8's view of the numbers stable from one query to the next.
 */
export class TopK {
	/** A heap whose root is the worst candidate kept. */
	private readonly scores: Float64Array;
	private readonly names: Float64Array;
	private readonly slots: Int32Array;
	private n = 0;

	constructor(
		private readonly k: number,
		private readonly tie: (a: number, b: number) => boolean
	) {
		const size = Math.max(0, k);
		this.scores = new Float64Array(size);
		this.names = new Float64Array(size);
		this.slots = new Int32Array(size);
	}

	/** Whether (score s, name key c, slot a) goes before heap item i. */
	private before(s: number, c: number, a: number, i: number): boolean {
		const si = this.scores[i]!;
		if (s !== si) return s > si;
		const ci = this.names[i]!;
		if (c !== ci) return c < ci;
		return this.tie(a, this.slots[i]!);
	}

	private put(i: number, s: number, c: number, a: number): void {
		this.scores[i] = s;
		this.names[i] = c;
		this.slots[i] = a;
	}

	private move(from: number, to: number): void {
		this.put(to, this.scores[from]!, this.names[from]!, this.slots[from]!);
	}

	offer(score: number, name: number, slot: number): void {
		let i: number;
		if (this.n < this.k) {
			// Sift up from the new leaf while the new item is worse than its parent.
			i = this.n++;
			while (i > 0) {
				const parent = (i - 1) >> 1;
				if (this.before(score, name, slot, parent)) break;
				this.move(parent, i);
				i = parent;
			}
		} else {
			if (this.k === 0 || !this.before(score, name, slot, 0)) return;
			// Replace the root (the worst) and sift down while a child is worse.
			i = 0;
			for (;;) {
				const l = 2 * i + 1;
				if (l >= this.n) break;
				const r = l + 1;
				const worse = r < this.n && this.before(this.scores[l]!, this.names[l]!, this.slots[l]!, r) ? r : l;
				if (!this.before(score, name, slot, worse)) break;
				this.move(worse, i);
				i = worse;
			}
		}
		this.put(i, score, name, slot);
	}

	/** The kept (score, slot) pairs, best first. */
	sorted(): { score: number; slot: number }[] {
		const idx = Array.from({ length: this.n }, (_, i) => i);
		idx.sort((x, y) => (this.before(this.scores[x]!, this.names[x]!, this.slots[x]!, y) ? -1 : 1));
		return idx.map((i) => ({ score: this.scores[i]!, slot: this.slots[i]! }));
	}
}
