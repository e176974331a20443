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

/**
 * The body of a post to one of our form routes: text fields only. Those routes also accept other content
 * types (JSON from a script with a Bearer token), so a body that is not an object of strings
 * (`{"tags": 1}`, `[]`) is refused with 422 here rather than reaching string methods in the route.
 */
export function formFields(body: unknown): Record<string, string | undefined> {
  if (body === undefined || body === null) return {};
  const fields = typeof body === 'object' && !Array.isArray(body) ? Object.entries(body) : undefined;
  const bad = fields ? fields.find(([, v]) => typeof v !== 'string') : ['(body)'];
  if (bad) throw new DeskError('invalid_fields', `form field "${String(bad[0]).slice(0, 40)}" must be text`, { fields: { [String(bad[0]).slice(0, 40)]: 'must be text' } });
  return Object.fromEntries(fields!) as Record<string, string>;
}
