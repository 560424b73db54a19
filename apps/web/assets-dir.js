import { fileURLToPath } from 'node:url';

/** The folder of the built page (`index.html`, `assets/`), for a server to serve at `/`. */
export const webAssetsDir = fileURLToPath(new URL('./dist/', import.meta.url));
