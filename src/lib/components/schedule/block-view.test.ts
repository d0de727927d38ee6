import { describe, expect, it } from 'vitest';
import { blockView } from './block-view';
import { layoutBlocks } from './grid-layout';
import { appt, at, blockSource, TZ } from './test-fixtures';

const opts = { slotMinutes: 15, canWrite: true, source: blockSource };
const base = { top: 10, height: 60, timeZone: TZ, conflict: undefined, presence: undefined };

function block(status: 'booked' | 'confirmed' | 'completed' = 'booked') {
	const [b] = layoutBlocks(
		[appt(at('2026-12-01T09:30'), at('2026-12-01T10:00'), { status })],
		'2026-12-01',
		TZ,
		opts
	);
	return b!;
}

describe('block view', () => {
	it('says in words everything the block shows', () => {
		const v = blockView(block('confirmed'), { ...base, conflict: 'Double-booked' });
		expect(v.label).toBe('9:30 AM, 30 minutes, Pat Example, Checkup, Confirmed, Double-booked');
		expect(v.time).toBe('9:30 AM');
		expect(v.meta).toBe('Checkup · ✓ Confirmed');
		expect(v.className).toBe('appt status-confirmed movable conflicted');
		expect(v.style).toBe('top: 10px; height: 60px; --lane: 0; --lanes: 1; --type: #1d4ed8;');
	});

	it('is compact under 40 px, and not movable once completed', () => {
		const v = blockView(block('completed'), { ...base, height: 39 });
		expect(v.compact).toBe(true);
		expect(v.className).toBe('appt status-completed compact');
	});

	it('hands back the same view until the block, its place, conflict or presence change', () => {
		const b = block();
		const v = blockView(b, base);
		expect(blockView(b, { ...base })).toBe(v);
		expect(blockView(b, { ...base, top: 11 })).not.toBe(v);
		const badges = [{ key: 1, name: 'Ann Lee', color: '#0f766e', initials: 'AL' }];
		const open = blockView(b, { ...base, presence: badges });
		expect(open.label).toContain('open by Ann Lee');
		expect(blockView(b, { ...base, presence: badges })).toBe(open);
		expect(blockView(b, { ...base, presence: [] }).presence).toBeUndefined();
	});
});
