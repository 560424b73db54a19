import { Type } from 'typebox';
import { DataTypeSchema } from '../schemas.js';

/** Schemas of the retention routes: rules, holds and plans as the lake's `lake.retention` has them. */

const Timestamp = Type.String({ format: 'date-time' });
const Days = Type.Integer({ minimum: 0, maximum: 36_600 });
const Note = {
  author: Type.Optional(Type.String({ maxLength: 200 })),
  message: Type.Optional(Type.String({ maxLength: 2000 })),
};

export const RetentionMatchSchema = Type.Object(
  {
    dataType: Type.Optional(DataTypeSchema),
    pathPrefix: Type.Optional(
      Type.String({ minLength: 1, description: 'A folder path below the lake root (`schema/billing`)' }),
    ),
    metadata: Type.Optional(
      Type.Object(
        { key: Type.String({ minLength: 1 }), value: Type.Unknown() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, description: 'Every condition given must hold (none: every entry)' },
);

const RuleSettings = {
  match: Type.Optional(RetentionMatchSchema),
  keepLastVersions: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_600 })),
  keepNoncurrentDays: Type.Optional(Days),
  purgeDeletedAfterDays: Type.Optional(Days),
};

export const RetentionRuleSchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), ...RuleSettings },
  { additionalProperties: false, $id: 'RetentionRule', title: 'RetentionRule' },
);

export const RetentionRulesSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 0, description: 'Each change is a new version; 0: never set' }),
    rules: Type.Array(Type.Ref('RetentionRule')),
    at: Type.Union([Timestamp, Type.Null()]),
    author: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
  },
  { $id: 'RetentionRules', title: 'RetentionRules' },
);

export const RulesBody = Type.Object(
  {
    rules: Type.Array(Type.Ref('RetentionRule'), { maxItems: 1000 }),
    ifVersion: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Refuse (409) unless the rules are at this version now' }),
    ),
    ...Note,
  },
  { additionalProperties: false },
);

export const RuleBody = Type.Object(
  {
    ...RuleSettings,
    ifVersion: Type.Optional(Type.Integer({ minimum: 0 })),
    ...Note,
  },
  { additionalProperties: false, description: 'The rule named in the path, created or replaced' },
);

export const RuleDeleteQuery = Type.Object(
  {
    ifVersion: Type.Optional(Type.Integer({ minimum: 0 })),
    author: Type.Optional(Type.String({ maxLength: 200 })),
    message: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const RuleNameParams = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

const Override = Type.Object({
  at: Timestamp,
  from: Timestamp,
  to: Type.Union([Timestamp, Type.Null()]),
  author: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export const EntryHoldsSchema = Type.Object(
  {
    id: Type.String(),
    legalHold: Type.Optional(
      Type.Object({ reason: Type.String(), since: Timestamp, author: Type.Optional(Type.String()) }),
    ),
    retainUntil: Type.Optional(
      Type.Object({
        until: Timestamp,
        mode: Type.Union([Type.Literal('governance'), Type.Literal('compliance')]),
        since: Timestamp,
        author: Type.Optional(Type.String()),
      }),
    ),
    overrides: Type.Array(Override, {
      description: 'Every governance retention shortened by an explicit override',
    }),
  },
  { $id: 'EntryHolds', title: 'EntryHolds' },
);

export const LegalHoldBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    author: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const RetainUntilBody = Type.Object(
  {
    until: Type.Union([Timestamp, Type.Null()], { description: 'null removes the retention' }),
    mode: Type.Optional(Type.Union([Type.Literal('governance'), Type.Literal('compliance')])),
    override: Type.Optional(
      Type.Boolean({ description: 'Shorten or remove a governance retention before its date (audited)' }),
    ),
    ...Note,
  },
  { additionalProperties: false },
);

const VersionSchema = Type.Object({
  version: Type.Integer(),
  at: Timestamp,
  op: Type.String(),
  deleted: Type.Boolean(),
  size: Type.Integer(),
  sha256: Type.String(),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  author: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  restoredFrom: Type.Optional(Type.Integer()),
});

const PlanFields = {
  versions: Type.Array(
    Type.Object({ id: Type.String(), filePath: Type.String(), versions: Type.Array(VersionSchema) }),
    { description: 'Noncurrent versions that go, by entry' },
  ),
  entries: Type.Array(Type.Object({ id: Type.String(), filePath: Type.String(), deletedAt: Timestamp }), {
    description: 'Deleted entries that go with their whole history',
  }),
  blobs: Type.Array(Type.Object({ sha256: Type.String(), size: Type.Integer() })),
  bytesFreed: Type.Integer({ minimum: 0 }),
};

export const RetentionPlanSchema = Type.Object(
  {
    ...PlanFields,
    partial: Type.Boolean({
      description: 'True when the plan is filtered to what the token may read (it is not an admin)',
    }),
  },
  { title: 'RetentionPlan' },
);

export const RetentionOutcomeSchema = Type.Object(
  { ...PlanFields, pagesRemoved: Type.Integer({ minimum: 0 }) },
  { title: 'RetentionOutcome' },
);

export const MomentQuery = Type.Object(
  { now: Type.Optional(Type.String({ description: 'Judge as of this moment (ISO-8601); default now' })) },
  { additionalProperties: false },
);

export const retentionSchemas = [RetentionRuleSchema, RetentionRulesSchema, EntryHoldsSchema];
