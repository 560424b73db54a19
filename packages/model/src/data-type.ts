/** The kinds of artifact a lake holds. Each is also the top-level folder of its content. */
export const DataType = {
  SCHEMA: 'schema',
  MACRO: 'macro',
  DOCUMENTATION: 'documentation',
  CONFIGURATION: 'configuration',
  LOGS: 'logs',
  OTHER: 'other',
} as const;

export type DataType = (typeof DataType)[keyof typeof DataType];

export const DATA_TYPES: readonly DataType[] = Object.values(DataType);

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && (DATA_TYPES as readonly string[]).includes(value);
}
