import { type Dirent, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { type FolderMember, lakeNames } from './lake-names.js';
import { readableName, sourceKey } from './source-names.js';

/** Folders that hold version-control state or installed dependencies, never artifacts. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  '.bzr',
  'CVS',
  'node_modules',
  'bower_components',
  'jspm_packages',
  '__pycache__',
  '.venv',
  '.tox',
]);

export interface WalkOptions {
  /** Globs (picomatch) of paths to leave out, relative to the root; a glob without '/' matches any name. */
  exclude?: readonly string[];
  /** Absolute folders never to enter (the lake itself when it lives inside the tree). */
  skipAbsolute?: readonly string[];
}

export interface WalkedFile {
  /**
   * '/'-separated path below the root, readable: names that are UTF-8 exactly as they are (not
   * normalised), others decoded as Windows-1252.
   */
  relativePath: string;
  /** The exact bytes of the path below the root ('/'-separated): what identifies the file. */
  rawPath: Buffer;
  /** '/'-separated path the file gets in the lake below its type folder (NFC, see `lakeNames`). */
  lakePath: string;
  /** Absolute path as bytes: opens the file whatever its name's encoding. */
  absolutePath: Buffer;
  size: number;
  modifiedAt: Date;
}

/** Why something in the tree is not a file to ingest: links are not followed, special files not read. */
export type SkipReason = 'symlink' | 'fifo' | 'socket' | 'block-device' | 'character-device' | 'unknown';

export interface SkippedFile {
  relativePath: string;
  rawPath: Buffer;
  reason: SkipReason;
}

export interface WalkProblem {
  /** Readable path ('.' for the root). */
  relativePath: string;
  /** Exact bytes of the path (empty for the root). */
  rawPath: Buffer;
  error: unknown;
}

export interface WalkResult {
  files: WalkedFile[];
  /** Folders or files that could not be read (reported, not fatal). */
  problems: WalkProblem[];
  /** Links and special files (FIFOs, sockets, devices), left out with their reason. */
  skipped: SkippedFile[];
  /** Paths left out by .gitignore rules, the `exclude` globs or the skipped folders. */
  ignored: number;
}

interface IgnoreScope {
  /** Folder of the .gitignore, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

/** A folder being walked: its path below the root as bytes, as readable text and in the lake. */
interface Folder {
  raw: Buffer;
  readable: string;
  lake: string;
  absolute: Buffer;
}

const SLASH = Buffer.from('/');
const SEPARATOR = Buffer.from(sep);
const GITIGNORE = Buffer.from('.gitignore');

/**
 * Lists the regular files below `root` in a stable (byte-sorted) order, honouring `.gitignore` files
 * at every level, the exclude globs and the skipped folders. Names are read as bytes, so a file
 * whose name is not UTF-8 is still found and opened. Symbolic links are not followed.
 */
export async function walkTree(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const absoluteRoot = Buffer.from(resolve(root));
  const excluded = compileExcludes(options.exclude ?? []);
  const skipAbsolute = new Set(
    (options.skipAbsolute ?? []).map((path) => sourceKey(Buffer.from(resolve(path)))),
  );
  const result: WalkResult = { files: [], problems: [], skipped: [], ignored: 0 };

  // Synchronous calls: a walk is a burst of tiny metadata reads with nothing else to do meanwhile,
  // and each call costs a few microseconds where a thread-pool round trip costs tens.
  function visit(folder: Folder, scopes: IgnoreScope[]): void {
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(folder.absolute, { encoding: 'buffer', withFileTypes: true });
    } catch (error) {
      result.problems.push({ relativePath: folder.readable || '.', rawPath: folder.raw, error });
      return;
    }
    const own = entries.some((entry) => entry.name.equals(GITIGNORE))
      ? readGitignore(folder, result)
      : undefined;
    const active = own ? [...scopes, own] : scopes;
    entries.sort((a, b) => Buffer.compare(a.name, b.name));

    const kept: { entry: Dirent<Buffer>; child: Folder; isFolder: boolean }[] = [];
    for (const entry of entries) {
      const name = readableName(entry.name);
      const child: Folder = {
        raw: folder.raw.byteLength > 0 ? Buffer.concat([folder.raw, SLASH, entry.name]) : entry.name,
        readable: folder.readable ? `${folder.readable}/${name}` : name,
        lake: '',
        absolute: Buffer.concat([folder.absolute, SEPARATOR, entry.name]),
      };
      const isFolder = entry.isDirectory();
      if (
        (isFolder && (SKIPPED_FOLDERS.has(name) || skipAbsolute.has(sourceKey(child.absolute)))) ||
        excluded(child.readable) ||
        isIgnored(active, child.readable, isFolder)
      ) {
        result.ignored++;
        continue;
      }
      if (!isFolder && !entry.isFile()) {
        result.skipped.push({ relativePath: child.readable, rawPath: child.raw, reason: skipReason(entry) });
        continue;
      }
      kept.push({ entry, child, isFolder });
    }

    // Lake names are chosen among the siblings that reach the lake, so they never depend on the walk order.
    const names = lakeNames(kept.map(({ entry, isFolder }): FolderMember => ({ raw: entry.name, isFolder })));
    for (const [index, { child, isFolder }] of kept.entries()) {
      child.lake = folder.lake ? `${folder.lake}/${names[index]}` : (names[index] as string);
      if (isFolder) {
        visit(child, active);
        continue;
      }
      try {
        // lstat: whatever replaced the file since the listing is not followed.
        const info = lstatSync(child.absolute);
        if (!info.isFile()) {
          result.skipped.push({ relativePath: child.readable, rawPath: child.raw, reason: skipReason(info) });
          continue;
        }
        result.files.push({
          relativePath: child.readable,
          rawPath: child.raw,
          lakePath: child.lake,
          absolutePath: child.absolute,
          size: info.size,
          modifiedAt: info.mtime,
        });
      } catch (error) {
        result.problems.push({ relativePath: child.readable, rawPath: child.raw, error });
      }
    }
  }

