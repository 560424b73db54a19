import type { Entry, JsonValue, StorageBackend } from '@datalake/model';
import {
  ConflictError,
  CorruptDataError,
  collectBody,
  isDataType,
  PreconditionFailedError,
  PutMode,
  RETENTION_RULES_PREFIX,
  ValidationError,
} from '@datalake/model';
import { listAll } from '../../loader.js';
import { normaliseMetadata } from '../../metadata.js';
import { encodeJson } from '../../record.js';
import { normaliseNote } from '../inputs.js';
import type { ChangeNote } from '../types.js';
import type { RetentionMatch, RetentionRule, RetentionRules } from './types.js';

const RULES_PREFIX = RETENTION_RULES_PREFIX;
const MAX_RULES = 1000;
const MAX_DAYS = 100 * 366;

/** Version `n` of the rules: numbered keys that sort in order, each written once. */
function rulesKey(version: number): string {
  return `${RULES_PREFIX}${String(version).padStart(12, '0')}.json`;
}

/** The rules in force: the newest version (version 0 and no rules when none was ever set). */
export async function readRules(backend: StorageBackend): Promise<RetentionRules> {
  const keys = [...(await listAll(backend, RULES_PREFIX)).keys()].sort();
  const newest = keys.at(-1);
  if (newest === undefined) return { version: 0, rules: [], at: null };
  return readRulesAt(backend, newest);
}

/** Every version of the rules, newest first. */
export async function rulesHistory(backend: StorageBackend): Promise<RetentionRules[]> {
  const keys = [...(await listAll(backend, RULES_PREFIX)).keys()].sort().reverse();
  return Promise.all(keys.map((key) => readRulesAt(backend, key)));
}

/**
 * Replaces the rules, as a new version. The conditional create of that version is the commit:
 * of two writers that both read version n, one writes n + 1 and the other gets `ConflictError`.
 */
export async function writeRules(
  backend: StorageBackend,
  input: unknown,
  noteInput: ChangeNote | undefined,
): Promise<RetentionRules> {
  const rules = normaliseRules(input);
  const note = normaliseNote(noteInput);
  const current = await readRules(backend);
  const next: RetentionRules = { version: current.version + 1, rules, at: new Date().toISOString(), ...note };
  try {
    await backend.put(rulesKey(next.version), encodeJson(next), { mode: PutMode.create });
  } catch (error) {
    if (error instanceof PreconditionFailedError)
      throw new ConflictError('the retention rules were changed concurrently; read them again', {
        details: { version: next.version },
      });
    throw error;
  }
  return next;
}

async function readRulesAt(backend: StorageBackend, key: string): Promise<RetentionRules> {
  const object = await backend.get(key);
  try {
    if (!object) throw new Error('it is gone');
    const value = JSON.parse(Buffer.from(await collectBody(object.body)).toString('utf8')) as RetentionRules;
    normaliseRules(value.rules);
    return value;
  } catch (cause) {
    throw new CorruptDataError(`the retention rules at ${key} are damaged`, { cause, details: { key } });
  }
}

/** Checks rules as given by a caller: `ValidationError` naming the first problem. */
export function normaliseRules(input: unknown): RetentionRule[] {
  if (!Array.isArray(input)) throw new ValidationError('retention rules must be an array');
  if (input.length > MAX_RULES) throw new ValidationError(`at most ${MAX_RULES} retention rules`);
  const names = new Set<string>();
  return input.map((value, index) => {
    const rule = normaliseRule(value, index);
    if (names.has(rule.name)) throw new ValidationError(`two retention rules are named "${rule.name}"`);
    names.add(rule.name);
    return rule;
  });
}

function normaliseRule(value: unknown, index: number): RetentionRule {
  const where = `retention rule ${index + 1}`;
  if (!isObject(value)) throw new ValidationError(`${where} is not an object`);
  const known = new Set(['name', 'match', 'keepLastVersions', 'keepNoncurrentDays', 'purgeDeletedAfterDays']);
  for (const key of Object.keys(value))
    if (!known.has(key)) throw new ValidationError(`${where} has an unknown setting "${key}"`);
  if (typeof value.name !== 'string' || value.name.trim() === '' || value.name.length > 200)
    throw new ValidationError(`${where} needs a name (1 to 200 characters)`);
  const rule: RetentionRule = { name: value.name };
  if (value.match !== undefined) rule.match = normaliseMatch(value.match, where);
  for (const field of ['keepLastVersions', 'keepNoncurrentDays', 'purgeDeletedAfterDays'] as const) {
    const number = value[field];
    if (number === undefined) continue;
    const minimum = field === 'keepLastVersions' ? 1 : 0;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < minimum || number > MAX_DAYS)
      throw new ValidationError(`${where}: ${field} must be a whole number from ${minimum}`, {
        details: { rule: value.name, [field]: number as JsonValue },
      });
    rule[field] = number;
  }
  if (
    rule.keepLastVersions === undefined &&
    rule.keepNoncurrentDays === undefined &&
    rule.purgeDeletedAfterDays === undefined
  )
    throw new ValidationError(
      `${where} sets none of keepLastVersions, keepNoncurrentDays, purgeDeletedAfterDays`,
    );
  return rule;
}

function normaliseMatch(value: unknown, where: string): RetentionMatch {
  if (!isObject(value)) throw new ValidationError(`${where}: match is not an object`);
  const match: RetentionMatch = {};
  for (const key of Object.keys(value))
    if (!['dataType', 'pathPrefix', 'metadata'].includes(key))
      throw new ValidationError(`${where}: match has an unknown condition "${key}"`);
  if (value.dataType !== undefined) {
    if (!isDataType(value.dataType)) throw new ValidationError(`${where}: match.dataType is not a data type`);
    match.dataType = value.dataType;
  }
  if (value.pathPrefix !== undefined) {
    if (typeof value.pathPrefix !== 'string' || value.pathPrefix === '')
      throw new ValidationError(`${where}: match.pathPrefix must be a non-empty path`);
    match.pathPrefix = value.pathPrefix.normalize('NFC').replace(/^\/+|\/+$/g, '');
  }
  if (value.metadata !== undefined) {
    const metadata = value.metadata;
    if (!isObject(metadata) || typeof metadata.key !== 'string' || !('value' in metadata))
      throw new ValidationError(`${where}: match.metadata must be { key, value }`);
    const checked = normaliseMetadata({ value: metadata.value }).value as JsonValue;
    match.metadata = { key: metadata.key, value: checked };
  }
  return match;
}

/** Whether `rule` applies to `entry` (its metadata as it is now, or as it was when deleted). */
export function ruleMatches(rule: RetentionRule, entry: Entry): boolean {
  const { match } = rule;
  if (!match) return true;
  if (match.dataType !== undefined && entry.dataType !== match.dataType) return false;
  if (match.pathPrefix !== undefined && !`${entry.filePath}/`.startsWith(`${match.pathPrefix}/`))
    return false;
  if (match.metadata !== undefined) {
    const actual = entry.metadata[match.metadata.key];
    if (actual === undefined || JSON.stringify(actual) !== JSON.stringify(match.metadata.value)) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
