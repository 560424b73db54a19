import type { DiskFileHandle, DiskFs, DiskSyncFs } from '../src/index.js';

export type FaultyCall = 'write' | 'rename' | 'link' | 'datasync' | 'read' | 'readdir' | 'open' | 'unlink';

/** Faults to inject; change them between calls. A write fault lets `afterBytes` bytes through first. */
export interface Faults {
  write?: { code: string; afterBytes: number };
  calls?: Partial<Record<FaultyCall, string>>;
}

export function fsError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const error = new Error(
    `${code}: injected failure, ${syscall}${path ? ` '${path}'` : ''}`,
  ) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = syscall;
  if (path) error.path = path;
  return error;
}

/** Wraps a file system so that chosen calls fail the way a full or broken disk makes them fail. */
export function faultyFs(inner: DiskFs, faults: Faults): DiskFs {
  const fail = (call: FaultyCall, path?: string) => {
    const code = faults.calls?.[call];
    if (code) throw fsError(code, call, path);
  };
  return {
    open: async (path, flags) => {
      fail('open', path);
      return faultyHandle(await inner.open(path, flags), faults, fail);
    },
    lstat: (path, options) => inner.lstat(path, options),
    readdir: async (path, options) => {
      fail('readdir', path);
      return inner.readdir(path, options);
    },
    mkdir: (path) => inner.mkdir(path),
    rename: async (from, to) => {
      fail('rename', to);
      return inner.rename(from, to);
    },
    link: async (from, to) => {
      fail('link', to);
      return inner.link(from, to);
    },
    unlink: async (path) => {
      fail('unlink', path);
      return inner.unlink(path);
    },
    rmdir: (path) => inner.rmdir(path),
    ...(inner.realpath
      ? { realpath: (path: string) => inner.realpath?.(path) ?? Promise.resolve(path) }
      : {}),
    ...(inner.sync ? { sync: faultySyncFs(inner.sync, faults, fail) } : {}),
  };
}

/** The synchronous calls, failing the same way (a write fault counts bytes per file descriptor). */
function faultySyncFs(
  inner: DiskSyncFs,
  faults: Faults,
  fail: (call: FaultyCall, path?: string) => void,
): DiskSyncFs {
  const written = new Map<number, number>();
  return {
    openSync(path, flags) {
      fail('open', path);
      const fd = inner.openSync(path, flags);
      written.set(fd, 0);
      return fd;
    },
    writeSync(fd, buffer, offset, length, position) {
      const before = written.get(fd) ?? 0;
      const fault = faults.write;
      if (fault && before + length > fault.afterBytes) {
        const allowed = Math.max(0, fault.afterBytes - before);
        if (allowed > 0) inner.writeSync(fd, buffer, offset, allowed, position);
        written.set(fd, before + allowed);
        throw fsError(fault.code, 'write');
      }
      const count = inner.writeSync(fd, buffer, offset, length, position);
      written.set(fd, before + count);
      return count;
    },
    readSync(fd, buffer, offset, length, position) {
      fail('read');
      return inner.readSync(fd, buffer, offset, length, position);
    },
    futimesSync: (fd, atime, mtime) => inner.futimesSync(fd, atime, mtime),
    fstatSync: (fd) => inner.fstatSync(fd),
    closeSync(fd) {
      written.delete(fd);
      inner.closeSync(fd);
    },
    linkSync(from, to) {
      fail('link', to);
      inner.linkSync(from, to);
    },
    unlinkSync(path) {
      fail('unlink', path);
      inner.unlinkSync(path);
    },
    lstatSync: (path) => inner.lstatSync(path),
    mkdirSync: (path) => inner.mkdirSync(path),
  };
}

function faultyHandle(
  inner: DiskFileHandle,
  faults: Faults,
  fail: (call: FaultyCall) => void,
): DiskFileHandle {
  let written = 0;
  return {
    async write(buffer, offset, length, position) {
      const fault = faults.write;
      if (fault && written + length > fault.afterBytes) {
        const allowed = Math.max(0, fault.afterBytes - written);
        if (allowed > 0) await inner.write(buffer, offset, allowed, position);
        written += allowed;
        throw fsError(fault.code, 'write');
      }
      const result = await inner.write(buffer, offset, length, position);
      written += result.bytesWritten;
      return result;
    },
    async read(buffer, offset, length, position) {
      fail('read');
      return inner.read(buffer, offset, length, position);
    },
    stat: (options) => inner.stat(options),
    utimes: (atime, mtime) => inner.utimes(atime, mtime),
    async datasync() {
      fail('datasync');
      return inner.datasync();
    },
    close: () => inner.close(),
  };
}

/**
 * A file system that refuses every call that would change something with `code` (`EROFS` for a
 * read-only mount, `EACCES` or `EPERM` for a folder without write permission), as the kernel
 * does, and records each refused call in `refused`. Reads pass through.
 */
export function readOnlyFs(inner: DiskFs, code: string, refused: string[] = []): DiskFs {
  const refuse = (call: string, path: string): never => {
    refused.push(`${call} ${path}`);
    throw fsError(code, call, path);
  };
  const sync = inner.sync;
  return {
    ...inner,
    open: async (path, flags) => (flags === 'wx' ? refuse('open', path) : inner.open(path, flags)),
    lstat: (path, options) => inner.lstat(path, options),
    readdir: (path, options) => inner.readdir(path, options),
    mkdir: async (path) => refuse('mkdir', path),
    rename: async (_from, to) => refuse('rename', to),
    link: async (_from, to) => refuse('link', to),
    unlink: async (path) => refuse('unlink', path),
    rmdir: async (path) => refuse('rmdir', path),
    ...(inner.realpath
      ? { realpath: (path: string) => inner.realpath?.(path) ?? Promise.resolve(path) }
      : {}),
    ...(sync
      ? {
          sync: {
            ...sync,
            openSync: (path, flags) =>
              flags === 'wx' ? refuse('openSync', path) : sync.openSync(path, flags),
            writeSync: () => refuse('writeSync', ''),
            readSync: (...args) => sync.readSync(...args),
            futimesSync: () => refuse('futimesSync', ''),
            fstatSync: (fd) => sync.fstatSync(fd),
            closeSync: (fd) => sync.closeSync(fd),
            linkSync: (_from, to) => refuse('linkSync', to),
            unlinkSync: (path) => refuse('unlinkSync', path),
            lstatSync: (path) => sync.lstatSync(path),
            mkdirSync: (path) => refuse('mkdirSync', path),
          } satisfies DiskSyncFs,
        }
      : {}),
  };
}
