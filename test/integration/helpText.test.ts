import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

interface Dumped {
  path: string;
  help: string;
  options: { flags: string; description: string; defaultValue: unknown; defaultValueDescription: string | undefined }[];
  args: { name: string; description: string; defaultValue: unknown }[];
}

let commands: Dumped[];
beforeAll(async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/helpers/dumpHelp.ts'], { env: { ...process.env, PORT: '', SIGNAL_DESK_HOST: '' } });
  commands = JSON.parse(stdout) as Dumped[];
});

// Issue 11, item 12: `run --help` said "(default: $PORT or 8080) (default: 8080)": the description said the
// default and commander printed it again.
describe('help text says each default once', () => {
  it('walks every command (run, serve, demo, the sources and review families…)', () => {
    expect(commands.map((c) => c.path)).toEqual(expect.arrayContaining(['run', 'serve', 'demo', 'sources validate', 'sources add', 'review list', 'rules test', 'users add']));
    expect(commands.length).toBeGreaterThan(25);
  });

  it('no option or argument both describes its default and has commander print one', () => {
    const twice = commands.flatMap((c) => [
      ...c.options.filter((o) => (o.defaultValue !== undefined || o.defaultValueDescription !== undefined) && /\bdefault\b/i.test(o.description)).map((o) => `${c.path} ${o.flags}: ${o.description}`),
      ...c.args.filter((a) => a.defaultValue !== undefined && /\bdefault\b/i.test(a.description)).map((a) => `${c.path} <${a.name}>: ${a.description}`),
    ]);
    expect(twice).toEqual([]);
  });

  it('no help entry, as printed, names a default twice', () => {
    const entries = commands.flatMap((c) =>
      c.help
        // One entry per option or argument: its first line starts two spaces in, its wrapped lines further.
        .split(/\n(?= {2}\S)/)
        .map((e) => e.replace(/\s+/g, ' '))
        .filter((e) => (e.match(/\bdefault\b/gi) ?? []).length > 1)
        .map((e) => `${c.path}: ${e}`),
    );
    expect(entries).toEqual([]);
  });

  it('run, serve and demo print where the port and host defaults come from, once', () => {
    const help = (path: string) => commands.find((c) => c.path === path)!.help.replace(/\s+/g, ' ');
    expect(help('run')).toContain('--port <port> with --web: port (default: $PORT or 8080)');
    expect(help('run')).toContain('address to listen on (default: $SIGNAL_DESK_HOST or 127.0.0.1)');
    expect(help('serve')).toContain('--port <port> port (default: $PORT or 8080)');
    expect(help('demo')).toContain('--port <port> with --serve: port (default: $PORT or 8080)');
  });
});
