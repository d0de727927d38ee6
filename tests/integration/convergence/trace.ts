/** Plumbing shared by a run's parts: the step trace, console capture, and the microtask barrier. */
import { vi } from 'vitest';

/** Microtasks are real: one macrotask turn runs every promise chain the last step started. */
export const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** The last steps of a run, for the failure message; CONVERGENCE_TRACE=1 prints every step as it happens. */
export class Trace {
	private readonly lines: string[] = [];
	private readonly verbose = process.env.CONVERGENCE_TRACE === '1';
	step = 0;

	add(line: string): void {
		const text = `${this.step}: ${line}`;
		if (this.verbose) process.stdout.write(`${text}\n`);
		this.lines.push(text);
		if (this.lines.length > 60) this.lines.shift();
	}

	toString(): string {
		return this.lines.join('\n');
	}
}

/** The relay and y-websocket log to the console; during a run their lines go to the trace instead. */
export function captureConsole(trace: Trace): () => void {
	const spies = (['log', 'info', 'warn', 'error'] as const).map((level) =>
		vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
			trace.add(`[${level}] ${args.map(String).join(' ')}`.slice(0, 200));
		})
	);
	return () => {
		for (const s of spies) s.mockRestore();
	};
}
