import type { Readable } from 'node:stream';
import { Readable as NodeReadable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type AdapterListOptions,
  type AdapterListPage,
  type AdapterPutOptions,
  type BackendCapabilities,
  BackendError,
  type BodyInput,
  bodyChunks,
  concatBytes,
  type DeleteOptions,
  type GetOptions,
  type GetResult,
  type HttpCondition,
  httpCondition,
  type ObjectInfo,
  PreconditionFailedError,
  type PutResult,
  type StorageAdapter,
  ValidationError,
} from '@datalake/core';
import { readHead, rejoin, watchErrors } from './body.js';
import { createS3Client } from './client.js';
import { type ConditionalSupport, probeConditionalWrites } from './conditional-probe.js';
import {
  type FailedCall,
  httpStatusOf,
  isNotFound,
  isPreconditionFailed,
  toDataLakeError,
} from './errors.js';
import { bareEtag, canonicalEtag, IfMatchSpelling } from './etag.js';
import { KeySpace } from './keys.js';
import { RequestLimiter } from './limiter.js';
import { narrowed, pastPrefix, serverListPrefix } from './listing-prefix.js';
import { decodeMetadata, encodeMetadata } from './metadata.js';
import {
  MAX_SINGLE_PUT_BYTES,
  type ResolvedTuning,
  resolveTuning,
  type S3BackendOptions,
} from './options.js';
import { parseContentRange, rangeHeader } from './range.js';
import { spillToFile } from './spill.js';

/** A body that can be sent more than once (needed to retry a conditional write). */
interface ReplayableBody {
  size: number;
  open(): Uint8Array | Readable;
}

/**
 * The storage adapter on an S3-compatible object store (AWS S3, MinIO, Ceph RGW). Objects live
 * under `prefix/` in one bucket; conditional writes map onto S3's `If-None-Match`/`If-Match`.
 * Core's front (`S3Backend`) has checked every argument before a call reaches it.
 */
export class S3Adapter implements StorageAdapter {
  readonly description: string;
  readonly bucket: string;
  #capabilities: BackendCapabilities;
  readonly #client: S3Client;
  readonly #ownsClient: boolean;
  readonly #keys: KeySpace;
  readonly #tuning: ResolvedTuning;
  readonly #limiter: RequestLimiter;
  readonly #spelling = new IfMatchSpelling();
  readonly #spillDirectory: string | undefined;
  #bucketChecked: Promise<void> | undefined;

