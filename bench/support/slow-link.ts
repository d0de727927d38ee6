/**
 * A TCP proxy on 127.0.0.1 whose one-way delay can be changed while connections are open: a
 * workstation can do its first full sync over a slow link and then go on at loopback speed, without
 * reconnecting (which would change what is measured next). Each chunk, in each direction, leaves
 * `oneWayMs` after it arrived, never before the chunk ahead of it, so order is kept when the delay
 * drops. Latency only, like delay-proxy.ts: no bandwidth limit, no slow start.
 */
import net from 'node:net';

export class SlowLink {
	/** Added to every chunk in each direction from now on; the round trip is twice this. */
	oneWayMs: number;
	bytesDown = 0;
	bytesUp = 0;
	private readonly sockets = new Set<net.Socket>();

	private constructor(
		private readonly server: net.Server,
		readonly port: number,
		oneWayMs: number
	) {
		this.oneWayMs = oneWayMs;
	}

	static async start(targetPort: number, oneWayMs: number): Promise<SlowLink> {
		let link: SlowLink | null = null;
		const server = net.createServer((client) => {
			if (!link) return client.destroy();
			const l = link;
			const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
			for (const s of [client, upstream]) {
				s.setNoDelay(true);
				l.sockets.add(s);
				s.on('close', () => l.sockets.delete(s));
				s.on('error', () => {
					client.destroy();
					upstream.destroy();
				});
			}
			l.pipe(client, upstream, (n) => (l.bytesUp += n));
			l.pipe(upstream, client, (n) => (l.bytesDown += n));
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		const address = server.address();
		if (!address || typeof address === 'string') throw new Error('proxy has no port');
		link = new SlowLink(server, address.port, oneWayMs);
		return link;
	}

	/** One direction: a queue drained by one timer, so chunks leave in the order they came. */
	private pipe(from: net.Socket, to: net.Socket, count: (n: number) => void): void {
		const queue: { at: number; chunk: Buffer | null }[] = [];
		let timer: NodeJS.Timeout | null = null;
		const drain = () => {
			timer = null;
			const now = performance.now();
			while (queue.length > 0 && queue[0]!.at <= now + 0.5) {
				const { chunk } = queue.shift()!;
				if (to.destroyed) continue;
				if (chunk) to.write(chunk);
				else to.end();
			}
			if (queue.length > 0) timer = setTimeout(drain, queue[0]!.at - now);
		};
		const push = (chunk: Buffer | null) => {
			const last = queue[queue.length - 1]?.at ?? 0;
			queue.push({ at: Math.max(last, performance.now() + this.oneWayMs), chunk });
			if (chunk) count(chunk.length);
			if (this.oneWayMs === 0 && !timer) drain();
			else if (!timer) timer = setTimeout(drain, Math.max(0, queue[0]!.at - performance.now()));
		};
		from.on('data', (chunk: Buffer) => push(chunk));
		from.on('end', () => push(null));
	}

	async close(): Promise<void> {
		for (const s of this.sockets) s.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
