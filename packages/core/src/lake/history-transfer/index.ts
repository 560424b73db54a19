export { type HistoryTransferHost, LakeHistoryTransfer } from './lake-history-transfer.js';
export type {
  EntryWithHistory,
  ImportedEntry,
  ImportOptions,
  ImportOutcome,
  RetentionExport,
} from './types.js';
