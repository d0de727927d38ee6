/**
 * What one appointment block on the time grid shows, as plain strings: its class, its inline style,
 * its accessible name and its lines of text. Computed once per block model, position, conflict and
 * presence, and handed back as the same object while none of them changes — so switching to a
 * packed day builds 200 blocks from ready strings (no reactive state per field), and an edit or a
 * conflict elsewhere leaves every other block's DOM alone.
 */
import { clinicTime, STATUS_LABELS } from './format';
import type { BlockModel } from './grid-layout';
import type { PresenceBadge } from './grid-marks';
import { durationText } from './grid-time';

/** A block shorter than this (px) shows one line: the time and the name. */
export const COMPACT_PX = 40;

export interface BlockView {
	block: BlockModel;
	/** `appt status-booked compact movable conflicted` (scoped styles in AppointmentBlock). */
	className: string;
	/** Position, lane and type colour. */
	style: string;
	/** Every word a sighted person gets from the block, for the button's accessible name. */
	label: string;
	time: string;
	/** Type and status (`Checkup · ✓ Confirmed`); not shown on a compact block. */
	meta: string;
	compact: boolean;
	conflict: string | undefined;
	presence: readonly PresenceBadge[] | undefined;
}

interface Inputs {
	top: number;
	height: number;
	timeZone: string;
	conflict: string | undefined;
	presence: readonly PresenceBadge[] | undefined;
}

const last = new WeakMap<BlockModel, { inputs: Inputs; view: BlockView }>();

export function blockView(block: BlockModel, inputs: Inputs): BlockView {
	const hit = last.get(block);
	if (hit && sameInputs(hit.inputs, inputs)) return hit.view;
	const view = makeView(block, inputs);
	last.set(block, { inputs, view });
	return view;
}

const sameInputs = (a: Inputs, b: Inputs) =>
	a.top === b.top &&
	a.height === b.height &&
	a.timeZone === b.timeZone &&
	a.conflict === b.conflict &&
	a.presence === b.presence;

function makeView(block: BlockModel, { top, height, timeZone, conflict, presence }: Inputs): BlockView {
	const a = block.appointment;
	const time = clinicTime(a.start, timeZone);
	const status = STATUS_LABELS[a.status];
	const compact = height < COMPACT_PX;
	const label = [
		time,
		durationText(block.durationMin),
		block.patient,
		block.typeName,
		status,
		conflict,
		...(presence ?? []).map((p) => `open by ${p.name}`)
	]
		.filter(Boolean)
		.join(', ');
	return {
		block,
		className:
			`appt status-${a.status}${compact ? ' compact' : ''}${block.movable ? ' movable' : ''}` +
			(conflict ? ' conflicted' : ''),
		style:
			`top: ${top}px; height: ${height}px; --lane: ${block.lane}; --lanes: ${block.lanes}; ` +
			`--type: ${block.color};`,
		label,
		time,
		meta: `${block.typeName} · ${a.status === 'confirmed' ? '✓ ' : ''}${status}`,
		compact,
		conflict,
		presence: presence && presence.length > 0 ? presence : undefined
	};
}
