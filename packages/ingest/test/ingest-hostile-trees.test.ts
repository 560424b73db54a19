import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { rawJoin, sha256 } from '@datalake/test-support/trees';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readableName, readablePath, sourceKey } from '../src/source-names.js';
import { changes, ingest, openDiskLake, sourceBytesOf } from './support/ingest.js';
import { scratchFolder } from './support/scratch.js';

/**
 * The property of issue 10: whatever a legacy tree holds (normalisation twins, case twins, names
 * that are not UTF-8, control characters, names near the length limit, links in and out of the
 * tree, empty, binary and large sparse files), one ingest puts every regular file in the lake
 * byte-exact exactly once or reports it with a reason, writes nothing outside the lake, and a
 * second ingest changes nothing.
 */

type Content =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'sparse'; size: number };

type LinkTarget = 'parent' | 'self' | 'root' | 'outside-file' | 'outside-folder' | 'dangling';

type Node =
  | { kind: 'file'; name: Buffer; content: Content }
  | { kind: 'link'; name: Buffer; target: LinkTarget }
  | { kind: 'folder'; name: Buffer; children: Node[] };

const bytes = (...values: number[]) => Buffer.from(values);
/** Stems that collide once decoded and NFC-normalised, case twins, and names that are not UTF-8. */
const TWIN_STEMS: Buffer[] = [
  Buffer.from('caf\u00e9'),
  Buffer.from('cafe\u0301'),
  bytes(0x63, 0x61, 0x66, 0xe9), // "café" in Windows-1252
  Buffer.from('\u00c5ngstr\u00f6m'),
  Buffer.from('A\u030angstro\u0308m'),
  Buffer.from('\ud55c'), // a Hangul syllable, and its decomposed jamo
  Buffer.from('\u1112\u1161\u11ab'),
  Buffer.from('Readme'),
  Buffer.from('README'),
  Buffer.from('readme'),
  bytes(0x4d, 0xe4, 0x72, 0x7a), // "März" in Windows-1252
  Buffer.from('M\u00e4rz'),
  bytes(0xff, 0x41),
  bytes(0xc3), // a UTF-8 sequence cut short
  Buffer.from('...'),
  Buffer.from('~tilde'),
];
/** Stems the lake refuses: control characters (one of them a byte Windows-1252 leaves undefined), edges. */
const REFUSED_STEMS: Buffer[] = [
  bytes(0x81, 0x42),
  Buffer.from('a\u0001b'),
  Buffer.from('line\nbreak'),
  Buffer.from('esc\u001b[31m'),
  Buffer.from(' lead'),
  Buffer.from('trail '),
  Buffer.from('back\\slash'),
];
const EXTENSIONS = ['', '.txt', '.txt', '.sql', '.md', '.bin', '.log', '.bas'].map((ext) => Buffer.from(ext));
const MAX_NAME_BYTES = 255;

const shortName = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...TWIN_STEMS) },
      { weight: 1, arbitrary: fc.constantFrom(...REFUSED_STEMS) },
    ),
    fc.constantFrom(...EXTENSIONS),
  )
  .map(([stem, ext]) => Buffer.concat([stem, ext]));
/** Near the 255-byte limit: ASCII, or Windows-1252 bytes that grow past it once decoded. */
const longName = fc
  .tuple(
    fc.integer({ min: 230, max: MAX_NAME_BYTES }),
    fc.constantFrom(0x4c, 0xe9),
    fc.constantFrom(...EXTENSIONS),
  )
  .map(([length, byte, ext]) => Buffer.concat([Buffer.alloc(length - ext.length, byte), ext]));

const content: fc.Arbitrary<Content> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'empty' as const }) },
  { weight: 4, arbitrary: fc.string({ maxLength: 120 }).map((text) => ({ kind: 'text' as const, text })) },
  {
    weight: 3,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 400 })
      .map((data) => ({ kind: 'binary' as const, bytes: data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 3 })
      .map((mib) => ({ kind: 'sparse' as const, size: mib * 1024 * 1024 + 7 })),
  },
);

