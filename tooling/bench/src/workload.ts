import type { DataType } from '@datalake/core';
import type { Artifact } from './corpus.js';

/** The i-th item the core suite stores: artifacts are cycled, each cycle in its own `copy<k>` folder. */
export interface WorkItem {
  dataType: DataType;
  subpath: string;
  name: string;
  bytes: Uint8Array;
  /** Where the lake puts it (`<type>/<subpath>/<name>`); the raw baseline writes the same relative path. */
  filePath: string;
}

export function workItem(artifacts: readonly Artifact[], i: number): WorkItem {
  const artifact = artifacts[i % artifacts.length] as Artifact;
  const copy = `copy${Math.floor(i / artifacts.length)}`;
  const subpath = artifact.folder ? `${copy}/${artifact.folder}` : copy;
  return {
    dataType: artifact.dataType,
    subpath,
    name: artifact.name,
    bytes: artifact.bytes,
    filePath: `${artifact.dataType}/${subpath}/${artifact.name}`,
  };
}

/** `count` indexes in [0, n) (with repeats), from a fixed-seed generator so every run picks the same items. */
export function sampleIndexes(n: number, count: number, seed = 42): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const picked: number[] = [];
  for (let i = 0; i < count; i++) picked.push(Math.floor(next() * n));
  return picked;
}
