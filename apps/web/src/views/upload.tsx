import { useState } from 'preact/hooks';
import { type Api, type ApiError, DATA_TYPES, type Entry } from '../api.js';
import { asApiError } from '../load.js';
import { href } from '../route.js';
import { ErrorNote } from './notes.js';

/**
 * Stores one file. The form sends what was typed, unchanged: the server checks names, folders, types,
 * metadata and size, and its answer is shown as it is.
 */
export function Upload({ api }: { api: Api }) {
  const [file, setFile] = useState<File | undefined>();
  const [name, setName] = useState('');
  const [dataType, setDataType] = useState('');
  const [subpath, setSubpath] = useState('');
  const [metadata, setMetadata] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [stored, setStored] = useState<Entry | undefined>();

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setStored(undefined);
    try {
      setStored(await api.upload({ file, name, dataType, subpath, metadata }));
    } catch (failure) {
      setError(asApiError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Upload a file</h1>
      <form class="upload" onSubmit={submit}>
        <div class="field">
          <label for="file">File</label>
          <input
            id="file"
            type="file"
            required
            onChange={(event) => {
              const chosen = event.currentTarget.files?.[0];
              setFile(chosen);
              if (chosen) setName(chosen.name);
            }}
          />
        </div>
        <div class="field">
          <label for="name">Name</label>
          <input id="name" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="upload-type">Data type</label>
          <select
            id="upload-type"
            value={dataType}
            onChange={(event) => setDataType(event.currentTarget.value)}
          >
            <option value="">choose a type</option>
            {DATA_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="upload-folder">Folder</label>
          <input
            id="upload-folder"
            value={subpath}
            aria-describedby="folder-hint"
            onInput={(event) => setSubpath(event.currentTarget.value)}
          />
          <p id="folder-hint" class="hint">
            Below the type folder, e.g. finance/2023. Empty for the type folder itself.
          </p>
        </div>
        <div class="field">
          <label for="metadata">Metadata</label>
          <textarea
            id="metadata"
            rows={3}
            value={metadata}
            aria-describedby="metadata-hint"
            onInput={(event) => setMetadata(event.currentTarget.value)}
          />
          <p id="metadata-hint" class="hint">
            Optional: a JSON object, e.g. {'{"owner": "finance"}'}.
          </p>
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      <ErrorNote error={error} />
      {stored ? (
        <p role="status" class="ok">
          Stored <a href={href({ view: 'entry', id: stored.id })}>{stored.filePath}</a>.
        </p>
      ) : null}
    </>
  );
}
