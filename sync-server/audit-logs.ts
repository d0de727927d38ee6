/**
 * `GET /auth/audit-logs`: the names of every workstation's audit log document (`audit/<device>`),
 * for an administrator's audit screen — a workstation cannot otherwise learn the ids of the others.
 * Needs a relay access token that may read `audit/` (administrators'); the answer holds device ids
 * only.
 */
import type http from 'node:http';
import { mayOpen } from '../src/lib/domain/sync/claims';
import type { Verifier } from './auth';
import { log } from './log';
import type { DocStore } from './store/types';

export function createAuditLogsHandler(verify: Verifier, store: Pick<DocStore, 'listDocs'>) {
	return (req: http.IncomingMessage, res: http.ServerResponse): void => {
		const send = (status: number, body: unknown) => {
			res.writeHead(status, {
				'Content-Type': 'application/json',
				'Cache-Control': 'no-store',
				'X-Content-Type-Options': 'nosniff'
			});
			res.end(JSON.stringify(body));
		};
		if (req.method !== 'GET') {
			res.setHeader('Allow', 'GET');
			return send(405, { error: 'method-not-allowed' });
		}
		const header = req.headers.authorization ?? '';
		const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
		verify(token)
			.then(async (result) => {
				if (!result.ok) return send(401, { error: 'invalid-token' });
				// Any device's log: a token that reads only its own (`audit/<id>`) does not qualify.
				if (!mayOpen(result.claims, 'audit/~any-device')) return send(403, { error: 'forbidden' });
				send(200, { docs: await store.listDocs('audit/') });
			})
			.catch((e: unknown) => {
				log.error('audit-logs-failed', { error: e instanceof Error ? e.name : 'unknown' });
				send(500, { error: 'internal' });
			});
	};
}
