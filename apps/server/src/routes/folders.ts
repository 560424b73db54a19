import { normaliseSubpath } from '@datalake/core';
import { Type } from 'typebox';
import type { App, ServerContext } from '../context.js';
import { readableChildFolders } from '../readable-totals.js';
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
      return { folders: readableChildFolders(context.lake, request.access, dataType, subpath) };
    },
  );
}
