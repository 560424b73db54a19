import { normaliseSubpath } from '@datalake/core';
import { Type } from 'typebox';
import type { App, ServerContext } from '../context.js';
import { DataTypeSchema, problems } from '../schemas.js';

const security = [{ bearer: [] }];

const FolderQuery = Type.Object(
  {
    dataType: Type.Optional(DataTypeSchema),
    subpath: Type.Optional(Type.String({ description: 'The folder whose child folders are listed' })),
  },
  { additionalProperties: false },
);

const FolderList = Type.Object({
  folders: Type.Array(
    Type.Object({
      name: Type.String({ description: 'One path segment' }),
      subpath: Type.String({ description: 'The child folder, to list or browse next' }),
      entries: Type.Integer({ description: 'Entries the caller can read in it and below it' }),
    }),
  ),
});

/**
 * The child folders of a folder, with how many readable entries each holds: what a person browsing
 * the lake needs to go one level down without listing every entry below.
 */
export function folderRoutes(app: App, context: ServerContext): void {
  app.get(
    '/v1/folders',
    {
      schema: {
        tags: ['entries'],
        security,
        summary: 'The child folders of a folder (of one type, or of every type), with entry counts',
        querystring: FolderQuery,
        response: { 200: FolderList, ...problems(400, 401) },
      },
    },
    async (request) => {
      const { dataType } = request.query;
      const subpath = normaliseSubpath(request.query.subpath);
      const below = request.access.visible(await context.lake.list({ dataType, subpath, recursive: true }));
      return { folders: childFolders(below, subpath) };
    },
  );
}

/** Counts entries by the folder one level below `subpath` that holds them (entries directly in it are left out). */
export function childFolders(
  entries: readonly { subpath: string }[],
  subpath: string,
): { name: string; subpath: string; entries: number }[] {
  const skip = subpath === '' ? 0 : subpath.length + 1;
  const counts = new Map<string, number>();
  for (const entry of entries) {
    if (entry.subpath === subpath) continue;
    const rest = entry.subpath.slice(skip);
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest : rest.slice(0, slash);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, count]) => ({
      name,
      subpath: subpath === '' ? name : `${subpath}/${name}`,
      entries: count,
    }));
}
