import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

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
  /** '/'-separated path below the root. */
  relativePath: string;
  absolutePath: string;
  size: number;
  modifiedAt: Date;
}

export interface WalkProblem {
  relativePath: string;
  error: unknown;
}

export interface WalkResult {
  files: WalkedFile[];
  /** Folders or files that could not be read (reported, not fatal). */
  problems: WalkProblem[];
  /** Paths left out by .gitignore rules, --exclude globs or the skipped folders. */
  ignored: number;
}

interface IgnoreScope {
  /** Folder of the .gitignore, relative to the root ('' for the root). */
  base: string;
  rules: Ignore;
}

/**
 * Lists the regular files below `root` in a stable (sorted) order, honouring `.gitignore` files at
 * every level, the exclude globs and the skipped folders. Symbolic links are not followed.
 */
export async function walkTree(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const absoluteRoot = resolve(root);
  const excluded = compileExcludes(options.exclude ?? []);
  const skipAbsolute = new Set((options.skipAbsolute ?? []).map((path) => resolve(path)));
  const result: WalkResult = { files: [], problems: [], ignored: 0 };

  // Synchronous calls: a walk is a burst of tiny metadata reads with nothing else to do meanwhile,
  // and each call costs a few microseconds where a thread-pool round trip costs tens.
  function visit(folder: string, scopes: IgnoreScope[]): void {
    const absoluteFolder = join(absoluteRoot, ...folder.split('/').filter(Boolean));
    let entries: Dirent[];
    try {
      entries = readdirSync(absoluteFolder, { withFileTypes: true });
    } catch (error) {
      result.problems.push({ relativePath: folder || '.', error });
      return;
    }
    const own = entries.some((entry) => entry.name === '.gitignore')
      ? readGitignore(absoluteFolder, folder, result)
      : undefined;
    const active = own ? [...scopes, own] : scopes;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relativePath = folder ? `${folder}/${entry.name}` : entry.name;
      const isFolder = entry.isDirectory();
      if (!isFolder && !entry.isFile()) continue; // links, sockets, devices
      const absolutePath = join(absoluteFolder, entry.name);
      if (
        (isFolder && (SKIPPED_FOLDERS.has(entry.name) || skipAbsolute.has(absolutePath))) ||
        excluded(relativePath) ||
        isIgnored(active, relativePath, isFolder)
      ) {
        result.ignored++;
        continue;
      }
      if (isFolder) {
        visit(relativePath, active);
        continue;
      }
      try {
        const info = statSync(absolutePath);
        result.files.push({ relativePath, absolutePath, size: info.size, modifiedAt: info.mtime });
      } catch (error) {
        result.problems.push({ relativePath, error });
      }
    }
  }

  visit('', []);
  return result;
}

function readGitignore(absoluteFolder: string, folder: string, result: WalkResult) {
  let text: string;
  try {
    text = readFileSync(join(absoluteFolder, '.gitignore'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      result.problems.push({ relativePath: folder ? `${folder}/.gitignore` : '.gitignore', error });
    }
    return undefined;
  }
  return { base: folder, rules: ignore().add(text) } satisfies IgnoreScope;
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
