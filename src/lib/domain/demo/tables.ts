/** Fixed lists for synthetic clinics: payers, reasons, colours and the appointment type catalogue. */

export const STREET_SUFFIXES = ['St', 'Ave', 'Ln', 'Rd', 'Ct', 'Way', 'Blvd', 'Pl'] as const;

export const CLINIC_FIRST = [
	'Maple',
	'Cedar',
	'Birch',
	'Willow',
	'Juniper',
	'Harbor',
	'Aspen',
	'Linden'
] as const;
export const CLINIC_SECOND = ['Grove', 'Ridge', 'Creek', 'Hollow', 'Point', 'Meadow', 'Bend'] as const;
export const CLINIC_KIND = [
	'Family Practice',
	'Family Medicine',
	'Primary Care',
	'Community Clinic'
] as const;

/** Fictional payers; none is a real insurer or government programme. */
export const PAYERS = [
	'Northwind Mutual Health',
	'Bluefield Cooperative Health Plan',
	'Harborview Benefit Trust',
	'Lakeshore Unity Care',
	'Summit Meadow Health Plan',
	'Crescent Valley Assurance',
	'Ironwood Health Alliance',
	'Prairie Star Family Coverage'
] as const;
export const PLAN_NAMES = [
	'PPO Silver',
	'HMO Plus',
	'HDHP Bronze',
	'EPO Select',
	'PPO Gold',
	'Senior Advantage'
] as const;

export const LANGUAGES = [
	'Spanish',
	'Vietnamese',
	'Polish',
	'Arabic',
	'Tagalog',
	'Korean',
	'Somali'
] as const;
export const RARE_ALERTS = [
	'Wheelchair access',
	'Latex allergy',
	'Hard of hearing',
	'Service animal'
] as const;
export const CONTACT_RELATIONSHIPS = ['Spouse', 'Sibling', 'Friend', 'Partner', 'Adult child'] as const;

export const CANCEL_REASONS = [
	'Patient called to cancel',
	'Feeling better',
	'Scheduling conflict',
	'Transportation problem',
	'Provider unavailable',
	'Weather'
] as const;
export const APPOINTMENT_NOTES = [
	'Bring current medication list',
	'Prefers afternoon reminders',
	'Parent will accompany',
	'Update insurance card at check-in',
	'Needs fasting labs'
] as const;

/** Fixed-date holidays the demo clinic closes for (no "observed" weekday); enough to look lived-in. */
export const CLINIC_HOLIDAYS: readonly { monthDay: string; name: string }[] = [
	{ monthDay: '01-01', name: "New Year's Day" },
	{ monthDay: '07-04', name: 'Independence Day' },
	{ monthDay: '12-25', name: 'Christmas Day' }
];

export const WAITLIST_NOTES = [
	'Can come in on short notice',
	'Prefers a call, not a text',
	'Wants the first available slot',
	'Needs a ride; call a day ahead',
	'Would like the same provider as last time',
	'Leave a message if no answer'
] as const;

/** US area codes by clinic time zone; only 555-01xx numbers are used, which are reserved as fictional. */
export const AREA_CODES: Record<string, readonly string[]> = {
	'America/Chicago': ['312', '773', '872', '630', '708'],
	'America/New_York': ['212', '718', '917', '646'],
	'America/Denver': ['303', '720'],
	'America/Phoenix': ['602', '480'],
	'America/Los_Angeles': ['213', '310', '818', '626']
};
export const STATES: Record<string, string> = {
	'America/Chicago': 'IL',
	'America/New_York': 'NY',
	'America/Denver': 'CO',
	'America/Phoenix': 'AZ',
	'America/Los_Angeles': 'CA'
};

/** Deliberately disjoint from the appointment type colours, so a calendar can colour by either. */
export const PROVIDER_COLORS = [
	'#0f766e',
	'#4338ca',
	'#be185d',
	'#a16207',
	'#15803d',
	'#9a3412',
	'#1d4ed8',
	'#6d28d9'
] as const;

export interface ProviderRole {
	credentials: string;
	specialty: string;
	physician: boolean;
}
export const PROVIDER_ROLES: readonly ProviderRole[] = [
	{ credentials: 'MD', specialty: 'Family Medicine', physician: true },
	{ credentials: 'MD', specialty: 'Internal Medicine', physician: true },
	{ credentials: 'DO', specialty: 'Pediatrics', physician: true },
	{ credentials: 'NP', specialty: 'Family Medicine', physician: false },
	{ credentials: 'PA-C', specialty: 'Family Medicine', physician: false }
];

export interface TypeSpec {
	name: string;
	durationMinutes: number;
	color: string;
	bufferAfterMinutes: number;
	newPatient: boolean;
	/** Procedures are restricted to physicians; everything else any provider offers. */
	physiciansOnly: boolean;
	/** Telehealth needs no exam room. */
	needsRoom: boolean;
	/** Relative frequency; short visits dominate primary care. */
	weight: number;
	reasons: readonly string[];
	/** Used instead of `reasons` for patients under 18 when present. */
	minorReasons?: readonly string[];
}

export const TYPE_SPECS: readonly TypeSpec[] = [
	{
		name: 'New patient',
		durationMinutes: 40,
		color: '#2f6fb0',
		bufferAfterMinutes: 0,
		newPatient: true,
		physiciansOnly: false,
		needsRoom: true,
		weight: 5,
		reasons: ['Establish care', 'New patient visit', 'Transfer of care']
	},
	{
		name: 'Follow-up',
		durationMinutes: 20,
		color: '#1a7f5a',
		bufferAfterMinutes: 0,
		newPatient: false,
		physiciansOnly: false,
		needsRoom: true,
		weight: 30,
		reasons: [
			'Follow-up blood pressure',
			'Diabetes follow-up',
			'Medication check',
			'Lab results review',
			'Asthma follow-up',
			'Thyroid follow-up'
		],
		minorReasons: ['Asthma follow-up', 'Ear infection recheck', 'Growth check']
	},
	{
		name: 'Annual physical',
		durationMinutes: 30,
		color: '#7a4cb0',
		bufferAfterMinutes: 0,
		newPatient: false,
		physiciansOnly: false,
		needsRoom: true,
		weight: 10,
		reasons: ['Annual exam', 'Annual wellness visit', 'Preventive visit'],
		minorReasons: ['Well-child check', 'Sports physical', 'School physical']
	},
	{
		name: 'Sick visit',
		durationMinutes: 15,
		color: '#b0452f',
		bufferAfterMinutes: 0,
		newPatient: false,
		physiciansOnly: false,
		needsRoom: true,
		weight: 40,
		reasons: [
			'Sore throat',
			'Cough and fever',
			'Ear pain',
			'Rash',
			'Back pain',
			'Urinary symptoms',
			'Sinus pressure'
		]
	},
	{
		name: 'Telehealth',
		durationMinutes: 20,
		color: '#1a8a9a',
		bufferAfterMinutes: 0,
		newPatient: false,
		physiciansOnly: false,
		needsRoom: false,
		weight: 12,
		reasons: ['Video follow-up', 'Medication refill discussion', 'Results by video']
	},
	{
		name: 'Procedure',
		durationMinutes: 45,
		color: '#b08a1a',
		bufferAfterMinutes: 15,
		newPatient: false,
		physiciansOnly: true,
		needsRoom: true,
		weight: 3,
		reasons: ['Skin lesion removal', 'Joint injection', 'Ingrown toenail removal', 'Laceration repair']
	}
];
