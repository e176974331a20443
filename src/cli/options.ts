import { InvalidArgumentError } from 'commander';

/** Option coercers shared by the commands (commander reports the message with the option's name). */
export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};

export const oneOf = <T extends string>(values: readonly T[]) => (v: string): T => {
  if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of: ${values.join(', ')}`);
  return v as T;
};

/** Repeatable options (`--set A --set B`): each value appended, in order. */
export const collect = (v: string, previous: string[] = []): string[] => [...previous, v];
