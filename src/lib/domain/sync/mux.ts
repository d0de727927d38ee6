/**
 * The multiplexed sync wire format: one WebSocket per workstation carries every open document.
 *
 * A remote site on a 300–600 ms link pays one TCP + TLS + WebSocket handshake per socket, and
 * browsers open sockets to one host one handshake at a time; with one socket per document, opening
 * twenty documents costs twenty handshakes. Here the socket is opened once and each document is a
 * *channel* on it. Inside a channel the bytes are exactly y-websocket's messages (y-protocols sync,
 * awareness, query-awareness), so the client side can hand a virtual socket per channel to a stock
 * y-websocket `WebsocketProvider`, and the relay runs the same per-document logic for both endpoints.
 *
 * Every frame is binary: varUint frame type, varUint channel id, then the body.
 *   OPEN    (0)  client → relay   body: varString document name. Channel ids are picked by the client.
 *   MESSAGE (1)  both ways        body: the rest of the frame, one y-websocket message.
 *   CLOSE   (2)  both ways        body: varUint close code, varString reason (no PHI, ≤ 123 bytes).
 *   AUTH    (3)  client → relay   channel 0, body: varString fresh token (replaces the connection's claims).
 *
 * Closing a channel is a handshake, because MESSAGE frames for the old document may still be in
 * flight: were the client to reuse a channel id at once, it would apply the old document's updates
 * to the new one. So a side sends nothing more on a channel after its CLOSE; the relay answers a
 * client's CLOSE for an open channel with a CLOSE (code `normal`); a CLOSE for a channel that is not
 * open is ignored and never answered. The client may reuse a channel id once it has received the
 * relay's CLOSE for it (the answer, or a relay-initiated CLOSE that crossed its own). The relay
 * ignores MESSAGE frames for channels that are not open (they may have crossed a CLOSE) and treats
 * an OPEN for a channel that is still open as a protocol error (the connection closes with
 * `badRequest`).
 *
 * Close codes follow y-websocket's convention: 4400–4499 mean "reconnecting cannot help" (no access,
 * bad request), anything else is transient.
 *
 * The token is never in the URL: it travels as the WebSocket subprotocol `bearer.<jwt>` next to
 * `clinicdesk.v1`, and the relay answers with `clinicdesk.v1` only.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const SUBPROTOCOL = 'clinicdesk.v1';
export const BEARER_PREFIX = 'bearer.';

export const FrameType = { open: 0, message: 1, close: 2, auth: 3 } as const;

export const CloseCode = {
	/** A channel's orderly end (also the relay's answer to a client's CLOSE). */
	normal: 1000,
	badRequest: 4400,
	unauthorized: 4401,
	forbidden: 4403,
	notFound: 4404,
	tooLarge: 4413,
	/** Transient: the relay is shutting down or restarting. */
	goingAway: 4500,
	/** Transient: slow down and reconnect later. */
	rateLimited: 4529
} as const;

export type Frame =
	| { type: 'open'; channel: number; docName: string }
	| { type: 'message'; channel: number; payload: Uint8Array }
	| { type: 'close'; channel: number; code: number; reason: string }
	| { type: 'auth'; token: string };

export class FrameError extends Error {
	override name = 'FrameError';
}

const MAX_CHANNEL = 0xffff;
const MAX_NAME = 80;
const MAX_REASON = 123;
const MAX_TOKEN = 8192;

export function encodeFrame(frame: Frame): Uint8Array {
	const e = encoding.createEncoder();
	switch (frame.type) {
		case 'open':
			encoding.writeVarUint(e, FrameType.open);
			encoding.writeVarUint(e, frame.channel);
			encoding.writeVarString(e, frame.docName);
			break;
		case 'message':
			encoding.writeVarUint(e, FrameType.message);
			encoding.writeVarUint(e, frame.channel);
			encoding.writeUint8Array(e, frame.payload);
			break;
		case 'close':
			encoding.writeVarUint(e, FrameType.close);
			encoding.writeVarUint(e, frame.channel);
			encoding.writeVarUint(e, frame.code);
			encoding.writeVarString(e, frame.reason.slice(0, MAX_REASON));
			break;
		case 'auth':
			encoding.writeVarUint(e, FrameType.auth);
			encoding.writeVarUint(e, 0);
			encoding.writeVarString(e, frame.token);
			break;
	}
	return encoding.toUint8Array(e);
}

/** Decodes one frame; throws FrameError on anything malformed (never a lib0 RangeError). */
export function decodeFrame(data: Uint8Array): Frame {
	try {
		const d = decoding.createDecoder(data);
		const type = decoding.readVarUint(d);
		const channel = decoding.readVarUint(d);
		if (channel > MAX_CHANNEL) throw new FrameError('channel id out of range');
		switch (type) {
			case FrameType.open: {
				const docName = decoding.readVarString(d);
				if (docName.length === 0 || docName.length > MAX_NAME) throw new FrameError('bad document name');
				expectEnd(d);
				return { type: 'open', channel, docName };
			}
			case FrameType.message: {
				const payload = data.subarray(d.pos);
				if (payload.length === 0) throw new FrameError('empty message');
				return { type: 'message', channel, payload };
			}
			case FrameType.close: {
				const code = decoding.readVarUint(d);
				const reason = decoding.readVarString(d);
				if (reason.length > MAX_REASON) throw new FrameError('close reason too long');
				expectEnd(d);
				return { type: 'close', channel, code, reason };
			}
			case FrameType.auth: {
				const token = decoding.readVarString(d);
				if (token.length > MAX_TOKEN) throw new FrameError('token too long');
				expectEnd(d);
				return { type: 'auth', token };
			}
			default:
				throw new FrameError('unknown frame type');
		}
	} catch (e) {
		if (e instanceof FrameError) throw e;
		throw new FrameError('truncated or malformed frame');
	}
}

function expectEnd(d: decoding.Decoder): void {
	if (decoding.hasContent(d)) throw new FrameError('trailing bytes');
}

/** Splits the offered subprotocols into ours and the bearer token, if any. */
export function parseSubprotocols(offered: Iterable<string>): { ours: boolean; token: string | null } {
	let ours = false;
	let token: string | null = null;
	for (const p of offered) {
		if (p === SUBPROTOCOL) ours = true;
		else if (p.startsWith(BEARER_PREFIX)) token = p.slice(BEARER_PREFIX.length);
	}
	return { ours, token };
}

export function subprotocolsFor(token: string): string[] {
	return [SUBPROTOCOL, `${BEARER_PREFIX}${token}`];
}
