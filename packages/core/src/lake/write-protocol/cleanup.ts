import { DataLakeError } from '@datalake/model';

/** Cleanup that must not hide the error that caused it: a failing backend is left as it is. */
export async function ignoringBackendErrors(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof DataLakeError)) throw error;
  }
}
