/**
 * A TCP proxy on 127.0.0.1 that makes a slow link out of loopback: every chunk, in each direction,
 * is held for `oneWayMs` before it is passed on (150 ms each way = a 300 ms round trip), in order.
 *
 * What it models and what it does not:
 * - Latency only. Bandwidth is unlimited and TCP's slow start does not happen (the real connection
 *   underneath is loopback), so a large document costs one one-way delay however big it is. A real
 *   300 ms link is also narrow: the benchmarks report the bytes each client received, so the time
 *   the link's bandwidth would add can be worked out.
 * - The TCP handshake to the proxy is instant (loopback). `setupRtts` holds each connection's first
 *   bytes upstream for that many extra round trips, standing in for the handshakes a real `wss://`
 *   connection pays before its HTTP upgrade can go out: 1 for TCP, +1 for TLS 1.3 (+2 for TLS 1.2).
 */
import net from 'node:net';

export interface DelayProxyOptions {
	targetPort: number;
	/** Added to every chunk in each direction; the round trip is twice this. */
	oneWayMs: number;
	/** Extra round trips before a new connection's first bytes go upstream (see above). Default 0. */
	setupRtts?: number;
}

interface Queued {
	at: number;
	chunk: Buffer | null;
}

/** One direction of one connection: chunks leave in arrival order, each `delay` after it came. */
class DelayedPipe {
	private readonly queue: Queued[] = [];
	private timer: NodeJS.Timeout | null = null;

	constructor(
		private readonly to: net.Socket,
		private readonly onBytes: (n: number) => void
	) {}

	push(chunk: Buffer | null, at: number): void {
		this.queue.push({ at, chunk });
		if (chunk) this.onBytes(chunk.length);
		if (!this.timer) this.arm();
	}

	stop(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.queue.length = 0;
	}

	private arm(): void {
		const head = this.queue[0];
		if (!head) {
			this.timer = null;
			return;
		}
		this.timer = setTimeout(() => this.flush(), Math.max(0, head.at - performance.now()));
	}

	private flush(): void {
		const now = performance.now();
		while (this.queue.length > 0 && this.queue[0]!.at <= now + 0.5) {
			const { chunk } = this.queue.shift()!;
			if (this.to.destroyed) continue;
			if (chunk) this.to.write(chunk);
			else this.to.end();
		}
		this.arm();
	}
}

export class DelayProxy {
	/** Since the last `resetCounters`, counting only connections opened since then. */
	bytesUp = 0;
	bytesDown = 0;
	connections = 0;
	private epoch = 0;
	private readonly sockets = new Set<net.Socket>();
	private readonly pipes = new Set<DelayedPipe>();

	private constructor(
		private readonly server: net.Server,
		readonly port: number
	) {}

	static async start(opts: DelayProxyOptions): Promise<DelayProxy> {
		const setupMs = (opts.setupRtts ?? 0) * 2 * opts.oneWayMs;
		let proxy: DelayProxy | null = null;
		const server = net.createServer((client) => {
			if (!proxy) return client.destroy();
			const p = proxy;
			// Bytes of connections from before the last reset (still closing) count for nobody.
			const epoch = p.epoch;
			const mine = () => epoch === p.epoch;
			p.connections += 1;
			const openedAt = performance.now();
			const upstream = net.connect({ host: '127.0.0.1', port: opts.targetPort });
			for (const s of [client, upstream]) {
				s.setNoDelay(true);
				p.sockets.add(s);
			}
			const up = new DelayedPipe(upstream, (n) => {
				if (mine()) p.bytesUp += n;
			});
			const down = new DelayedPipe(client, (n) => {
				if (mine()) p.bytesDown += n;
			});
			p.pipes.add(up);
			p.pipes.add(down);
			const upAt = () => Math.max(performance.now(), openedAt + setupMs) + opts.oneWayMs;
			const downAt = () => performance.now() + opts.oneWayMs;
			client.on('data', (c: Buffer) => up.push(c, upAt()));
			upstream.on('data', (c: Buffer) => down.push(c, downAt()));
			client.on('end', () => up.push(null, upAt()));
			upstream.on('end', () => down.push(null, downAt()));
			const teardown = () => {
				up.stop();
				down.stop();
				p.pipes.delete(up);
				p.pipes.delete(down);
				client.destroy();
				upstream.destroy();
				p.sockets.delete(client);
				p.sockets.delete(upstream);
			};
			client.on('error', teardown);
			upstream.on('error', teardown);
			client.on('close', () => {
				p.sockets.delete(client);
				// Give anything still queued upstream its delay, then drop the pair.
				setTimeout(teardown, opts.oneWayMs + 50).unref();
			});
			upstream.on('close', () => {
				p.sockets.delete(upstream);
				setTimeout(teardown, opts.oneWayMs + 50).unref();
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		const address = server.address();
		if (!address || typeof address === 'string') throw new Error('proxy has no port');
		proxy = new DelayProxy(server, address.port);
		return proxy;
	}

	resetCounters(): void {
		this.epoch += 1;
		this.bytesUp = 0;
		this.bytesDown = 0;
		this.connections = 0;
	}

	async close(): Promise<void> {
		for (const p of this.pipes) p.stop();
		this.pipes.clear();
		for (const s of this.sockets) s.destroy();
		this.sockets.clear();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