const fileNode: fc.Arbitrary<Node> = fc.record({
  kind: fc.constant('file' as const),
  name: fc.oneof({ weight: 5, arbitrary: shortName }, { weight: 1, arbitrary: longName }),
  content,
});
const linkNode: fc.Arbitrary<Node> = fc.record({
  kind: fc.constant('link' as const),
  name: shortName,
  target: fc.constantFrom<LinkTarget>('parent', 'self', 'root', 'outside-file', 'outside-folder', 'dangling'),
});

/** Folder names come from the short pool only, so no path can outgrow the lake's 1,024-byte keys. */
/** Spellings of one lake name, to put side by side in one folder. */
const TWIN_GROUPS: Buffer[][] = [
  [Buffer.from('caf\u00e9'), Buffer.from('cafe\u0301'), bytes(0x63, 0x61, 0x66, 0xe9)],
  [Buffer.from('\u00c5ngstr\u00f6m'), Buffer.from('A\u030angstro\u0308m'), Buffer.from('\u212bngstr\u00f6m')],
  [Buffer.from('\ud55c'), Buffer.from('\u1112\u1161\u11ab')],
  [Buffer.from('M\u00e4rz'), bytes(0x4d, 0xe4, 0x72, 0x7a), Buffer.from('Ma\u0308rz')],
];
const twinFiles: fc.Arbitrary<Node[]> = fc
  .tuple(
    fc.constantFrom(...TWIN_GROUPS).chain((group) => fc.subarray(group, { minLength: 2 })),
    fc.constantFrom(...EXTENSIONS),
    fc.array(content, { minLength: 3, maxLength: 3 }),
  )
  .map(([stems, ext, contents]) =>
    stems.map(
      (stem, index): Node => ({
        kind: 'file',
        name: Buffer.concat([stem, ext]),
        content: contents[index] as Content,
      }),
    ),
  );

/** Folder names come from the short pool only, so no path can outgrow the lake's 1,024-byte keys. */
function members(depth: number, max: number): fc.Arbitrary<Node[]> {
  const folder: fc.Arbitrary<Node> | undefined =
    depth > 0
      ? fc.record({ kind: fc.constant('folder' as const), name: shortName, children: members(depth - 1, 4) })
      : undefined;
  const single = fc.oneof(
    { weight: 5, arbitrary: fileNode },
    { weight: 1, arbitrary: linkNode },
    ...(folder ? [{ weight: 2, arbitrary: folder }] : []),
  );
  const group = fc.oneof(
    { weight: 3, arbitrary: single.map((node) => [node]) },
    { weight: 1, arbitrary: twinFiles },
  );
  return fc.array(group, { maxLength: max }).map((groups) => {
    const byName = new Map<string, Node>();
    for (const node of groups.flat())
      if (!byName.has(sourceKey(node.name))) byName.set(sourceKey(node.name), node);
    return [...byName.values()];
  });
}

interface Built {
  /** Regular files: raw path below the root → SHA-256 of their bytes. */
  files: Map<string, string>;
  /** Links: readable paths below the root. */
  links: string[];
}

function build(root: string, outside: string, nodes: Node[]): Built {
  const built: Built = { files: new Map(), links: [] };
  const place = (folder: Buffer, relative: Buffer, list: Node[]) => {
    for (const node of list) {
      const path = rawJoin(folder, node.name);
      const rel =
        relative.byteLength > 0 ? Buffer.concat([relative, Buffer.from('/'), node.name]) : node.name;
      if (node.kind === 'folder') {
        mkdirSync(path);
        place(path, rel, node.children);
      } else if (node.kind === 'link') {
        symlinkSync(linkTarget(node.target, root, outside, node.name), path);
        built.links.push(readablePath(rel));
      } else {
        writeContent(path, node.content);
        built.files.set(sourceKey(rel), sha256(readFileSync(path)));
      }
    }
  };
  mkdirSync(root);
  place(Buffer.from(root), Buffer.alloc(0), nodes);
  return built;
}

function linkTarget(target: LinkTarget, root: string, outside: string, name: Buffer): string | Buffer {
  switch (target) {
    case 'parent':
      return '..';
    case 'self':
      return name;
    case 'root':
      return root;
    case 'outside-file':
      return join(outside, 'secret.sql');
    case 'outside-folder':
      return outside;
    case 'dangling':
      return 'nowhere';
  }
}

