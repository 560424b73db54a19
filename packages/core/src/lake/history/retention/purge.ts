import type { Entry, StorageBackend } from '@datalake/model';
import { listAll } from '../../loader.js';
import { type EntryRecord, encodeJson } from '../../record.js';
import { allVersions, readDeletedRecord, type VersionedRecord } from '../entry-versions.js';
import {
  BLOBS_PREFIX,
  DELETED_PREFIX,
  deletedKey,
  idFromDeletedKey,
  PAGES_PREFIX,
  parseBlobKey,
} from '../keys.js';
import { spillIfLong } from '../pages.js';
import type { EntryVersion, HistoryState } from '../types.js';
import { historyOf } from '../versions.js';
import { removeUnnamedBlobs } from './blob-removal.js';
import { holdRefusal, readAllHolds } from './holds.js';
import { readRules, ruleMatches } from './rules.js';
import type { EntryHolds, RetentionPlan, RetentionRule } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ATTEMPTS = 5;

/** What retention needs of the lake. */
export interface RetentionHost {
  readonly backend: StorageBackend;
  /** The live entries. */
  entries(): readonly Entry[];
  load(id: string): Promise<VersionedRecord>;
  /** Compare-and-swap of a live record: the new etag, or undefined if another writer came first. */
  casRecord(etag: string, record: EntryRecord): Promise<string | undefined>;
  /** Objects younger than this may belong to a write not committed yet: they are left alone. */
  readonly graceMs: number;
}

interface EntryState {
  id: string;
  entry: Entry;
  deleted: boolean;
  history: HistoryState;
  versions: EntryVersion[];
}

interface Survey {
  plan: RetentionPlan;
  /** Page keys some history names. */
  pages: Set<string>;
  /** Pages nothing names, old enough to be left over by an interrupted write. */
  orphanPages: string[];
}

export interface RetentionOutcome extends RetentionPlan {
  /** Pages of versions nothing names any more (left by an earlier purge or an interrupted write), removed. */
  pagesRemoved: number;
}

/** Which versions and deleted entries the rules and holds let go at `now`, and the bytes that frees. */
export async function planRetention(host: RetentionHost, now: number): Promise<RetentionPlan> {
  return (await survey(host, now)).plan;
}

/**
 * Removes what the plan lets go: versions first (each entry's record rewritten by
 * compare-and-swap), then deleted entries, then content and pages nothing names any more. An
 * interrupted apply leaves a lake whose next apply finishes the work.
 */
export async function applyRetention(host: RetentionHost, now: number): Promise<RetentionOutcome> {
  const { plan } = await survey(host, now);
  for (const item of plan.versions)
    await dropVersions(host, item.id, new Set(item.versions.map((v) => v.version)));
  for (const item of plan.entries) await dropDeletedEntry(host, item.id);
  // What is left unnamed is measured again after the rewrites: that is what goes.
  const after = await survey(host, now);
  const removed = await removeUnnamedBlobs(host.backend, after.plan.blobs);
  for (const key of after.orphanPages) await host.backend.delete(key);
  return {
    versions: plan.versions,
    entries: plan.entries,
    blobs: removed,
    bytesFreed: removed.reduce((sum, blob) => sum + blob.size, 0),
    pagesRemoved: after.orphanPages.length,
  };
}

async function survey(host: RetentionHost, now: number): Promise<Survey> {
  const { backend } = host;
  const rules = (await readRules(backend)).rules;
  const holds = await readAllHolds(backend);
  const plan: RetentionPlan = { versions: [], entries: [], blobs: [], bytesFreed: 0 };
  const referenced = new Set<string>();
  const pages = new Set<string>();
  const states: EntryState[] = [];
  const live = new Set<string>();
  for (const entry of host.entries()) {
    live.add(entry.id);
    if (entry.updatedAt === null) {
      referenced.add(entry.sha256); // never changed: its one version is its current content
      continue;
    }
    const state = await host.load(entry.id).catch(() => undefined);
    if (state) states.push(await stateOf(backend, state));
  }
  for (const key of (await listAll(backend, DELETED_PREFIX)).keys()) {
    const id = idFromDeletedKey(key);
    if (id === undefined || live.has(id)) continue;
    const record = await readDeletedRecord(backend, id).catch(() => null);
    if (record)
      states.push(
        await stateOf(backend, { record, history: historyOf(record.entry, record.history), deleted: true }),
      );
  }
  for (const state of states) {
    const matching = rules.filter((rule) => ruleMatches(rule, state.entry));
    const held = holds.get(state.id);
    const purgeEntry = state.deleted && deletedEntryGoes(state, matching, held, now);
    const going = purgeEntry ? [] : versionsThatGo(state, matching, held, now);
    if (purgeEntry) {
      const deletion = state.versions[state.versions.length - 1] as EntryVersion;
      plan.entries.push({ id: state.id, filePath: state.entry.filePath, deletedAt: deletion.at });
      continue;
    }
    for (const page of state.history.pages) pages.add(page.key);
    if (going.length > 0)
      plan.versions.push({ id: state.id, filePath: state.entry.filePath, versions: going });
    const gone = new Set(going);
    for (const version of state.versions) if (!gone.has(version)) referenced.add(version.sha256);
  }
  const cutoff = Math.min(now, Date.now()) - host.graceMs;
  for (const object of await listObjects(backend, BLOBS_PREFIX)) {
    const blob = parseBlobKey(object.key);
    if (!blob) continue; // not a blob the lake wrote: left alone
    const { sha256 } = blob;
    if (!referenced.has(sha256) && object.lastModified.getTime() <= cutoff) {
      plan.blobs.push(
        blob.codec ? { sha256, size: object.size, codec: blob.codec } : { sha256, size: object.size },
      );
      plan.bytesFreed += object.size;
    }
  }
  const orphanPages: string[] = [];
  for (const object of await listObjects(backend, PAGES_PREFIX))
    if (!pages.has(object.key) && object.lastModified.getTime() <= cutoff) orphanPages.push(object.key);
  return { plan, pages, orphanPages };
}

