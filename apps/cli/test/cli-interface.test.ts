import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, IndexCheckReport } from '@datalake/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli, runJson } from './support/cli.js';
import { runInTerminal, startInTerminal, terminalAvailable } from './support/terminal.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'datalake-cli-interface-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The `--json` error on the last line of stderr. */
function jsonError(stderr: string): { code: string; message: string; details: Record<string, unknown> } {
  const last = stderr.trim().split('\n').at(-1) ?? '';
  return (JSON.parse(last) as { error: { code: string; message: string; details: Record<string, unknown> } })
    .error;
}

async function freshLake(name: string): Promise<string> {
  const lake = join(work, name);
  await rm(lake, { recursive: true, force: true });
  return lake;
}

/** A control or format character other than the line feed that ends each line. */
const CONTROL = /(?!\n)[\p{Cc}\p{Cf}]/u;

// Terminal tests need util-linux `script`; required on CI, skipped with a notice elsewhere.
if (!terminalAvailable && process.env.CI !== 'true') {
  console.warn('notice: util-linux `script` is not installed; the terminal tests are skipped');
}
const onTerminal = terminalAvailable || process.env.CI === 'true' ? it : it.skip;

describe('output shows outside names escaped', () => {
  it('prints each failed file on one line, its name escaped, the system error code once', async () => {
    const tree = join(work, 'hostile-names');
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, 'good.sql'), 'CREATE TABLE g (id INT);\n');
    await writeFile(join(tree, 'bad\x1b[31mred\nsecond line\u202e.sql'), 'x\n');
    // A Latin-1 name from an old share: not valid UTF-8.
    await writeFile(Buffer.from(join(tree, 'Bericht_M\xe4rz.bas'), 'latin1'), 'Sub A()\nEnd Sub\n');
    const result = await runCli(['--lake', await freshLake('hostile-lake'), 'ingest', tree, '--no-progress']);
    expect(result.code).toBe(1);
    const failures = result.stderr.split('\n').filter((line) => line.startsWith('failed: '));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(failures.length);
    expect(result.stderr).not.toMatch(CONTROL);
    expect(failures.join('\n')).toContain('failed: bad\\x1b[31mred\\nsecond line\\u202e.sql: ');
    expect(result.stderr).not.toMatch(/(E[A-Z]+): \1:/);
  });

  it('escapes names, metadata and lines of content in ls, show and search', async () => {
    const lake = await freshLake('escape-lake');
    const name = 'invoice\u202etxt.exe';
    const stored = await runJson<Entry>(
      ['--lake', lake, 'store', '-', '--name', name, '--meta', 'note\x1b[2J=a\x1b[31mb\nc'],
      { input: 'total \x1b[31mred\x1b[0m amount\u2028end\n' },
    );
    const ls = await runCli(['--lake', lake, 'ls']);
    expect(ls.stdout).toContain('invoice\\u202etxt.exe');
    const show = await runCli(['--lake', lake, 'show', stored.id]);
    expect(show.stdout).toContain('  note\\x1b[2J: a\\x1b[31mb\\nc');
    const search = await runCli(['--lake', lake, 'search', 'amount']);
    expect(search.stdout).toMatch(/^ {2}1: total \\x1b\[31mred\\x1b\[0m amount\\u2028end$/m);
    for (const output of [ls.stdout, show.stdout, search.stdout]) expect(output).not.toMatch(CONTROL);
    // --json stays exact JSON.
    const shown = await runJson<Entry>(['--lake', lake, 'show', stored.id]);
    expect(shown.name).toBe(name);
    expect(shown.metadata['note\x1b[2J']).toBe('a\x1b[31mb\nc');
  });
});

