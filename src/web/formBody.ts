import { DeskError } from '../errors.ts';

/**
 * An `application/x-www-form-urlencoded` body as one string per field. Our forms never send a field twice,
 * and the routes read each field as a string, so a repeated field (`token=a&token=b`) is refused with 422
 * naming it, before any route runs. The object has no prototype: `__proto__` is just a field name.
 */
export function parseForm(body: string): Record<string, string> {
  const form = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(form, name)) {
      throw new DeskError('invalid_fields', `form field "${name.slice(0, 40)}" was sent more than once`, { fields: { [name.slice(0, 40)]: 'sent more than once' } });
    }
    form[name] = value;
  }
  return form;
}
