// Prints every command's help and options as JSON, in one process: commander's parseAsync is replaced
// before src/cli/main.ts is imported, so main.ts builds its commands and, instead of running one, hands
// them here. Used by test/integration/helpText.test.ts.
import { Command } from 'commander';

interface Dumped {
  path: string;
  help: string;
  options: { flags: string; description: string; defaultValue: unknown; defaultValueDescription: string | undefined }[];
  args: { name: string; description: string; defaultValue: unknown }[];
}

Command.prototype.parseAsync = async function (this: Command) {
  const out: Dumped[] = [];
  const walk = (c: Command, path: string[]) => {
    out.push({
      path: path.join(' '),
      help: c.helpInformation(),
      options: c.options.map((o) => ({ flags: o.flags, description: o.description, defaultValue: o.defaultValue, defaultValueDescription: o.defaultValueDescription })),
      args: c.registeredArguments.map((a) => ({ name: a.name(), description: a.description, defaultValue: a.defaultValue })),
    });
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  walk(this, []);
  process.stdout.write(JSON.stringify(out));
  return this;
};
await import('../../src/cli/main.ts');
