export { AuditLog, type AuditPage, type AuditRecord } from './audit.js';
export {
  ACTIONS,
  Access,
  type Action,
  type Grant,
  normaliseGrant,
  normaliseGrants,
  type Scope,
} from './auth/grants.js';
export { TOKEN_PREFIX } from './auth/token-secret.js';
export {
  type NewToken,
  TOKENS_PREFIX,
  type TokenInfo,
  type TokenRecord,
  TokenStore,
} from './auth/token-store.js';
export { AccessError, type AccessErrorCode } from './errors.js';
export { STATUS_OF_CODE } from './http/problems.js';
export { createServer, type DatalakeServer, type ServerOptions } from './server.js';
