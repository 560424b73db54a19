import type { Entry, StorageBackend } from '@datalake/model';
import {
  ConflictError,
  CorruptDataError,
  collectBody,
  DataLakeError,
  PreconditionFailedError,
  PutMode,
} from '@datalake/model';
import { type ContentPlan, storedKey, storedKeyOf } from '../compression/stored-content.js';
import type { LoadedRecord } from '../loader.js';
import { claimKey } from '../paths.js';
import { decodePathClaim, encodeJson, type PathClaim } from '../record.js';
import { isAbandoned } from '../writer.js';
import { ignoringBackendErrors } from './cleanup.js';

/** What path claims need of the lake they belong to. */
export interface PathClaimsHost {
  backend: StorageBackend;
  /** This instance's writer tag, written into every claim it makes. */
  writer(): PathClaim['writer'];
  leaseMs: number;
  notice(message: string): void;
  /** The record of `id`, validated, or null. */
  loadRecordOrNull(id: string): Promise<LoadedRecord | null>;
  /** Puts a record into the catalog (finishing an abandoned write first); undefined when it is a deletion. */
  admit(loaded: LoadedRecord): Promise<Entry | undefined>;
}

/** What `claimAndWriteContent` did: the path's claim, the suffixed key's claim for compressed content, and how. */
export interface WrittenContent {
  claimEtag: string;
  aliasEtag: string | undefined;
  plan: ContentPlan;
  /** The content object's etag as this write left it. */
  contentEtag?: string;
}

/**
 * The first step of every store: the claim object of a content path (`.claims/<hash>`), created
 * conditionally so that one writer wins a path, then the content written under it.
 */
export class PathClaims {
  constructor(private readonly host: PathClaimsHost) {}

  /** The claim on `filePath`, or undefined when there is none or it is not valid. */
  async claimOf(filePath: string): Promise<(PathClaim & { etag: string }) | undefined> {
    const key = claimKey(filePath);
    const object = await this.host.backend.get(key);
    if (!object) return undefined;
    try {
      return { ...decodePathClaim(await collectBody(object.body), key), etag: object.etag };
    } catch (error) {
      if (error instanceof CorruptDataError) return undefined;
      throw error;
    }
  }