async function stateOf(backend: StorageBackend, state: VersionedRecord): Promise<EntryState> {
  const { record } = state;
  return {
    id: record.entry.id,
    entry: record.entry,
    deleted: state.deleted,
    history: state.history,
    versions: await allVersions(backend, record.entry.id, state.history),
  };
}

/**
 * The noncurrent versions no matching rule keeps. The newest version always stays, and so does a
 * deleted entry's last content (what `undelete` brings back); nothing goes without a rule that lets
 * it, nor while a hold is on the entry.
 */
function versionsThatGo(
  state: EntryState,
  matching: RetentionRule[],
  held: EntryHolds | undefined,
  now: number,
): EntryVersion[] {
  const rules = matching.filter(
    (rule) => rule.keepLastVersions !== undefined || rule.keepNoncurrentDays !== undefined,
  );
  if (rules.length === 0 || (held && holdRefusal(held, now, 'purge'))) return [];
  const { versions } = state;
  const protectedVersions = new Set<EntryVersion>([versions[versions.length - 1] as EntryVersion]);
  if (state.deleted) {
    const lastContent = [...versions].reverse().find((version) => !version.deleted);
    if (lastContent) protectedVersions.add(lastContent);
  }
  const going: EntryVersion[] = [];
  versions.forEach((version, index) => {
    if (protectedVersions.has(version)) return;
    const rank = versions.length - 1 - index;
    const noncurrentSince = Date.parse((versions[index + 1] as EntryVersion).at);
    const kept = rules.some(
      (rule) =>
        (rule.keepLastVersions !== undefined && rank < rule.keepLastVersions) ||
        (rule.keepNoncurrentDays !== undefined && now - noncurrentSince < rule.keepNoncurrentDays * DAY_MS),
    );
    if (!kept) going.push(version);
  });
  return going;
}

/** A deleted entry goes once the longest `purgeDeletedAfterDays` of its matching rules has passed. */
function deletedEntryGoes(
  state: EntryState,
  matching: RetentionRule[],
  held: EntryHolds | undefined,
  now: number,
): boolean {
  const days = matching.flatMap((rule) =>
    rule.purgeDeletedAfterDays === undefined ? [] : [rule.purgeDeletedAfterDays],
  );
  if (days.length === 0 || (held && holdRefusal(held, now, 'purge'))) return false;
  const deletion = state.versions[state.versions.length - 1] as EntryVersion;
  return deletion.deleted && now - Date.parse(deletion.at) >= Math.max(...days) * DAY_MS;
}

/** Rewrites an entry's history without the versions numbered in `drop`, then removes its old pages. */
async function dropVersions(host: RetentionHost, id: string, drop: Set<number>): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const state = await host.load(id).catch(() => undefined);
    if (!state) return;
    const versions = await allVersions(host.backend, id, state.history);
    const newest = versions[versions.length - 1] as EntryVersion;
    const kept = versions.filter((version) => version === newest || !drop.has(version.version));
    if (kept.length === versions.length) return;
    const history = await spillIfLong(host.backend, id, { versions: kept, pages: [] });
    if (state.deleted) {
      const record: EntryRecord = { format: 1, entry: state.record.entry, history };
      await host.backend.put(deletedKey(id), encodeJson(record));
    } else if (!(await host.casRecord(state.etag as string, { ...state.record, history }))) {
      continue;
    }
    for (const page of state.history.pages) await host.backend.delete(page.key);
    return;
  }
}

/** Removes a deleted entry's record, then its pages (content goes with the unnamed blobs). */
async function dropDeletedEntry(host: RetentionHost, id: string): Promise<void> {
  const record = await readDeletedRecord(host.backend, id).catch(() => null);
  await host.backend.delete(deletedKey(id));
  for (const page of record?.history?.pages ?? []) await host.backend.delete(page.key);
}

async function listObjects(backend: StorageBackend, prefix: string) {
  const out = [];
  let cursor: string | undefined;
  do {
    const page = await backend.list(prefix, { cursor, limit: 10_000 });
    out.push(...page.objects);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
