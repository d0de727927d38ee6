/** The MuxConnection's public types: its options, status, events and the socket it drives. */
import type { BackoffPolicy } from './backoff';

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'closed' | 'unauthorized';

/** The part of a WebSocket the mux uses: the browser's WebSocket and node's `ws` both fit. */
export interface RealSocket {
	binaryType: string;
	readonly readyState: number;
	readonly protocol: string;
	onopen: ((ev: never) => void) | null;
	onmessage: ((ev: never) => void) | null;
	onclose: ((ev: never) => void) | null;
	onerror: ((ev: never) => void) | null;
	send(data: Uint8Array): void;
	close(code?: number, reason?: string): void;
}
export type WebSocketImpl = new (url: string, protocols: string[]) => RealSocket;

export type MuxErrorCode =
	| 'socket-error'
	| 'connect-timeout'
	| 'protocol-mismatch'
	| 'bad-frame'
	| 'rejected'
	| 'channel-closed'
	| 'listener-threw';

/** Never carries payloads or tokens: a code, maybe a close code, maybe a document name. */
export interface MuxError {
	code: MuxErrorCode;
	closeCode?: number;
	docName?: string;
}

export interface MuxStats {
	connects: number;
	bytesIn: number;
	bytesOut: number;
	framesIn: number;
	framesOut: number;
}

export interface RetryInfo {
	/** 0 for the first retry after a failure. */
	attempt: number;
	ceilingMs: number;
	delayMs: number;
}

export interface MuxEvents extends Record<string, unknown[]> {
	status: [status: ConnectionStatus];
	traffic: [stats: Readonly<MuxStats>];
	error: [error: MuxError];
	retry: [retry: RetryInfo];
}

export interface MuxOptions {
	/** The clinic server's origin as a ws(s) URL, e.g. `wss://clinic.example:8080`. */
	baseUrl: string;
	token: string;
	/** Defaults to the browser's WebSocket; node tests pass `ws`. */
	WebSocketImpl?: WebSocketImpl;
	/** Defaults to Math.random; tests inject a sequence. */
	random?: () => number;
	backoff?: Partial<BackoffPolicy>;
	/** How long a connection must stay open before the backoff starts over. */
	stableMs?: number;
	/** A connection attempt that neither opens nor fails within this time is abandoned and retried. */
	connectTimeoutMs?: number;
}
