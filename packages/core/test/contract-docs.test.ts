import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFile(new URL(path, import.meta.url), 'utf8');

describe('CONTRACT.md', () => {
  it('shows the example adapter exactly as it is compiled and run through the suite', async () => {
    const doc = await read('../CONTRACT.md');
    const block = /<!-- example-adapter:start -->\n```ts\n([\s\S]*?)\n```\n<!-- example-adapter:end -->/.exec(
      doc,
    );
    expect(block, 'the example adapter block in CONTRACT.md').not.toBeNull();
    expect(block?.[1]).toBe((await read('./support/map-adapter.ts')).trimEnd());
  });

  it('ships in the package, and its links and the README’s work outside the repository', async () => {
    const manifest = JSON.parse(await read('../package.json')) as { files: string[] };
    expect(manifest.files).toContain('CONTRACT.md');
    for (const file of ['../CONTRACT.md', '../README.md']) {
      const links = [...(await read(file)).matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1] as string);
      const relativeFiles = links.filter((link) => !link.startsWith('#') && !/^https?:\/\//.test(link));
      expect(relativeFiles, `links to files in ${file}`).toEqual([]);
    }
  });

  it('lists every helper that the contract entry exports', async () => {
    const doc = await read('../CONTRACT.md');
    const contract = await import('../src/contract/index.js');
    for (const name of Object.keys(contract))
      expect(doc, `CONTRACT.md mentions ${name}`).toContain(`\`${name}`);
  });
});
