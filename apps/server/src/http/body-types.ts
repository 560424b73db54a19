import { ValidationError } from '@datalake/core';

/**
 * Query strings need the validator to turn `"50"` into 50, but a JSON body says what type each
 * value has: `{ "purgeDeletedAfterDays": " " }` must be refused, not read as 0 days. The validator
 * coerces every part alike, so the body as parsed is kept before validation and compared after.
 */
export function keepParsedBody(body: unknown): unknown {
  return body !== null && typeof body === 'object' && !ArrayBuffer.isView(body)
    ? structuredClone(body)
    : undefined;
}

/** Throws a `ValidationError` when validation changed the type of a value the body gave. */
export function assertBodyTypesKept(parsed: unknown, validated: unknown, path = 'body'): void {
  if (Array.isArray(parsed)) {
    if (!Array.isArray(validated) || validated.length !== parsed.length) throw changed(path);
    parsed.forEach((item, i) => assertBodyTypesKept(item, validated[i], `${path}[${i}]`));
    return;
  }
  if (parsed !== null && typeof parsed === 'object') {
    if (validated === null || typeof validated !== 'object' || Array.isArray(validated)) throw changed(path);
    const record = validated as Record<string, unknown>;
    for (const [key, value] of Object.entries(parsed)) {
      assertBodyTypesKept(value, record[key], `${path}.${key}`);
    }
    return;
  }
  if (typeof parsed !== typeof validated || (parsed === null) !== (validated === null)) throw changed(path);
}

function changed(path: string): ValidationError {
  return new ValidationError(`${path} has the wrong type for this request`, { details: { field: path } });
}