  /** Creates the claim object for a path, taking over an abandoned one; returns the claim's etag. */
  async claimPath(filePath: string, id: string): Promise<string> {
    const { backend, leaseMs } = this.host;
    const key = claimKey(filePath);
    const claim: PathClaim = { format: 1, id, filePath, writer: this.host.writer() };
    try {
      // The claim and the content become durable with the store's record (see `PutOptions.deferDurability`).
      return (await backend.put(key, encodeJson(claim), { mode: PutMode.create, deferDurability: true }))
        .etag;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
    const existing = await backend.get(key);
    const taken = () => new ConflictError(`path "${filePath}" is already taken`, { details: { filePath } });
    if (!existing) throw taken();
    const holder = decodePathClaim(await collectBody(existing.body), key);
    const owner = await this.host.loadRecordOrNull(holder.id);
    if (owner?.record.deleted && !isAbandoned(owner.record.deleted, leaseMs)) {
      throw new ConflictError(`path "${filePath}" is being freed by a delete; try again`, {
        details: { filePath },
      });
    }
    const ownerEntry = owner ? await this.host.admit(owner) : undefined;
    if (ownerEntry && (ownerEntry.filePath === filePath || storedKeyOf(ownerEntry) === filePath)) {
      throw new ConflictError(`path "${filePath}" is already taken by entry ${holder.id}`, {
        details: { filePath, id: holder.id },
      });
    }
    if (!isAbandoned(holder.writer, leaseMs)) {
      throw new ConflictError(`path "${filePath}" is being stored by another writer`, {
        details: { filePath },
      });
    }
    this.host.notice(
      `taking over the abandoned claim on "${filePath}" left by an interrupted store or delete`,
    );
    try {
      return (await backend.put(key, encodeJson(claim), { mode: PutMode.replace(existing.etag) })).etag;
    } catch (error) {
      if (error instanceof PreconditionFailedError) throw taken();
      throw error;
    }
  }

  /** Removes this writer's claim on `filePath` (by its etag). Best effort: a leftover claim is taken over later. */
  async releaseClaim(filePath: string, etag: string): Promise<void> {
    await ignoringBackendErrors(() => this.host.backend.delete(claimKey(filePath), { ifMatch: etag }));
  }

  /**
   * Claims `filePath` and writes its content as `plan` says; returns the claims and the plan that
   * was followed. A buffered body is sent as a conditional create at the same time as the claim (one
   * round trip instead of two): normally nothing is at the path yet. When the claim is lost,
   * whatever that create made is left for the claim's holder, who replaces it (deleting it could
   * remove the holder's own content). Content left by an interrupted store whose claim was taken
   * over is replaced. A stream cannot be sent twice, so it is written only once the claim is ours.
   * Compressed content goes to the suffixed key, which is claimed too (for the same entry), so that
   * no entry stored at that path can overwrite it; if another entry holds it, the content is stored
   * as it came.
   */
  async claimAndWriteContent(filePath: string, id: string, given: ContentPlan): Promise<WrittenContent> {
    const { backend } = this.host;
    let plan = given;
    let created = false;
    let contentEtag: string | undefined;
    let claimEtag: string;
    let aliasEtag: string | undefined;
    if (plan.codec) {
      claimEtag = await this.claimPath(filePath, id);
      try {
        aliasEtag = await this.claimPath(storedKey(filePath, plan.codec), id);
      } catch (error) {
        if (!(error instanceof ConflictError)) {
          await this.releaseClaim(filePath, claimEtag);
          throw error;
        }
        plan = plan.asIs();
      }
    } else if (plan.buffered) {
      const [claim, content] = await Promise.allSettled([
        this.claimPath(filePath, id),
        backend.put(filePath, plan.body(), { mode: PutMode.create, deferDurability: true }),
      ]);
      if (claim.status === 'rejected') throw claim.reason;
      claimEtag = claim.value;
      if (content.status === 'fulfilled') {
        created = true;
        contentEtag = content.value.etag;
      } else if (!(content.reason instanceof PreconditionFailedError)) {
        await this.releaseClaim(filePath, claimEtag);
        throw content.reason;
      }
    } else {
      claimEtag = await this.claimPath(filePath, id);
    }
    const written: WrittenContent = { claimEtag, aliasEtag, plan, contentEtag };
    try {
      if (!created)
        written.contentEtag = (await backend.put(storedKey(filePath, plan.codec), plan.body())).etag;
    } catch (error) {
      await this.releaseClaims(filePath, written);
      throw error;
    }
    return written;
  }

  /** Removes what a failed store or undelete wrote: its content object and claims. */
  async undoContentWrite(filePath: string, written: WrittenContent): Promise<void> {
    await ignoringBackendErrors(() => this.host.backend.delete(storedKey(filePath, written.plan.codec)));
    await this.releaseClaims(filePath, written);
  }

  private async releaseClaims(filePath: string, written: WrittenContent): Promise<void> {
    if (written.aliasEtag !== undefined && written.plan.codec)
      await this.releaseClaim(storedKey(filePath, written.plan.codec), written.aliasEtag);
    await this.releaseClaim(filePath, written.claimEtag);
  }

  /** Removes the claim on the suffixed key of compressed content, if it names `id`. */
  async releaseAliasClaim(key: string, id: string): Promise<void> {
    try {
      const alias = await this.claimOf(key);
      if (alias?.id === id) {
        const etag = alias.etag;
        await ignoringBackendErrors(() => this.host.backend.delete(claimKey(key), { ifMatch: etag }));
      }
    } catch (error) {
      if (!(error instanceof DataLakeError)) throw error;
    }
  }
}
