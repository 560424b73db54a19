import type { Action, Grant } from './api.js';

/**
 * Whether the token's grants allow `action` on the entry at `filePath`, as the server judges it: the
 * page only hides what would be refused anyway (the server has the last word).
 */
export function allows(grants: readonly Grant[], action: Action, filePath: string): boolean {
  const segments = filePath.split('/');
  const dataType = segments[0];
  const subpath = segments.slice(1, -1).join('/');
  return grants.some((grant) => {
    if (grant.actions.includes('admin')) return true;
    if (!grant.actions.includes(action)) return false;
    if (grant.dataType !== undefined && grant.dataType !== dataType) return false;
    const prefix = grant.pathPrefix;
    return prefix === undefined || subpath === prefix || subpath.startsWith(`${prefix}/`);
  });
}
