import { isUtf8 } from 'node:buffer';
import { assertValidKey, MAX_SEGMENT_BYTES } from '@datalake/core';
import { sha256 } from '@datalake/test-support/trees';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FolderMember, lakeNames } from '../src/lake-names.js';
import { readableName, readablePath, sourceKey, sourceKeyBytes } from '../src/source-names.js';

const file = (name: string | Buffer): FolderMember => ({ raw: Buffer.from(name), isFolder: false });
const folder = (name: string | Buffer): FolderMember => ({ raw: Buffer.from(name), isFolder: true });
const tag = (name: string | Buffer, digits = 8) => sha256(Buffer.from(name)).slice(0, digits);

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';
const LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // "café.txt" in Windows-1252

describe('readable names', () => {
  it('keeps UTF-8 exactly (no normalisation) and decodes anything else as Windows-1252', () => {
    expect(readableName(Buffer.from(NFD))).toBe(NFD);
    expect(readableName(LATIN1)).toBe(NFC);
    expect(readableName(Buffer.from([0x80, 0x93, 0x94]))).toBe('\u20ac\u201c\u201d');
    expect(readablePath(Buffer.concat([Buffer.from('M\u00e4rz/'), LATIN1]))).toBe(`M\u00e4rz/${NFC}`);
  });

  it('keys stand for exact bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(sourceKeyBytes(sourceKey(a)).equals(Buffer.from(a))).toBe(true);
        expect(sourceKey(a) === sourceKey(b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
    );
  });
});

describe('lakeNames', () => {
  it('keeps a name that is alone on its lake name, normalised to NFC', () => {
    expect(lakeNames([file(NFD)])).toEqual([NFC]);
    expect(lakeNames([file(LATIN1)])).toEqual([NFC]);
    expect(lakeNames([file('README.md'), file('readme.md')])).toEqual(['README.md', 'readme.md']);
  });

  it('gives the plain name to the NFC spelling and a tagged one to its NFD twin, in any order', () => {
    const expected = [NFC, `cafe\u0301~${tag(NFD)}.txt`.normalize('NFC')];
    expect(lakeNames([file(NFC), file(NFD)])).toEqual(expected);
    expect(lakeNames([file(NFD), file(NFC)])).toEqual([...expected].reverse());
    expect(expected[1]).toBe(`caf\u00e9~${tag(NFD)}.txt`);
  });

  it('tags every spelling when none of them is the lake name itself', () => {
    expect(lakeNames([file(NFD), file(LATIN1)])).toEqual([
      `caf\u00e9~${tag(NFD)}.txt`,
      `caf\u00e9~${tag(LATIN1)}.txt`,
    ]);
  });

  it('puts the tag before the extension of files, at the end of folders and dotfiles', () => {
    const nfdFolder = 'cafe\u0301.d';
    expect(lakeNames([folder('caf\u00e9.d'), folder(nfdFolder)])).toEqual([
      'caf\u00e9.d',
      `caf\u00e9.d~${tag(nfdFolder)}`,
    ]);
    const dotfile = '.e\u0301nv';
    expect(lakeNames([file('.\u00e9nv'), file(dotfile)])[1]).toBe(`.\u00e9nv~${tag(dotfile)}`);
  });

  it('does not hand out a tagged name that a sibling already has', () => {
    const squatter = `caf\u00e9~${tag(NFD)}.txt`;
    const names = lakeNames([file(NFC), file(NFD), file(squatter)]);
    expect(names).toEqual([NFC, `caf\u00e9~${tag(NFD, 16)}.txt`, squatter]);
  });

  it('shortens names that grow past one segment when decoded, keeping the extension', () => {
    const long = Buffer.concat([Buffer.alloc(200, 0xe4), Buffer.from('.bas')]); // 200 × "ä" in Windows-1252
    const [name] = lakeNames([file(long)]) as [string];
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
    expect(name).toMatch(new RegExp(`^\u00e4+~${tag(long)}\\.bas$`));
  });

  it('is injective, order-independent and valid for any folder of names', () => {
    const syllables = ['a', 'A', 'e', '\u00e9', 'e\u0301', '\u00c5', 'A\u030a', '\u212b', '.', '~', 'x', '1'];
    const textName = fc
      .array(fc.constantFrom(...syllables), { minLength: 1, maxLength: 6 })
      .map((parts) => Buffer.from(parts.join('')));
    const bytesName = fc
      .uint8Array({ minLength: 1, maxLength: 12 })
      .map((bytes) => Buffer.from(bytes.map((byte) => (byte === 0 || byte === 0x2f ? 0x41 : byte))));
    const longName = fc
      .integer({ min: 200, max: 255 })
      .map((length) => Buffer.alloc(length, 0xe9))
      .map((bytes) => Buffer.concat([bytes.subarray(0, bytes.length - 4), Buffer.from('.txt')]));
    const member = fc.record({
      raw: fc.oneof(textName, bytesName, longName),
      isFolder: fc.boolean(),
    });
    const notDots = (item: FolderMember) => !/^\.{1,2}$/.test(sourceKey(item.raw));
    const folderOf = fc.uniqueArray(member.filter(notDots), {
      maxLength: 12,
      selector: (item) => sourceKey(item.raw),
    });
    fc.assert(
      fc.property(folderOf, fc.infiniteStream(fc.nat()), (members, random) => {
        const names = lakeNames(members);
        expect(new Set(names).size).toBe(members.length);
        const shuffled = [...members.keys()].sort(() => (random.next().value % 3) - 1);
        const again = lakeNames(shuffled.map((index) => members[index] as FolderMember));
        expect(again).toEqual(shuffled.map((index) => names[index]));
        for (const [index, name] of names.entries()) {
          const raw = (members[index] as FolderMember).raw;
          expect(name.normalize('NFC')).toBe(name);
          expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
          if (isUtf8(raw) && raw.toString() === raw.toString().normalize('NFC'))
            expect(name).toBe(raw.toString());
          // biome-ignore lint/suspicious/noControlCharactersInRegex: names the lake refuses are left to it.
          if (!/[\u0000-\u001f\u007f-\u009f\\]/.test(name) && name.trim() === name)
            assertValidKey(`x/${name}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
