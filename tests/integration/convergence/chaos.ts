/**
 * One random step of a run, chosen by weight among what is possible right now: deliver the next
 * messages of one socket direction, complete or fail a handshake, edit, let time pass, break a
 * socket or let one end notice it broke, have the relay drop a connection, restart or crash, let
 * the store finish an operation, take workstations offline and back, reload them, refresh their
 * token, detach and attach documents. Delivery dominates, so most of the time traffic flows while
 * edits and failures interleave with it.
 */
import { vi } from 'vitest';
import type { DocName } from '../../../src/lib/crdt/layout';
import type { SyncClaims } from '../../../src/lib/domain/sync/claims';
import { CloseCode } from '../../../src/lib/domain/sync/mux';
import type { EditLog } from './edits';
import type { Network } from './network';
import type { Random } from './random';
import type { InProcessRelay } from './relay';
import { settle, type Trace } from './trace';
import type { Workstation } from './workstations';

export interface World {
	rand: Random;
	network: Network;
	relay: InProcessRelay;
	stations: Workstation[];
	log: EditLog;
	claims: Map<string, SyncClaims>;
	docs: readonly DocName[];
	trace: Trace;
}

export class Chaos {
	linkBreaks = 0;
	relayDrops = 0;
	reloads = 0;
	evictions = 0;
	/** Sum over steps of the share of workstations that were synced. */
	online = 0;
	/** Steps after which a relay document held an update it could only partly apply (see checkRelay). */
	halfApplied = 0;

	constructor(private readonly w: World) {}

	async step(): Promise<void> {
		const { rand, network, relay, stations, trace } = this.w;
		const queues = network.queues();
		const pending = network.pendingHandshakes();
		const unnoticed = network.unnoticed();
		const open = network.openLinks();
		const detached = stations.filter((s) => s.attached.size < this.w.docs.length);
		const action = rand.weighted({
			deliver: queues.length > 0 ? 60 : 0,
			handshake: pending.length > 0 ? 15 : 0,
			edit: 14,
			time: 8,
			breakLink: open.length > 0 ? 1 : 0,
			notice: unnoticed.length > 0 ? 8 : 0,
			relayDrop: 0.4,
			pause: 0.8,
			everyoneOffline: 0.3,
			reload: 0.4,
			refreshToken: 0.3,
			resume: stations.some((s) => s.paused) ? 4 : 0,
			detach: 1.5,
			attach: detached.length > 0 ? 3 : 0,
			store: relay.store.held.length > 0 ? 6 : 0,
			restart: 0.15,
			crash: 0.1
		});
		this.online += stations.filter((s) => s.synced).length / stations.length;
		const resident = relay.docs.resident;
		switch (action) {
			case 'deliver': {
				const { link, dir } = rand.pick(queues);
				for (let n = rand.int(1, 5); n > 0 && link[dir].length > 0; n--) {
					network.deliver(link, dir);
					await settle();
				}
				break;
			}
			case 'handshake': {
				const link = rand.pick(pending);
				const ok = rand.chance(0.9);
				trace.add(`handshake ${link.label} ${ok ? 'ok' : 'fails'}`);
				network.completeHandshake(link, ok);
				break;
			}
			case 'edit':
				trace.add(this.w.log.randomEdit(rand.pick(stations)));
				break;
			case 'time': {
				const ms = rand.delay();
				trace.add(`time +${ms}ms`);
				await vi.advanceTimersByTimeAsync(ms);
				break;
			}
			case 'breakLink': {
				const link = rand.pick(open);
				trace.add(`break ${link.label} (lost ${link.toRelay.length}↑ ${link.toClient.length}↓)`);
				network.breakLink(link);
				this.linkBreaks += 1;
				break;
			}
			case 'notice': {
				const { link, side } = rand.pick(unnoticed);
				trace.add(`${side} notices ${link.label} broke`);
				network.notice(link, side);
				break;
			}
			case 'relayDrop': {
				const conn = relay.randomConnection();
				if (!conn) break;
				trace.add(`relay drops connection ${conn.userId}`);
				conn.close(rand.pick([CloseCode.goingAway, CloseCode.rateLimited]), 'dropped');
				this.relayDrops += 1;
				break;
			}
			case 'pause': {
				const ws = rand.pick(stations);
				if (ws.paused) break;
				trace.add(`${ws.name} goes offline`);
				ws.pause();
				break;
			}
			case 'everyoneOffline':
				trace.add('every workstation goes offline');
				for (const ws of stations) if (!ws.paused) ws.pause();
				break;
			case 'resume': {
				const ws = rand.pick(stations.filter((s) => s.paused));
				trace.add(`${ws.name} comes back online`);
				ws.resume();
				break;
			}
			case 'reload': {
				const ws = rand.pick(stations);
				trace.add(`${ws.name} reloads`);
				ws.reload();
				this.reloads += 1;
				break;
			}
			case 'refreshToken': {
				const ws = rand.pick(stations);
				const token = `token-${ws.name}-${trace.step}`;
				this.w.claims.set(token, this.w.claims.get(`token-${ws.name}`)!);
				trace.add(`${ws.name} gets a fresh token`);
				ws.refreshToken(token);
				break;
			}
			case 'detach': {
				const ws = rand.pick(stations);
				if (ws.attached.size === 0) break;
				const name = rand.pick([...ws.attached]);
				trace.add(`${ws.name} detaches ${name}`);
				ws.detach(name);
				break;
			}
			case 'attach': {
				const ws = rand.pick(detached);
				const name = rand.pick(this.w.docs.filter((d) => !ws.attached.has(d)));
				trace.add(`${ws.name} attaches ${name}`);
				ws.attach(name);
				break;
			}
			case 'store':
				relay.store.releaseOne();
				break;
			case 'restart':
				trace.add('relay restarts');
				await relay.restart(settle);
				break;
			case 'crash':
				trace.add('relay crashes');
				relay.crash();
				break;
		}
		await settle();
		if (action !== 'restart' && action !== 'crash') {
			this.evictions += Math.max(0, resident - relay.docs.resident);
		}
		this.checkRelay();
	}

	/**
	 * Yjs applies an update's deletions at once even when its insertions must wait for missing
	 * changes (they become `pendingStructs`). A relay doc in that state has already broadcast and
	 * stored the deletions: other workstations lose the overwritten values until the missing changes
	 * arrive, for good if they never do. The relay holds such updates back (SharedDoc), so this fails the run.
	 */
	private checkRelay(): void {
		for (const shared of this.w.relay.residentDocs()) {
			const pending = shared.doc.store.pendingStructs;
			if (!pending) continue;
			this.halfApplied += 1;
			{
				const missing = [...pending.missing].map(([client, clock]) => `${client}:${clock}`).join(' ');
				throw new Error(
					`relay ${shared.name} applied part of an update: its insertions wait for changes the relay ` +
						`does not have (client:clock ${missing}) while its deletions are applied, broadcast and stored`
				);
			}
			return;
		}
	}
}
