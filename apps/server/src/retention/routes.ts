import {
  ConflictError,
  type EntryHolds,
  NotFoundError,
  parseContentPath,
  type RetentionPlan,
  type RetentionRule,
  type RetentionRules,
} from '@datalake/core';
import type { Access } from '../auth/grants.js';
import { type App, audited, requireAdmin, type ServerContext } from '../context.js';
import { requireOnEntry } from '../routes/history.js';
import { IdParams, NoQuery, problems } from '../schemas.js';
import {
  EntryHoldsSchema,
  LegalHoldBody,
  MomentQuery,
  RetainUntilBody,
  RetentionOutcomeSchema,
  RetentionPlanSchema,
  RetentionRulesSchema,
  RuleBody,
  RuleDeleteQuery,
  RuleNameParams,
  RulesBody,
} from './schemas.js';

const TAG = ['retention'];
const security = [{ bearer: [] }];
/** Rule changes of this instance go one at a time, so `ifVersion` and per-rule edits lose nothing. */
const RULES_LOCK = '\u0000retention-rules';

/**
 * Retention over HTTP: the versioned rules (admin), the holds on an entry (read: whoever can read
 * the entry; change: admin), and the plan (filtered to what the token can read) and apply (admin).
 */
export function retentionRoutes(app: App, context: ServerContext): void {
  const { retention } = context.lake;

  app.get(
    '/v1/retention/rules',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'The retention rules in force, with their version (admin)',
        querystring: NoQuery,
        response: { 200: RetentionRulesSchema, ...problems(401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      return retention.rules();
    },
  );

  app.get(
    '/v1/retention/rules/versions',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Every version of the retention rules, newest first (admin)',
        querystring: NoQuery,
        response: { 200: { type: 'array', items: { $ref: 'RetentionRules' } }, ...problems(401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      return retention.rulesHistory();
    },
  );

  app.put(
    '/v1/retention/rules',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Replace every rule, as a new version of the rules (admin)',
        querystring: NoQuery,
        body: RulesBody,
        response: { 200: RetentionRulesSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { rules, ifVersion, ...note } = request.body;
      return changeRules(
        context,
        request,
        'retention.rules.set',
        ifVersion,
        note,
        () => rules as RetentionRule[],
      );
    },
  );

  app.get(
    '/v1/retention/rules/:name',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'One rule by name (admin)',
        params: RuleNameParams,
        querystring: NoQuery,
        response: { 200: { $ref: 'RetentionRule' }, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { name } = request.params;
      const rule = (await retention.rules()).rules.find((candidate) => candidate.name === name);
      if (!rule) throw noRule(name);
      return rule;
    },
  );

  app.put(
    '/v1/retention/rules/:name',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Create or replace one rule, as a new version of the rules (admin)',
        params: RuleNameParams,
        querystring: NoQuery,
        body: RuleBody,
        response: { 200: RetentionRulesSchema, ...problems(400, 401, 403, 409) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { name } = request.params;
      const { ifVersion, author, message, ...settings } = request.body;
      const rule = { name, ...settings } as RetentionRule;
      return changeRules(context, request, 'retention.rule.put', ifVersion, { author, message }, (rules) => {
        const index = rules.findIndex((candidate) => candidate.name === name);
        return index < 0 ? [...rules, rule] : rules.map((candidate, at) => (at === index ? rule : candidate));
      });
    },
  );

  app.delete(
    '/v1/retention/rules/:name',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Remove one rule, as a new version of the rules (admin)',
        params: RuleNameParams,
        querystring: RuleDeleteQuery,
        response: { 200: RetentionRulesSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { name } = request.params;
      const { ifVersion, ...note } = request.query;
      return changeRules(context, request, 'retention.rule.delete', ifVersion, note, (rules) => {
        if (!rules.some((rule) => rule.name === name)) throw noRule(name);
        return rules.filter((rule) => rule.name !== name);
      });
    },
  );

  app.get(
    '/v1/entries/:id/holds',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'The holds on an entry (live or deleted): legal hold, retain-until, overrides',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: EntryHoldsSchema, ...problems(400, 401, 404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireOnEntry(context, request.access, id, 'read');
      return retention.holds(id);
    },
  );

  app.put(
    '/v1/entries/:id/holds/legal',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Put the entry under legal hold, with a reason: no delete, no purge until released (admin)',
        params: IdParams,
        querystring: NoQuery,
        body: LegalHoldBody,
        response: { 200: EntryHoldsSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { id } = request.params;
      return changeHolds(context, request, 'hold.legal.set', id, () =>
        retention.setLegalHold(id, request.body),
      );
    },
  );

  app.delete(
    '/v1/entries/:id/holds/legal',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Release the legal hold of an entry (admin)',
        params: IdParams,
        querystring: NoQuery,
        response: { 200: EntryHoldsSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { id } = request.params;
      return changeHolds(context, request, 'hold.legal.release', id, () => retention.releaseLegalHold(id));
    },
  );

  app.put(
    '/v1/entries/:id/holds/retain-until',
    {
      schema: {
        tags: TAG,
        security,
        summary:
          'Set, extend, shorten or remove a retain-until date (admin). Compliance: never shortened; governance: only with override, which is audited',
        params: IdParams,
        querystring: NoQuery,
        body: RetainUntilBody,
        response: { 200: EntryHoldsSchema, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      const { id } = request.params;
      const action = request.body.override ? 'hold.retain-until.override' : 'hold.retain-until.set';
      return changeHolds(context, request, action, id, () => retention.setRetainUntil(id, request.body));
    },
  );

  app.get(
    '/v1/retention/plan',
    {
      schema: {
        tags: TAG,
        security,
        summary:
          'A dry run: the versions and deleted entries retention would remove, and the bytes freed (filtered to what the token can read)',
        querystring: MomentQuery,
        response: { 200: RetentionPlanSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const { access } = request;
      if (!access.isAdmin && access.readScopes.length === 0) requireAdmin(access);
      const plan = await retention.plan(request.query);
      return access.isAdmin
        ? { ...plan, partial: false }
        : { ...(await visiblePlan(context, access, plan)), partial: true };
    },
  );

  app.post(
    '/v1/retention/apply',
    {
      schema: {
        tags: TAG,
        security,
        summary: 'Remove what the plan lists (admin); an interrupted apply is finished by the next',
        querystring: MomentQuery,
        response: { 200: RetentionOutcomeSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request.access);
      return audited(context, request, { action: 'retention.apply' }, async () => ({
        value: await retention.apply(request.query),
        status: 200,
      }));
    },
  );
}

type Request = Parameters<typeof audited>[1];

async function changeRules(
  context: ServerContext,
  request: Request,
  action: string,
  ifVersion: number | undefined,
  note: { author?: string | undefined; message?: string | undefined },
  change: (rules: RetentionRule[]) => RetentionRule[],
): Promise<RetentionRules> {
  const { retention } = context.lake;
  return audited(context, request, { action }, () =>
    context.withEntryLock(RULES_LOCK, async () => {
      const current = await retention.rules();
      if (ifVersion !== undefined && current.version !== ifVersion)
        throw new ConflictError(
          `the retention rules are at version ${current.version}, not ${ifVersion}; read them again`,
          { details: { version: current.version, ifVersion } },
        );
      const written = await retention.setRules(change(current.rules), definedOnly(note));
      return { value: written, status: 200 };
    }),
  );
}

async function changeHolds(
  context: ServerContext,
  request: Request,
  action: string,
  id: string,
  change: () => Promise<EntryHolds>,
): Promise<EntryHolds> {
  return audited(context, request, { action, entry: { id } }, async () => {
    const { filePath } = await context.lake.history(id, { limit: 1 });
    return { value: await change(), status: 200, entry: { id, filePath } };
  });
}

/**
 * The part of a plan a scoped token may know of: entries it can read, and the content only they
 * name. Bytes freed counts that content alone.
 */
async function visiblePlan(
  context: ServerContext,
  access: Access,
  plan: RetentionPlan,
): Promise<RetentionPlan> {
  const readable = (filePath: string) => {
    const location = parseContentPath(filePath);
    return location !== undefined && location !== null && access.canRead(location);
  };
  const versions = plan.versions.filter((item) => readable(item.filePath));
  const entries = plan.entries.filter((item) => readable(item.filePath));
  const named = new Set(versions.flatMap((item) => item.versions.map((version) => version.sha256)));
  for (const item of entries) {
    let cursor: string | undefined;
    do {
      const page = await context.lake.history(item.id, { limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const version of page.versions) named.add(version.sha256);
      cursor = page.cursor;
    } while (cursor);
  }
  const blobs = plan.blobs.filter((blob) => named.has(blob.sha256));
  return { versions, entries, blobs, bytesFreed: blobs.reduce((sum, blob) => sum + blob.size, 0) };
}

function noRule(name: string): NotFoundError {
  return new NotFoundError(`no retention rule named "${name}"`, { details: { name } });
}

function definedOnly(note: { author?: string | undefined; message?: string | undefined }) {
  return {
    ...(note.author !== undefined ? { author: note.author } : {}),
    ...(note.message !== undefined ? { message: note.message } : {}),
  };
}
