/**
 * A form field's error, told to assistive technology too: the field is marked invalid and points at
 * its message by id. Errors are keyed by field (`familyName`, `guardian.name`); `prefix` keeps ids
 * unique when two forms are on one page.
 */
export type FieldErrorMap = Readonly<Record<string, string>>;

export function errorId(prefix: string, field: string): string {
	return `${prefix}-${field}-error`;
}

/** Spread on the field's input: `<input {...invalidAttrs(errors, id, 'familyName')} />`. */
export function invalidAttrs(errors: FieldErrorMap, prefix: string, field: string) {
	return errors[field] ? { 'aria-invalid': 'true' as const, 'aria-describedby': errorId(prefix, field) } : {};
}