  visit({ raw: Buffer.alloc(0), readable: '', lake: '', absolute: absoluteRoot }, []);
  return result;
}

interface FileType {
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}

function skipReason(type: FileType): SkipReason {
  if (type.isSymbolicLink()) return 'symlink';
  if (type.isFIFO()) return 'fifo';
  if (type.isSocket()) return 'socket';
  if (type.isBlockDevice()) return 'block-device';
  if (type.isCharacterDevice()) return 'character-device';
  return 'unknown';
}

function readGitignore(folder: Folder, result: WalkResult): IgnoreScope | undefined {
  let text: string;
  try {
    text = readFileSync(Buffer.concat([folder.absolute, SEPARATOR, GITIGNORE]), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      result.problems.push({
        relativePath: folder.readable ? `${folder.readable}/.gitignore` : '.gitignore',
        rawPath: folder.raw.byteLength > 0 ? Buffer.concat([folder.raw, SLASH, GITIGNORE]) : GITIGNORE,
        error,
      });
    }
    return undefined;
  }
  return { base: folder.readable, rules: ignore().add(text) };
}

/** Git semantics: each .gitignore applies to paths relative to its own folder. */
function isIgnored(scopes: IgnoreScope[], relativePath: string, isFolder: boolean): boolean {
  let ignoredNow = false;
  for (const scope of scopes) {
    const local = scope.base ? relativePath.slice(scope.base.length + 1) : relativePath;
    const verdict = scope.rules.test(isFolder ? `${local}/` : local);
    // A deeper .gitignore may re-include (`!pattern`) what a shallower one ignored.
    if (verdict.ignored) ignoredNow = true;
    else if (verdict.unignored) ignoredNow = false;
  }
  return ignoredNow;
}

function compileExcludes(globs: readonly string[]): (relativePath: string) => boolean {
  if (globs.length === 0) return () => false;
  const matchers = globs.map((glob) => {
    const pattern = glob.replace(/\/+$/, '');
    const matchesPath = picomatch(pattern, { dot: true });
    // A glob without '/' names a file or folder anywhere in the tree (like .gitignore does).
    const matchesName = pattern.includes('/') ? undefined : picomatch(pattern, { dot: true });
    return (relativePath: string) =>
      matchesPath(relativePath) ||
      (matchesName?.(relativePath.slice(relativePath.lastIndexOf('/') + 1)) ?? false);
  });
  return (relativePath) => matchers.some((matches) => matches(relativePath));
}
