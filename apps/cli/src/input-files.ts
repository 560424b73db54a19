import { readFile, stat } from 'node:fs/promises';
import { type DataLakeError, NotFoundError, ValidationError } from '@datalake/core';

/** Bytes of a file named on the command line, or of standard input for `-`; failures become typed errors. */
export async function readInput(path: string): Promise<Uint8Array> {
  if (path === '-') return new Uint8Array(await readStdin());
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw fileError(path, error);
  }
}

/** Throws unless `path` is an existing folder. */
export async function assertFolder(path: string): Promise<void> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (error) {
    throw fileError(path, error);
  }
  if (!isFolder) throw new ValidationError(`"${path}" is not a folder`);
}

function fileError(path: string, error: unknown): DataLakeError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new NotFoundError(`no such file or folder: "${path}"`, { cause: error });
  const reason = error instanceof Error ? error.message : String(error);
  return new ValidationError(`cannot read "${path}": ${reason}`, { cause: error });
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
