import { DATA_TYPES, type DataType } from '@datalake/core';
import { type Static, type TSchema, Type } from 'typebox';
import { ACTIONS, type Action } from './auth/grants.js';

/** The schemas of every route: validation, response serialisation and the OpenAPI document come from here. */

export const DataTypeSchema = Type.Unsafe<DataType>({
  type: 'string',
  enum: [...DATA_TYPES],
  description: 'The kind of artifact, also its top-level folder',
});

const Timestamp = Type.String({ format: 'date-time' });
/*
 * Response schemas avoid unions (anyOf): fast-json-stringify checks each value against every branch
 * while serialising, which costs more than the rest of a search answer. A type list and an enum
 * describe the same values and serialise without checks.
 */
const NullableTimestamp = Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time' });

export const JsonObject = Type.Record(Type.String(), Type.Unknown(), {
  description: 'A JSON object (entry metadata)',
});

export const EntrySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    dataType: DataTypeSchema,
    metadata: JsonObject,
    createdAt: Timestamp,
    updatedAt: NullableTimestamp,
    filePath: Type.String({ description: '`<dataType>/<subpath>/<name>`' }),
    subpath: Type.String(),
    size: Type.Integer({ minimum: 0 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    stored: Type.Optional(
      Type.Object(
        {
          codec: Type.Unsafe<'gzip' | 'brotli' | 'zstd'>({
            type: 'string',
            enum: ['gzip', 'brotli', 'zstd'],
          }),
          size: Type.Integer({ minimum: 0, description: 'Bytes the compressed content takes in storage' }),
        },
        { description: 'How the content is stored when the lake compressed it (reads return the original)' },
      ),
    ),
  },
  { $id: 'Entry', title: 'Entry', description: 'A stored artifact, without its content' },
);

export const EntryRef = Type.Unsafe<Static<typeof EntrySchema>>(Type.Ref('Entry'));

/** An empty answer (204, 304). */
export const NoContent = Type.Unsafe<undefined>({ type: 'null', description: 'No content' });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({
      description:
        'NOT_FOUND, VALIDATION, CONFLICT, PRECONDITION_FAILED, BACKEND, CLOSED, CORRUPT, READ_ONLY, TOO_LARGE, RETENTION, UNAUTHORIZED or FORBIDDEN',
    }),
    detail: Type.String(),
    details: Type.Optional(JsonObject),
  },
  { $id: 'Problem', title: 'Problem', description: 'An RFC 9457 problem (application/problem+json)' },
);

const ProblemRef = Type.Ref('Problem');

/** Response schemas for the error statuses a route may answer. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemRef]));
}

export const StatsSchema = Type.Object(
  {
    totalEntries: Type.Integer(),
    entriesByType: Type.Record(Type.String(), Type.Integer()),
    totalSizeBytes: Type.Integer(),
    totalSizeMb: Type.Number(),
    createdEntries: Type.Integer(),
    updatedEntries: Type.Integer(),
    storedSizeBytes: Type.Optional(Type.Integer({ description: 'Bytes the contents take in storage' })),
    originalSizeBytes: Type.Optional(Type.Integer({ description: 'Bytes of the contents as given' })),
  },
  { $id: 'Stats', title: 'Stats' },
);

export const EntryPageSchema = Type.Object(
  {
    entries: Type.Array(EntryRef),
    cursor: Type.Optional(Type.String({ description: 'Present when more entries follow' })),
  },
  { title: 'EntryPage' },
);

export const ListQuery = Type.Object(
  {
    dataType: Type.Optional(DataTypeSchema),
    subpath: Type.Optional(Type.String()),
    recursive: Type.Optional(Type.Boolean({ default: true })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
    cursor: Type.Optional(Type.String()),
    asOf: Type.Optional(Type.String({ description: 'The lake as it was at this moment (ISO-8601)' })),
  },
  { additionalProperties: false },
);

/** Required for an octet-stream body; a multipart form sends them as fields instead. */
export const StoreQuery = Type.Object(
  {
    name: Type.Optional(
      Type.String({ description: 'File name (one path segment); required with application/octet-stream' }),
    ),
    dataType: Type.Optional(DataTypeSchema),
    subpath: Type.Optional(Type.String({ description: 'Folder below the type folder' })),
  },
  { additionalProperties: false },
);