  /**
   * A backend that trusts `options` as given: `atomicConditionalWrites` must be stated (it is what
   * `DataLake.open` relies on to refuse an unsafe shared store). `S3Backend.connect()` measures it.
   */
  constructor(options: S3BackendOptions) {
    if (typeof options?.bucket !== 'string' || options.bucket === '') {
      throw new ValidationError('S3Backend needs a bucket name');
    }
    if (typeof options.atomicConditionalWrites !== 'boolean') {
      throw new ValidationError(
        'new S3Backend() needs atomicConditionalWrites (true or false): use S3Backend.connect() to measure ' +
          'whether the server applies conditional writes atomically, or state what you know',
      );
    }
    this.bucket = options.bucket;
    this.#keys = new KeySpace(options.prefix);
    this.#tuning = resolveTuning(options);
    this.#limiter = new RequestLimiter(this.#tuning.maxConcurrency);
    this.#client = options.client ?? createS3Client(options, this.#tuning);
    this.#ownsClient = options.client === undefined;
    this.#spillDirectory = options.spillDirectory;
    this.description = `s3://${this.bucket}/${this.#keys.root}`;
    this.#capabilities = capabilities({
      writes: options.atomicConditionalWrites,
      deletes: options.atomicConditionalDeletes ?? false,
    });
  }

  /**
   * Checks the adapter can work: the bucket exists and the credentials are accepted. Measures
   * whether the server applies conditional writes (and deletes) atomically where `options` does
   * not say (a few requests on a scratch key under the prefix).
   */
  async connect(options: S3BackendOptions): Promise<void> {
    await this.#ensureBucket();
    if (options.atomicConditionalWrites !== undefined && options.atomicConditionalDeletes !== undefined)
      return;
    const measured = await probeConditionalWrites({
      client: this.#client,
      bucket: this.bucket,
      scratchKey: `${this.#keys.root}.datalake-probe-${crypto.randomUUID()}`,
    }).catch((error: unknown) => {
      throw toDataLakeError(error, this.#call('conditional-write probe'));
    });
    this.#capabilities = capabilities({
      writes: options.atomicConditionalWrites ?? measured.writes,
      deletes: options.atomicConditionalDeletes ?? measured.deletes,
    });
  }

  /** The key prefix of this lake inside the bucket (`''` or ending in '/'). */
  get prefix(): string {
    return this.#keys.root;
  }

  get capabilities(): BackendCapabilities {
    return this.#capabilities;
  }

  async put(key: string, body: BodyInput, given: AdapterPutOptions): Promise<PutResult> {
    const objectKey = this.#keys.toObjectKey(key);
    const options: PutRequest = { ...given, ...httpCondition(given.mode, key) };
    const base = {
      Bucket: this.bucket,
      Key: objectKey,
      ContentType: options.contentType,
      Metadata: encodeMetadata(options.metadata),
    };
    await this.#ensureBucket();
    const conditional = options.ifMatch !== undefined || options.ifNoneMatch !== undefined;
    if (conditional && !this.#capabilities.atomicConditionalWrites)
      await this.#checkPutCondition(key, options);

    const chunks = bodyChunks(body)[Symbol.asyncIterator]();
    const head = await readHead(
      chunks,
      body instanceof Uint8Array ? Number.MAX_SAFE_INTEGER : this.#tuning.multipartThreshold,
    );
    if (head.ended) {
      const bytes = concatBytes(head.chunks);
      return this.#putWhole(key, base, { size: bytes.byteLength, open: () => bytes }, options);
    }
    if (!conditional) return this.#putInParts(key, base, rejoin(head, chunks));
    // Conditions only hold on a single PUT (RGW ignores them on multipart completion), and a
    // retry with the other If-Match spelling needs the body twice: stage it on disk.
    const spilled = await spillToFile(rejoin(head, chunks), this.#spillDirectory);
    try {
      return await this.#putWhole(key, base, spilled, options);
    } finally {
      await spilled.remove();
    }
  }

  async get(key: string, options: GetOptions): Promise<GetResult | null> {
    const objectKey = this.#keys.toObjectKey(key);
    const range = options.range === undefined ? undefined : rangeHeader(options.range);
    await this.#ensureBucket();
    let response: GetObjectCommandOutput;
    try {
      response = await this.#send((client) =>
        client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, Range: range })),
      );
    } catch (error) {
      if (isNotFound(error)) {
        await this.#confirmBucketAfterMiss('GetObject', key);
        return null;
      }
      if (httpStatusOf(error) === 416) return this.#unsatisfiableRange(key, error);
      throw toDataLakeError(error, this.#call('GetObject', key));
    }
    const returned = parseContentRange(response.ContentRange);
    const info = describeObject(key, response, returned?.size ?? response.ContentLength ?? 0);
    const result: GetResult = { ...info, body: this.#streamBody(key, response.Body as Readable | undefined) };
    if (range !== undefined && info.size > 0) {
      result.range = returned
        ? { start: returned.start, end: returned.end }
        : { start: 0, end: info.size - 1 };
    }
    return result;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const objectKey = this.#keys.toObjectKey(key);
    await this.#ensureBucket();
    return this.#headObject(key, objectKey);
  }

  async delete(key: string, options: DeleteOptions): Promise<boolean> {
    const objectKey = this.#keys.toObjectKey(key);
    await this.#ensureBucket();
    if (options.ifMatch === undefined) {
      // S3 answers 204 whether or not the object existed; the HEAD tells which.
      if ((await this.#headObject(key, objectKey)) === null) return false;
      await this.#deleteObject(key, objectKey, undefined);
      return true;
    }
    if (!this.#capabilities.atomicConditionalDeletes) {
      const current = await this.#headObject(key, objectKey);
      if (current === null || bareEtag(current.etag) !== bareEtag(options.ifMatch)) {
        throw refused('delete', key, options.ifMatch, current);
      }
    }
    await this.#deleteObject(key, objectKey, options.ifMatch);
    return true;
  }

  async list(prefix: string, options: AdapterListOptions): Promise<AdapterListPage> {
    const listPrefix = this.#keys.toListPrefix(prefix);
    const limit = options.limit;
    await this.#ensureBucket();
    const sentPrefix = serverListPrefix(listPrefix);
    let cursor = options.cursor;
    const startAfter =
      cursor === undefined && options.startAfter ? this.#keys.toListPrefix(options.startAfter) : undefined;
    try {
      // One request, unless the prefix had to be widened and a page held none of its names.
      for (;;) {
        const response = await this.#send((client) =>
          client.send(
            new ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: sentPrefix,
              Delimiter: options.delimiter,
              MaxKeys: limit,
              ContinuationToken: cursor,
              StartAfter: cursor === undefined ? startAfter : undefined,
            }),
          ),
        );
        let contents = response.Contents ?? [];
        let groups = (response.CommonPrefixes ?? []).map((group) => group.Prefix ?? '');
        let next = response.IsTruncated ? response.NextContinuationToken : undefined;
        if (sentPrefix !== listPrefix) {
          const names = [...contents.map((object) => object.Key ?? ''), ...groups];
          if (pastPrefix(names, listPrefix)) next = undefined;
          contents = contents.filter((object) => (object.Key ?? '').startsWith(listPrefix));
          groups = narrowed(groups, listPrefix);
          if (contents.length === 0 && groups.length === 0 && next) {
            cursor = next;
            continue;
          }
        }
        const page: AdapterListPage = {
          objects: contents.map((object) => ({
            key: this.#keys.fromObjectKey(object.Key ?? ''),
            size: object.Size ?? 0,
            etag: canonicalEtag(object.ETag ?? ''),
            lastModified: object.LastModified ?? new Date(0),
          })),
          prefixes: groups.map((group) => this.#keys.fromObjectKey(group)),
        };
        if (next) page.cursor = next;
        return page;
      }
    } catch (error) {
      if (options.cursor !== undefined && httpStatusOf(error) === 400) {
        throw new ValidationError(`invalid list cursor ${JSON.stringify(options.cursor)}`, { cause: error });
      }
      throw toDataLakeError(error, this.#call('ListObjectsV2'));
    }
  }

  /** Closes the sockets of a client the backend built itself. */
  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy();
  }

  async #putWhole(
    key: string,
    base: PutObjectBase,
    body: ReplayableBody,
    options: PutRequest,
  ): Promise<PutResult> {
    if (body.size > MAX_SINGLE_PUT_BYTES) {
      throw new ValidationError(
        `body of ${JSON.stringify(key)} is larger than the 5 GiB S3 accepts in one conditional or buffered write`,
        { details: { key, size: body.size } },
      );
    }
    const send = () =>
      this.#send((client) =>
        client.send(
          new PutObjectCommand({
            ...base,
            Body: body.open(),
            ContentLength: body.size,
            IfNoneMatch: options.ifNoneMatch,
            IfMatch: options.ifMatch === undefined ? undefined : this.#spelling.spell(options.ifMatch),
          }),
        ),
      );
    try {
      const written = await send().catch(async (error: unknown) => {
        if (!(await this.#wrongIfMatchSpelling(error, key, base.Key, options))) throw error;
        return send();
      });
      return { etag: canonicalEtag(written.ETag ?? ''), size: body.size };
    } catch (error) {
      // AWS answers If-Match on a missing object with 404, RGW with 412: both mean "did not hold".
      if (options.ifMatch !== undefined && isNotFound(error))
        throw refused('put', key, options.ifMatch, null);
      throw toDataLakeError(error, this.#call('PutObject', key));
    }
  }

  async #putInParts(key: string, base: PutObjectBase, chunks: AsyncIterable<Uint8Array>): Promise<PutResult> {
    let size = 0;
    let sourceError: unknown;
    // Innermost, so it sees only the caller's own failures, not the abort the upload injects.
    const watched = watchErrors(chunks, (error) => (sourceError ??= error));
    async function* counted() {
      for await (const chunk of watched) {
        size += chunk.byteLength;
        yield chunk;
      }
    }
    const body = NodeReadable.from(counted());
    const upload = new Upload({
      client: this.#client,
      params: { ...base, Body: body },
      partSize: this.#tuning.partSize,
      queueSize: this.#tuning.partConcurrency,
      // Parts of a failed upload are aborted (AbortMultipartUpload), never left behind.
      leavePartsOnError: false,
    });
    try {
      const result = await this.#limiter.run(() => upload.done(), this.#tuning.partConcurrency);
      if (result.ETag) return { etag: canonicalEtag(result.ETag), size };
      // Some servers (RGW) leave the ETag out of the completion answer: ask for it.
      const written = await this.#headObject(key, base.Key);
      return { etag: written?.etag ?? '', size };
    } catch (error) {
      body.destroy();
      if (sourceError !== undefined) throw sourceError;
      throw toDataLakeError(error, this.#call('multipart upload', key));
    }
  }

  /**
   * After a 412 on a plain conditional overwrite: if the object still carries the expected ETag,
   * the server disliked how `If-Match` was spelled. Switches spelling; true means "send again".
   */
  async #wrongIfMatchSpelling(
    error: unknown,
    key: string,
    objectKey: string,
    options: { ifMatch?: string; ifNoneMatch?: '*' },
  ): Promise<boolean> {
    if (!isPreconditionFailed(error) || options.ifMatch === undefined || options.ifNoneMatch !== undefined) {
      return false;
    }
    const current = await this.#headObject(key, objectKey);
    if (current === null || bareEtag(current.etag) !== bareEtag(options.ifMatch)) return false;
    this.#spelling.switch();
    return true;
  }

  async #checkPutCondition(key: string, options: PutRequest): Promise<void> {
    const current = await this.#headObject(key, this.#keys.toObjectKey(key));
    if (options.ifNoneMatch === '*' && current !== null) {
      throw new PreconditionFailedError(`put of ${JSON.stringify(key)} refused: the object already exists`, {
        details: { key },
      });
    }
    if (
      options.ifMatch !== undefined &&
      (current === null || bareEtag(current.etag) !== bareEtag(options.ifMatch))
    ) {
      throw refused('put', key, options.ifMatch, current);
    }
  }

  async #deleteObject(key: string, objectKey: string, ifMatch: string | undefined): Promise<void> {
    const send = () =>
      this.#send((client) =>
        client.send(
          new DeleteObjectCommand({
            Bucket: this.bucket,
            Key: objectKey,
            IfMatch: ifMatch === undefined ? undefined : this.#spelling.spell(ifMatch),
          }),
        ),
      );
    try {
      await send().catch(async (error: unknown) => {
        if (!(await this.#wrongIfMatchSpelling(error, key, objectKey, { ifMatch }))) throw error;
        return send();
      });
    } catch (error) {
      if (ifMatch !== undefined && isNotFound(error)) throw refused('delete', key, ifMatch, null);
      throw toDataLakeError(error, this.#call('DeleteObject', key));
    }
  }

  async #headObject(key: string, objectKey: string): Promise<ObjectInfo | null> {
    try {
      const response = await this.#send((client) =>
        client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey })),
      );
      return describeObject(key, response, response.ContentLength ?? 0);
    } catch (error) {
      if (!isNotFound(error)) throw toDataLakeError(error, this.#call('HeadObject', key));
    }
    await this.#confirmBucketAfterMiss('HeadObject', key);
    return null;
  }

  /**
   * Before a 404 counts as "no such key": a HEAD answer has no body, so its 404 cannot say whether
   * the key or the bucket is missing; and MinIO answers 404 (even NoSuchKey on GET) for a while
   * after an erasure set lost its read quorum, before it answers 503. The bucket answering too
   * confirms the miss; otherwise it is a BackendError.
   */
  async #confirmBucketAfterMiss(operation: string, key: string): Promise<void> {
    try {
      await this.#send((client) => client.send(new HeadBucketCommand({ Bucket: this.bucket })));
    } catch (error) {
      const call = this.#call(operation, key);
      if (httpStatusOf(error) !== 404) throw toDataLakeError(error, call);
      throw new BackendError(
        `S3 ${operation} of ${JSON.stringify(key)} in ${call.location} failed: the object and its bucket both ` +
          'answer HTTP 404 - the bucket does not exist, or the server cannot read it (e.g. a MinIO erasure set that lost its drives)',
        { cause: error, details: { operation, key, httpStatus: 404, s3Error: 'NoSuchBucket' } },
      );
    }
  }

  /** S3 answers 416 for any range of an empty object; the contract returns it empty instead. */
  async #unsatisfiableRange(key: string, error: unknown): Promise<GetResult | null> {
    const info = await this.#headObject(key, this.#keys.toObjectKey(key));
    if (info === null) return null;
    if (info.size === 0) return { ...info, body: emptyBody() };
    throw toDataLakeError(error, this.#call('GetObject', key));
  }

  async *#streamBody(key: string, body: Readable | undefined): AsyncGenerator<Uint8Array> {
    if (body === undefined) return;
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) yield chunk;
    } catch (error) {
      throw toDataLakeError(error, this.#call('GetObject (reading the body)', key));
    } finally {
      body.destroy();
    }
  }

  /** Checks once that the bucket is reachable; a HEAD on a missing bucket looks like a missing key otherwise. */
  #ensureBucket(): Promise<void> {
    this.#bucketChecked ??= this.#send((client) =>
      client.send(new HeadBucketCommand({ Bucket: this.bucket })),
    ).then(
      () => undefined,
      (error: unknown) => {
        this.#bucketChecked = undefined;
        if (httpStatusOf(error) === 404) {
          throw toDataLakeError(
            Object.assign(error as Error, { name: 'NoSuchBucket' }),
            this.#call('HeadBucket'),
          );
        }
        throw toDataLakeError(error, this.#call('HeadBucket'));
      },
    );
    return this.#bucketChecked;
  }

  /** Sends one request once a request slot is free. */
  #send<T>(request: (client: S3Client) => Promise<T>): Promise<T> {
    return this.#limiter.run(() => request(this.#client));
  }

  #call(operation: string, key?: string): FailedCall {
    return key === undefined
      ? { operation, location: this.description }
      : { operation, key, location: this.description };
  }
}