function writeContent(path: Buffer, spec: Content): void {
  if (spec.kind === 'empty') writeFileSync(path, '');
  else if (spec.kind === 'text') writeFileSync(path, spec.text);
  else if (spec.kind === 'binary') writeFileSync(path, spec.bytes);
  else {
    writeFileSync(path, 'sparse header\n');
    truncateSync(path, spec.size);
  }
}

/** Everything below `folder` as it is on disk (links not followed): type, size, mtime, bytes, targets. */
function snapshot(folder: string | Buffer): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (path: Buffer, relative: string) => {
    const info = lstatSync(path);
    let state = `${info.mode}:${info.size}:${info.mtimeMs}`;
    if (info.isSymbolicLink()) state += `->${readlinkSync(path, 'buffer').toString('hex')}`;
    else if (info.isFile()) state += `#${sha256(readFileSync(path))}`;
    seen.set(relative, state);
    if (!info.isDirectory()) return;
    for (const name of readdirSync(path, { encoding: 'buffer' })) {
      visit(rawJoin(path, name), `${relative}/${name.toString('hex')}`);
    }
  };
  visit(Buffer.from(folder), '');
  return seen;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters the lake refuses in names.
const REFUSED = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/;

/** Whether the lake must refuse some segment of this path (then a failure with a reason is right). */
function mayBeRefused(raw: Buffer): boolean {
  let start = 0;
  for (;;) {
    const end = raw.indexOf(0x2f, start);
    const segment = readableName(raw.subarray(start, end === -1 ? raw.byteLength : end));
    if (REFUSED.test(segment) || segment.trim() !== segment) return true;
    if (end === -1) return false;
    start = end + 1;
  }
}

let work: string;

beforeAll(async () => {
  work = await scratchFolder('datalake-hostile-');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('ingest of hostile trees (issue 10)', () => {
  it('stores every regular file byte-exact once or reports why, writes only in the lake, and is idempotent', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(members(2, 7), async (nodes) => {
        const base = join(work, `run-${run++}`);
        const tree = join(base, 'tree');
        const outside = join(base, 'outside');
        const lakeRoot = join(base, 'lake');
        try {
          mkdirSync(join(outside, 'folder'), { recursive: true });
          writeFileSync(join(outside, 'secret.sql'), 'CREATE TABLE secret (id INT);\n');
          const built = build(tree, outside, nodes);
          const before = { tree: snapshot(tree), outside: snapshot(outside) };

          const lake = await openDiskLake(lakeRoot);
          try {
            const first = await ingest(lake, tree);
            const second = await ingest(lake, tree);

            // Every failure is a file of the tree the lake must refuse, with its reason.
            const failedPaths = new Set(first.failures.map((failure) => failure.path));
            for (const failure of first.failures) expect(failure.error).not.toBe('');
            for (const [key] of built.files) {
              const raw = Buffer.from(key, 'latin1');
              if (failedPaths.has(readablePath(raw))) expect(mayBeRefused(raw), readablePath(raw)).toBe(true);
            }
            // Every other regular file is in the lake exactly once, with its bytes.
            const entries = await lake.list();
            const bySource = new Map<string, number>();
            for (const entry of entries) {
              const key = sourceKey(sourceBytesOf(entry));
              bySource.set(key, (bySource.get(key) ?? 0) + 1);
              expect(built.files.has(key), entry.filePath).toBe(true);
              expect(sha256(await lake.readBytes(entry.id))).toBe(built.files.get(key));
            }
            for (const [key] of built.files) {
              const path = readablePath(Buffer.from(key, 'latin1'));
              expect(bySource.get(key) ?? 0, path).toBe(failedPaths.has(path) ? 0 : 1);
            }
            expect(first.stored).toBe(entries.length);
            expect(first.stored + first.failed).toBe(built.files.size);
            // Links are listed, never followed.
            expect(first.skippedFiles.map((skipped) => skipped.path).sort()).toEqual([...built.links].sort());
            expect(first.skippedFiles.every((skipped) => skipped.reason === 'symlink')).toBe(true);

            expect(changes(second)).toEqual({});
            expect(second.skipped).toBe(first.stored);
            expect(second.failures).toEqual(first.failures);
          } finally {
            await lake.close();
          }
          expect(snapshot(tree)).toEqual(before.tree);
          expect(snapshot(outside)).toEqual(before.outside);
        } finally {
          rmSync(base, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  }, 600_000);
});
