/** How the merge screen names and shows each field (plain text, for side-by-side comparison). */
import type { Patient, Provider } from '$lib/domain';
import type { MergeField } from '$lib/domain/patients/duplicates';
import { FIELD_LABELS } from './record/format';

export function fieldLabel(f: MergeField): string {
	return FIELD_LABELS[f] ?? f;
}

export function fieldValue(p: Patient, f: MergeField, providers: Provider[]): string {
	switch (f) {
		case 'phones':
			return p.phones.map((ph) => `${ph.type} ${ph.number}`).join('; ') || '—';
		case 'address':
			return p.address
				? `${p.address.line1}, ${p.address.city} ${p.address.state} ${p.address.postalCode}`
				: '—';
		case 'emergencyContacts':
			return p.emergencyContacts.map((c) => `${c.name} (${c.relationship}) ${c.phone}`).join('; ') || '—';
		case 'guardian':
			return p.guardian ? `${p.guardian.name} (${p.guardian.relationship})` : '—';
		case 'consents':
			return p.consents.map((c) => `${c.type.replace(/-/g, ' ')} ${c.signedOn}`).join('; ') || '—';
		case 'privacy':
			return (
				[
					`contact by ${p.privacy.preferredContact}`,
					p.privacy.restricted ? 'restricted' : '',
					p.privacy.noVoicemailDetails ? 'no voicemail details' : '',
					p.privacy.noDirectory ? 'no directory' : ''
				]
					.filter(Boolean)
					.join(', ') || '—'
			);
		case 'alerts':
			return p.alerts.join(', ') || '—';
		case 'primaryProviderId':
			return providers.find((x) => x.id === p.primaryProviderId)?.displayName ?? '—';
		case 'coverages':
			return p.coverages.map((c) => `${c.order}: ${c.payerName} ${c.memberId}`).join('; ') || 'Self-pay';
		default: {
			const v = p[f];
			return v === undefined || v === '' ? '—' : String(v);
		}
	}
}
