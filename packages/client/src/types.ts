import type { DataType } from '@datalake/core';

/** Actions a grant allows. `admin` allows everything, token management and the audit log. */
export type Action = 'read' | 'write' | 'delete' | 'admin';

/** Actions on entries of one data type and/or below one folder (below the type folder). */
export interface Grant {
  actions: Action[];
  dataType?: DataType;
  pathPrefix?: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  grants: Grant[];
  createdAt: string;
  createdBy: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface NewToken {
  name: string;
  grants: Grant[];
  /** ISO-8601 time; omit for a token that does not expire. */
  expiresAt?: string | null;
}

export interface WhoAmI {
  /** `null` for anonymous access. */
  tokenId: string | null;
  grants: Grant[];
}

export interface AuditRecord {
  time: string;
  tokenId: string | null;
  action: string;
  entry?: { id?: string; filePath?: string };
  target?: string;
  outcome: string;
  status: number;
  requestId?: string;
}

export interface AuditPage {
  records: AuditRecord[];
  cursor?: string;
}