export const MetadataHeader = Type.Object({
  'datalake-metadata': Type.Optional(
    Type.String({
      description:
        'Entry metadata: a JSON object, percent-encoded as by encodeURIComponent (UTF-8). On a content update it merges into the existing metadata.',
    }),
  ),
});

export const IdParams = Type.Object({ id: Type.String() }, { additionalProperties: false });
export const PathParams = Type.Object(
  { '*': Type.String({ description: 'The entry\u2019s filePath, e.g. schema/billing/tables.sql' }) },
  { additionalProperties: false },
);

export const NoQuery = Type.Object({}, { additionalProperties: false });

export const UpdateBody = Type.Object(
  { metadata: JsonObject },
  { additionalProperties: false, description: 'Metadata to merge (top-level keys replace)' },
);

export const ConditionalHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      description:
        'Compare-and-swap: the entry\u2019s version (the ETag of GET /v1/entries/{id}) or content SHA-256 (the ETag of its content), quoted; 412 when stale',
    }),
  ),
});

const DateBound = Type.String({ description: 'ISO-8601, inclusive' });

export const SearchBody = Type.Object(
  {
    query: Type.String(),
    mode: Type.Optional(
      Type.Union([Type.Literal('substring'), Type.Literal('regex'), Type.Literal('words')]),
    ),
    caseSensitive: Type.Optional(Type.Boolean()),
    dataType: Type.Optional(Type.Union([DataTypeSchema, Type.Array(DataTypeSchema, { minItems: 1 })])),
    subpath: Type.Optional(Type.String()),
    metadata: Type.Optional(JsonObject),
    createdAfter: Type.Optional(DateBound),
    createdBefore: Type.Optional(DateBound),
    modifiedAfter: Type.Optional(DateBound),
    modifiedBefore: Type.Optional(DateBound),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String()),
    maxLinesPerHit: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false, title: 'SearchRequest' },
);

export const SearchResultSchema = Type.Object(
  {
    hits: Type.Array(
      Type.Object({
        entry: EntryRef,
        score: Type.Number(),
        matchedIn: Type.Array(
          Type.Unsafe<'name' | 'content' | 'metadata'>({
            type: 'string',
            enum: ['name', 'content', 'metadata'],
          }),
        ),
        lines: Type.Array(
          Type.Object({
            line: Type.Integer(),
            text: Type.String(),
            ranges: Type.Array(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 })),
          }),
        ),
        lineMatchCount: Type.Integer(),
      }),
    ),
    cursor: Type.Optional(Type.String()),
  },
  { title: 'SearchResult' },
);

export const ActionSchema = Type.Unsafe<Action>({ type: 'string', enum: [...ACTIONS] });

export const GrantSchema = Type.Object(
  {
    actions: Type.Array(ActionSchema, { minItems: 1 }),
    dataType: Type.Optional(DataTypeSchema),
    pathPrefix: Type.Optional(
      Type.String({ description: 'A folder below the type folder, matched by whole segments' }),
    ),
  },
  { additionalProperties: false, $id: 'Grant', title: 'Grant' },
);

export const TokenInfoSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    grants: Type.Array(Type.Ref('Grant')),
    createdAt: Timestamp,
    createdBy: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Timestamp, Type.Null()]),
    lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'TokenInfo', title: 'TokenInfo' },
);

export const NewTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    grants: Type.Array(Type.Ref('Grant')),
    expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  },
  { additionalProperties: false },
);

export const AuditRecordSchema = Type.Object({
  time: Timestamp,
  tokenId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  entry: Type.Optional(
    Type.Object({ id: Type.Optional(Type.String()), filePath: Type.Optional(Type.String()) }),
  ),
  target: Type.Optional(Type.String()),
  outcome: Type.String(),
  status: Type.Integer(),
  requestId: Type.Optional(Type.String()),
});

export const IndexReportSchema = Type.Object({
  documents: Type.Integer(),
  indexedBytes: Type.Integer(),
  segments: Type.Integer(),
  indexBytes: Type.Integer(),
  durationMs: Type.Number(),
});

export const IndexCheckSchema = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  covered: Type.Integer(),
  uncovered: Type.Array(Type.String()),
  segments: Type.Integer(),
  corruptSegments: Type.Array(Type.String()),
  indexBytes: Type.Integer(),
});

/** Schemas shared by reference ($ref) in the OpenAPI document. */
export const sharedSchemas: TSchema[] = [
  EntrySchema,
  ProblemSchema,
  StatsSchema,
  GrantSchema,
  TokenInfoSchema,
];
