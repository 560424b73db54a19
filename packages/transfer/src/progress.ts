/** Progress of a backup, verify, restore or copy, reported after each content (or entry). */
export interface TransferProgress {
  phase: 'backup' | 'verify' | 'restore' | 'copy' | 'check';
  /** Contents (backup, verify) or entries (restore, copy) done so far, of `total`. */
  done: number;
  total: number;
  /** Content bytes done so far, of `totalBytes` (0 when not known ahead, as for verify). */
  bytes: number;
  totalBytes: number;
}