describe('exit codes', () => {
  it('keeps the failure exit code when the reader of stdout has gone (ingest | head -1)', async () => {
    const tree = join(work, 'pipe-tree');
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, 'a.sql'), 'CREATE TABLE a (id INT);\n');
    await writeFile(join(tree, 'too-big.log'), 'x'.repeat(2048));
    const args = [
      '--lake',
      await freshLake('pipe-lake'),
      'ingest',
      tree,
      '--no-progress',
      '--max-size',
      '1k',
    ];
    const result = await runCli(args, { closeStdout: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^failed: too-big\.log: /m);
    // Nothing failed: a closed pipe is not an error either.
    expect((await runCli(['--lake', join(work, 'pipe-lake'), 'ls'], { closeStdout: true })).code).toBe(0);
  });

  it('prints each error once, the code at the end, no stack', async () => {
    const missing = join(work, 'missing.sql');
    const result = await runCli(['--lake', 'memory:', 'store', missing]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(`error: cannot read ${missing}: no such file or directory (ENOENT)\n`);
  });

  it('exits 2 for an invalid regular expression and every invalid option value', async () => {
    const lake = await freshLake('usage-lake');
    await runJson(['--lake', lake, 'store', '-', '--name', 'a.txt'], { input: 'aaa\n' });
    const cases = [
      ['search', '(a', '--regex'],
      ['search', 'a', '--limit', '0'],
      ['search', 'a', '--after', 'yesterday'],
      ['search', 'a', '--meta', 'novalue'],
      ['search', 'a', '--meta-json', 'n=1.0.0'],
      ['ls', '--type', 'spreadsheet'],
      ['store', '-', '--name', 'b.txt', '--max-size', 'lots'],
      ['ingest', work, '--concurrency', '-1'],
    ];
    for (const args of cases) {
      const result = await runCli(['--lake', lake, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^error: /);
      const json = await runCli(['--lake', lake, ...args, '--json']);
      expect(json.code, args.join(' ')).toBe(2);
      expect(['USAGE', 'VALIDATION'], args.join(' ')).toContain(jsonError(json.stderr).code);
    }
  });

  it('says what is wrong with a named memory: lake', async () => {
    const result = await runCli(['--lake', 'memory:foo', 'ls']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: memory: lakes have no name; use memory:\n');
  });

  it('read commands never create a lake: "no lake at …", exit 3', async () => {
    const typo = join(work, 'deep', 'typo');
    const commands = [
      ['ls'],
      ['get', 'some-id'],
      ['show', 'some-id'],
      ['search', 'x'],
      ['stats'],
      ['check-index'],
      ['reindex'],
      ['rm', 'some-id'],
      ['update', 'some-id', '--meta', 'a=b'],
    ];
    for (const args of commands) {
      const result = await runCli(['--lake', typo, ...args]);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.stderr, args.join(' ')).toBe(`error: no lake at ${typo}\n`);
      const json = await runCli(['--lake', typo, ...args, '--json']);
      expect(jsonError(json.stderr)).toMatchObject({ code: 'NOT_FOUND', message: `no lake at ${typo}` });
    }
    await expect(stat(join(work, 'deep'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('interrupted', () => {
  /** A tree whose ingest runs for minutes: a huge sparse file is read to its end. */
  async function slowTree(name: string): Promise<string> {
    const tree = join(work, name);
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, 'a.sql'), 'CREATE TABLE a (id INT);\n');
    await writeFile(join(tree, 'huge.log'), '');
    await truncate(join(tree, 'huge.log'), 64 * 1024 ** 3);
    return tree;
  }

  onTerminal('Ctrl-C restores the cursor and line wrap, closes the lake, exits 130', async () => {
    const lake = await freshLake('interrupted-lake');
    const session = startInTerminal([
      '--lake',
      lake,
      'ingest',
      await slowTree('ctrl-c-tree'),
      '--max-size',
      '1t',
    ]);
    await session.waitFor('\x1b[?25l'); // the bar has hidden the cursor
    session.type('\x03');
    const result = await session.done;
    expect(result.code).toBe(130);
    const afterBar = result.output.slice(result.output.lastIndexOf('\x1b[?25l'));
    expect(afterBar).toContain('\x1b[?25h');
    expect(afterBar).toContain('\x1b[?7h');
    expect(result.output).toContain('error: interrupted (SIGINT)');
    // Closed cleanly: whatever was stored is indexed.
    const check = await runCli(['--lake', lake, 'check-index', '--json']);
    expect(check.code).toBe(0);
    expect((JSON.parse(check.stdout) as IndexCheckReport).ok).toBe(true);
  });

  it('SIGTERM exits 143 with an INTERRUPTED error under --json', async () => {
    const tree = await slowTree('sigterm-tree');
    const child = spawn(
      process.execPath,
      [cliPath, '--lake', await freshLake('sigterm-lake'), 'ingest', tree, '--max-size', '1t', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/"progress"|ingest:/.test(stderr)) resolve();
      }),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(jsonError(stderr)).toMatchObject({ code: 'INTERRUPTED' });
  });
});

describe('the CLI as a scripting interface', () => {
  it('--meta stores the string exactly as typed; --meta-json stores typed JSON', async () => {
    const entry = await runJson<Entry>(
      [
        '--lake',
        'memory:',
        'store',
        '-',
        '--name',
        'v.txt',
        '--meta',
        'version=1.0',
        '--meta',
        'quoted="1.0"',
        '--meta',
        'empty=',
        '--meta',
        'flag=true',
        '--meta-json',
        'number=1.0',
        '--meta-json',
        'string="1.0"',
        '--meta-json',
        'list=[1,"a",null]',
        '--meta-json',
        'none=null',
      ],
      { input: 'v\n' },
    );
    expect(entry.metadata).toMatchObject({
      version: '1.0',
      quoted: '"1.0"',
      empty: '',
      flag: 'true',
      number: 1,
      string: '1.0',
      list: [1, 'a', null],
      none: null,
    });
  });

  it('rejects invalid JSON and a key given twice as usage errors', async () => {
    const bad = await runCli([
      '--lake',
      'memory:',
      'store',
      '-',
      '--name',
      'a',
      '--meta-json',
      'v=1.0.0',
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(jsonError(bad.stderr)).toMatchObject({ code: 'USAGE' });
    expect(jsonError(bad.stderr).message).toContain('--meta v=1.0.0');
    const twice = await runCli([
      '--lake',
      'memory:',
      'store',
      '-',
      '--name',
      'a',
      '--meta',
      'k=1',
      '--meta-json',
      'k=1',
    ]);
    expect(twice.code).toBe(2);
  });

  it('round-trips any metadata key and value exactly (store, then show --json)', async () => {
    const lake = await freshLake('meta-roundtrip-lake');
    const argvSafe = (text: string) => !text.includes('\0');
    const key = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 12 })
      .filter((k) => argvSafe(k) && !k.includes('='));
    const plain = fc.string({ unit: 'binary', maxLength: 24 }).filter(argvSafe);
    const pair = fc.oneof(
      fc.record({ key, kind: fc.constant('meta' as const), value: plain }),
      fc.record({ key, kind: fc.constant('meta-json' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(pair, { selector: (p) => p.key, minLength: 1, maxLength: 4 }),
        async (pairs) => {
          const args = pairs.flatMap((p) =>
            p.kind === 'meta'
              ? ['--meta', `${p.key}=${p.value}`]
              : ['--meta-json', `${p.key}=${JSON.stringify(p.value)}`],
          );
          const name = `entry-${run++}.txt`;
          const stored = await runJson<Entry>(['--lake', lake, 'store', '-', '--name', name, ...args], {
            input: 'x',
          });
          const shown = await runJson<Entry>(['--lake', lake, 'show', stored.id]);
          for (const p of pairs) {
            const expected = p.kind === 'meta' ? p.value : JSON.parse(JSON.stringify(p.value));
            expect(Object.hasOwn(shown.metadata, p.key)).toBe(true);
            expect(JSON.stringify(shown.metadata[p.key])).toBe(JSON.stringify(expected));
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('with --json, errors are JSON on stderr carrying the lake error code, and the exit code tells the class', async () => {
    const lake = await freshLake('json-errors-lake');
    const stored = await runJson<Entry>(['--lake', lake, 'store', '-', '--name', 'a.sql'], {
      input: 'CREATE TABLE a (id INT);\n',
    });
    const run = (args: string[], input?: string) => runCli(['--lake', lake, ...args, '--json'], { input });

    const notFound = await run(['get', 'no-such-id']);
    expect(notFound.code).toBe(3);
    expect(jsonError(notFound.stderr)).toMatchObject({ code: 'NOT_FOUND' });

    const conflict = await run(['store', '-', '--name', 'a.sql', '--type', 'schema'], 'again\n');
    expect(conflict.code).toBe(4);
    expect(jsonError(conflict.stderr)).toMatchObject({ code: 'CONFLICT' });

    const usage = await run(['ls', '--frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    expect(jsonError(usage.stderr)).toMatchObject({
      code: 'USAGE',
      message: "unknown option '--frobnicate'",
    });

    const invalid = await run(['search', '(a', '--regex']);
    expect(invalid.code).toBe(2);
    expect(jsonError(invalid.stderr)).toMatchObject({ code: 'VALIDATION' });

    const missing = await run(['rm', stored.id, 'no-such-id']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toEqual([
      { id: stored.id, deleted: true },
      { id: 'no-such-id', deleted: false },
    ]);
    expect(jsonError(missing.stderr)).toMatchObject({ code: 'NOT_FOUND', details: { ids: ['no-such-id'] } });

    const blocked = join(work, 'a-file');
    await writeFile(blocked, 'not a folder');
    const storage = await runCli(['--lake', join(blocked, 'lake'), 'store', '-', '--name', 'x', '--json'], {
      input: 'x',
    });
    expect(storage.code).toBe(6);
    expect(jsonError(storage.stderr)).toMatchObject({ code: 'BACKEND' });
  });

  it('an empty --name is the lake’s validation error; only a missing one is a usage error', async () => {
    const empty = await runCli(['--lake', 'memory:', 'store', '-', '--name', '', '--json'], { input: 'x' });
    expect(empty.code).toBe(2);
    expect(jsonError(empty.stderr)).toMatchObject({ code: 'VALIDATION' });
    expect(jsonError(empty.stderr).message).not.toContain('needs --name');
    const missing = await runCli(['--lake', 'memory:', 'store', '-', '--json'], { input: 'x' });
    expect(missing.code).toBe(2);
    expect(jsonError(missing.stderr)).toMatchObject({
      code: 'USAGE',
      message: 'storing standard input needs --name',
    });
  });
});

describe('size limits on store and update', () => {
  it('stops an endless input at --max-size with TOO_LARGE, leaving no temporary file', async () => {
    const temp = join(work, 'tmp-for-zero');
    await mkdir(temp, { recursive: true });
    const lake = await freshLake('zero-lake');
    const result = await runCli(['--lake', lake, 'store', '/dev/zero', '--max-size', '20MiB', '--json'], {
      env: { TMPDIR: temp },
    });
    expect(result.code).toBe(2);
    expect(jsonError(result.stderr)).toMatchObject({
      code: 'TOO_LARGE',
      message: '/dev/zero is larger than --max-size (20 MiB)',
    });
    expect(await readdir(temp)).toEqual([]);
    const update = await runCli([
      '--lake',
      'memory:',
      'update',
      'x',
      '--content',
      '/dev/zero',
      '--max-size',
      '1k',
    ]);
    expect(update.code).toBe(3); // the entry is looked up first
  });

  it('streams large standard input and files byte-exact, with the metadata of all of it', async () => {
    const lake = await freshLake('large-lake');
    const line = 'INSERT INTO t VALUES (1);\n';
    const text = line.repeat(Math.ceil((20 * 1024 ** 2) / line.length));
    const piped = await runJson<Entry>(['--lake', lake, 'store', '-', '--name', 'dump.sql'], { input: text });
    expect(piped.metadata).toMatchObject({
      lineCount: text.length / line.length,
      encoding: 'utf-8',
      language: 'sql',
    });
    expect((await runCli(['--lake', lake, 'get', piped.id])).stdout === text).toBe(true);

    const record = '2024-05-01T12:00:00Z INFO request served in 12 ms\n';
    const bytes = Buffer.from(record.repeat(Math.ceil((17 * 1024 ** 2) / record.length)));
    const file = join(work, 'server.log');
    await writeFile(file, bytes);
    const stored = await runJson<Entry>(['--lake', lake, 'store', file]);
    expect(stored.metadata).toMatchObject({ encoding: 'utf-8', lineCount: bytes.length / record.length });
    expect((await runCli(['--lake', lake, 'get', stored.id])).stdoutBytes.equals(bytes)).toBe(true);
    const refused = await runCli(['--lake', lake, 'store', file, '--max-size', '16MiB']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`error: ${file} is larger than --max-size (16 MiB)\n`);
  });

  it('shows sizes human-readably: the --max-size default is 256 MiB', async () => {
    for (const command of ['ingest', 'store', 'update']) {
      const help = await runCli([command, '--help']);
      expect(help.stdout, command).toMatch(/\(default: 256 MiB\)/);
      expect(help.stdout, command).not.toContain('268435456');
    }
  });
});

describe('content of updates and binary content', () => {
  it('update --content recomputes encoding, language and lineCount', async () => {
    const lake = await freshLake('update-lake');
    const stored = await runJson<Entry>(['--lake', lake, 'store', '-', '--name', 'notes.txt'], {
      input: 'These notes describe how the service is deployed.\n',
    });
    expect(stored.metadata).toMatchObject({ lineCount: 1, encoding: 'utf-8', language: 'text' });
    const latin1 = Buffer.from('Bericht März\nzweite Zeile\ndritte\n', 'latin1');
    const updated = await runJson<Entry>(
      ['--lake', lake, 'update', stored.id, '--content', '-', '--meta', 'k=v'],
      {
        input: latin1,
      },
    );
    expect(updated.metadata).toMatchObject({ lineCount: 3, encoding: 'latin-1', k: 'v' });
    const binary = await runJson<Entry>(['--lake', lake, 'update', stored.id, '--content', '-'], {
      input: Buffer.from([0, 1, 2, 3, 0, 255]),
    });
    expect(binary.metadata).toMatchObject({ lineCount: 0, encoding: 'binary', language: 'binary', k: 'v' });
  });

  onTerminal(
    'show --content and get summarise or refuse binary content on a terminal; pipes get the bytes',
    async () => {
      const lake = await freshLake('binary-lake');
      const bytes = Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0, 1, 2, 0x9b, 0x07, 0xff, 0x0a]);
      const file = join(work, 'blob.bin');
      await writeFile(file, bytes);
      const stored = await runJson<Entry>(['--lake', lake, 'store', file]);

      const shown = await runInTerminal(['--lake', lake, 'show', stored.id, '--content']);
      expect(shown.code).toBe(0);
      expect(shown.output).toContain('(binary, 11 B: not printed on a terminal;');
      expect(shown.output).not.toContain('\x1b[2J');
      const got = await runInTerminal(['--lake', lake, 'get', stored.id]);
      expect(got.code).toBe(2);
      expect(got.output).toContain('--output FILE');
      const forced = await runInTerminal(['--lake', lake, 'get', stored.id, '--output', '-']);
      expect(forced.code).toBe(0);

      const piped = await runCli(['--lake', lake, 'show', stored.id, '--content']);
      expect(piped.stdoutBytes.subarray(piped.stdoutBytes.length - bytes.length).equals(bytes)).toBe(true);
      expect((await runCli(['--lake', lake, 'get', stored.id])).stdoutBytes.equals(bytes)).toBe(true);

      const text = await runJson<Entry>(['--lake', lake, 'store', '-', '--name', 'log.txt'], {
        input: 'line one\r\n\x1b[31mred\x1b[0m\ttab\r\n',
      });
      const textShown = await runInTerminal(['--lake', lake, 'show', text.id, '--content']);
      expect(textShown.output).toContain('line one\r\n\\x1b[31mred\\x1b[0m\ttab\r\n');
    },
  );
});
