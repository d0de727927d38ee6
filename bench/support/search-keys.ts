/**
 * The slowest search keystrokes one by one (LARGE_CLINIC_PROFILE): for each, what ran on B's main
 * thread from the keydown to the next frame's start — every task in that window with its kind (input
 * event, timer, message, animation frame…), its length and where its time went. A summary over all
 * keys hides whether a slow key did more of the same work or met another task (a sync status timer,
 * an index catch-up, the store's after-paint work).
 */
import type { TraceEvent } from './browser';
import type { Keystroke } from './clinic-search';

const KEYSTROKE = 'clinicdesk:large-clinic:keystroke';

/** What an event was about, from its args: the input event's type, the timer's or function's source. */
function label(e: TraceEvent): string {
	const d = e.args?.data;
	if (!d) return e.name;
	const bits: string[] = [];
	for (const k of ['type', 'functionName', 'timerId', 'id'])
		if (d[k] !== undefined && d[k] !== '') bits.push(`${k}=${String(d[k])}`);
	if (typeof d.url === 'string' && d.url)
		bits.push(`${d.url.replace(/^.*\//, '')}:${String(d.lineNumber ?? '')}`);
	if (typeof d.stackTrace === 'object' && Array.isArray(d.stackTrace) && d.stackTrace[0])
		bits.push(`from ${String((d.stackTrace[0] as { functionName?: string }).functionName ?? '')}`);
	return bits.length ? `${e.name}(${bits.join(' ')})` : e.name;
}

interface Node {
	e: TraceEvent;
	children: Node[];
}

function forest(events: readonly TraceEvent[]): Node[] {
	const sorted = [...events].sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
	const roots: Node[] = [];
	const stack: Node[] = [];
	for (const e of sorted) {
		while (stack.length && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= e.ts)
			stack.pop();
		const n = { e, children: [] };
		(stack.length ? stack[stack.length - 1]!.children : roots).push(n);
		stack.push(n);
	}
	return roots;
}

/** Self time by label inside a task, largest first. */
function selfTimes(n: Node, into = new Map<string, number>()): Map<string, number> {
	const childUs = n.children.reduce((s, c) => s + c.e.dur!, 0);
	const key = label(n.e);
	into.set(key, (into.get(key) ?? 0) + Math.max(0, n.e.dur! - childUs) / 1000);
	for (const c of n.children) selfTimes(c, into);
	return into;
}

/** The first event under a task that says what kind of task it was (input, timer, frame, message…). */
const TELLING =
	/EventDispatch|HandleInputEvent|TimerFire|FireAnimationFrame|BeginMainFrame|FireIdleCallback|FunctionCall|GC|ParseHTML|Receive|Message/;
function kindOf(n: Node): string {
	const queue = [n];
	while (queue.length) {
		const x = queue.shift()!;
		if (TELLING.test(x.e.name)) return label(x.e);
		queue.push(...x.children);
	}
	return n.e.name;
}

export interface KeyReport {
	key: Keystroke;
	ms: number;
	lines: string[];
}

/**
 * One report per keystroke for the `worst` slowest (keydown → next frame start), from a trace that
 * holds the probe's `keystroke` measures of exactly these records, in order.
 */
export function slowestKeys(
	trace: { traceEvents: TraceEvent[] },
	records: readonly Keystroke[],
	worst: number
): { reports: KeyReport[]; aligned: boolean } {
	const events = trace.traceEvents;
	const begins = events
		.filter((e) => e.cat === 'blink.user_timing' && e.name === KEYSTROKE && e.ph === 'b')
		.sort((a, b) => a.ts - b.ts);
	const timed = records.filter((r) => Number.isFinite(r.frame));
	const aligned = begins.length === timed.length;
	if (!aligned || begins.length === 0) return { reports: [], aligned };
	const pid = begins[0]!.pid;
	const main = events.find(
		(e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain'
	);
	if (!main) return { reports: [], aligned };
	const tasks = forest(
		events.filter((e) => e.ph === 'X' && e.pid === pid && e.tid === main.tid && e.dur !== undefined)
	);
	const order = timed
		.map((r, i) => ({ r, i, ms: r.processed - r.t0 }))
		.filter((x) => Number.isFinite(x.ms))
		.sort((a, b) => b.ms - a.ms)
		.slice(0, worst);
	const reports = order.map(({ r, i, ms }) => {
		// The measure starts at the keydown's timeStamp: that gives the page clock's offset in the trace.
		const offsetUs = begins[i]!.ts - r.t0 * 1000;
		const from = r.t0 * 1000 + offsetUs;
		const to = r.processed * 1000 + offsetUs;
		const lines: string[] = [];
		let idleUs = to - from;
		for (const t of tasks) {
			const end = t.e.ts + t.e.dur!;
			if (end <= from - 2000 || t.e.ts >= to) continue;
			if (t.e.dur! < 100) continue;
			const inside = Math.max(0, Math.min(end, to) - Math.max(t.e.ts, from));
			idleUs -= inside;
			const top = [...selfTimes(t)]
				.sort((a, b) => b[1] - a[1])
				.filter(([, v]) => v >= 0.2)
				.slice(0, 6)
				.map(([k, v]) => `${k} ${v.toFixed(1)}`)
				.join(', ');
			lines.push(
				`${((t.e.ts - from) / 1000).toFixed(1).padStart(6)} ms +${(t.e.dur! / 1000).toFixed(1).padStart(5)} ` +
					`(cpu ${((t.e.tdur ?? t.e.dur!) / 1000).toFixed(1)}) ${kindOf(t)} :: ${top}`
			);
		}
		lines.push(`  main thread not running a task for ${(Math.max(0, idleUs) / 1000).toFixed(1)} ms of it`);
		return { key: r, ms, lines };
	});
	return { reports, aligned };
}
