import { AjvCompiler } from '@fastify/ajv-compiler';

type ValidatorFactory = ReturnType<typeof AjvCompiler>;
type ValidatorOptions = Parameters<ValidatorFactory>[1];

const shared = { removeAdditional: false, useDefaults: true } as const;

/**
 * Validators per request part. Query strings, paths and headers carry only text, so `limit=50`
 * must become 50; a JSON body says what type each value has, and `{ "purgeDeletedAfterDays": " " }`
 * must be refused, not read as 0 days. Each part therefore gets its own validator, built from the
 * schemas the server registered.
 */
export function validatorsPerPart(): ValidatorFactory {
  const text = AjvCompiler();
  const json = AjvCompiler();
  return (externalSchemas, options) => {
    const forText = text(externalSchemas, withCustom(options, { ...shared, coerceTypes: 'array' }));
    const forJson = json(externalSchemas, withCustom(options, { ...shared, coerceTypes: false }));
    return (route) => (route.httpPart === 'body' ? forJson(route) : forText(route));
  };
}

function withCustom(options: ValidatorOptions, customOptions: Record<string, unknown>): ValidatorOptions {
  return { ...options, customOptions: { ...options?.customOptions, ...customOptions } } as ValidatorOptions;
}
