/**
 * ETags in one canonical form: the quoted HTTP form (`"abc"`). Servers differ (RGW returns
 * `CopyObjectResult.ETag` unquoted), so every ETag is normalised before it is returned or compared.
 */
export function canonicalEtag(etag: string): string {
  return `"${bareEtag(etag)}"`;
}

export function bareEtag(etag: string): string {
  const withoutWeak = etag.startsWith('W/') ? etag.slice(2) : etag;
  return withoutWeak.replace(/^"+|"+$/g, '');
}

export type EtagForm = 'quoted' | 'bare';

/**
 * The spelling of `If-Match` this server accepts. HTTP says quoted; Ceph RGW 16 compares the
 * header byte for byte with its stored unquoted ETag. The backend starts with the standard form
 * and switches once a precondition fails although the object still carries the expected ETag.
 */
export class IfMatchSpelling {
  #form: EtagForm = 'quoted';

  get form(): EtagForm {
    return this.#form;
  }

  spell(etag: string): string {
    return this.#form === 'quoted' ? canonicalEtag(etag) : bareEtag(etag);
  }

  /** Switches to the other spelling; returns the one now in use. */
  switch(): EtagForm {
    this.#form = this.#form === 'quoted' ? 'bare' : 'quoted';
    return this.#form;
  }
}
