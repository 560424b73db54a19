/** The folder of the built page (`index.html`, `assets/`), for a server to serve at `/`. */
export declare const webAssetsDir: string;
