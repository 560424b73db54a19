import { type DataType, type Entry, isDataType, type Metadata, ValidationError } from '@datalake/core';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { limitedBody, parseMetadataJson } from '../http/body.js';
import { storeChecked } from './entries.js';

const FIELDS = new Set(['name', 'dataType', 'subpath', 'metadata']);

/**
 * A store from an HTML form: fields `name` (default: the file's name), `dataType`, `subpath`,
 * `metadata` (JSON), then one file part, streamed to the lake. Fields must come before the file,
 * as a browser sends them in the order the form appends them: the content is never buffered.
 * Anything after the file part is ignored.
 */
export async function storeMultipart(context: ServerContext, request: FastifyRequest): Promise<Entry> {
  const fields = new Map<string, string>();
  let stored: Entry | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (!FIELDS.has(part.fieldname))
        throw new ValidationError(
          `unknown form field "${part.fieldname}" (expected ${[...FIELDS].join(', ')}, then the file)`,
        );
      fields.set(part.fieldname, String(part.value));
      continue;
    }
    const name = fields.get('name') ?? part.filename;
    const dataType = fields.get('dataType');
    if (!name) throw new ValidationError('name is required (a field, or the file part\u2019s filename)');
    if (!isDataType(dataType)) throw new ValidationError('dataType is required, before the file part');
    const metadataText = fields.get('metadata');
    const metadata: Metadata | undefined =
      metadataText === undefined || metadataText === ''
        ? undefined
        : parseMetadataJson(metadataText, 'the metadata field');
    stored = await storeChecked(context, request, {
      name,
      dataType: dataType as DataType,
      subpath: fields.get('subpath'),
      metadata,
      content: async () => limitedBody(part.file, context.maxBodyBytes),
    });
    break; // Parts after the file are not read.
  }
  if (!stored) throw new ValidationError('the form has no file part');
  return stored;
}