type PutObjectBase = {
  Bucket: string;
  Key: string;
  ContentType: string | undefined;
  Metadata: Record<string, string> | undefined;
};

function capabilities(support: ConditionalSupport): BackendCapabilities {
  return Object.freeze({
    atomicConditionalWrites: support.writes,
    atomicConditionalDeletes: support.deletes,
    sharedAcrossProcesses: true,
    persistent: true,
    objectMetadata: true,
    delimiterListing: true,
    ownCursors: true,
  });
}

/** A put's options with its mode spelled as S3's condition headers. */
type PutRequest = AdapterPutOptions & HttpCondition;

function refused(
  operation: 'put' | 'delete',
  key: string,
  expected: string,
  current: ObjectInfo | null,
): PreconditionFailedError {
  const state = current === null ? 'the object does not exist' : `its etag is ${current.etag}`;
  return new PreconditionFailedError(
    `${operation} of ${JSON.stringify(key)} refused: ${state} (expected etag ${expected})`,
    { details: { key } },
  );
}

function describeObject(
  key: string,
  response: Pick<HeadObjectCommandOutput, 'ETag' | 'LastModified' | 'ContentType' | 'Metadata'>,
  size: number,
): ObjectInfo {
  const info: ObjectInfo = {
    key,
    size,
    etag: canonicalEtag(response.ETag ?? ''),
    lastModified: response.LastModified ?? new Date(0),
  };
  if (response.ContentType !== undefined) info.contentType = response.ContentType;
  const metadata = decodeMetadata(response.Metadata);
  if (metadata !== undefined) info.metadata = metadata;
  return info;
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
