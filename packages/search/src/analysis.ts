import type { Entry } from '@datalake/model';
import { TextFolder } from './document.js';
import type { SegmentBuilder } from './segment-builder.js';
import type { DocState } from './segment-docs.js';
import { TrigramCollector } from './trigrams.js';

const NO_CONTENT = new Uint8Array(0);

/** What analysis reads of an entry. */
export type AnalysedDoc = Pick<Entry, 'id' | 'sha256' | 'name' | 'metadata'>;

/**
 * Analyses documents into segment builders: case folding, trigrams and words, with scratch buffers
 * kept from one document to the next. Used on this thread and on the index worker alike.
 */
export class Analyser {
  private readonly folder = new TextFolder();
  private readonly collector = new TrigramCollector();

  /**
   * Adds a document to `builder` and returns its number there: with its content when `state` is
   * `indexed`, else by name and metadata only. Should the analysis throw, the document is recorded as
   * `failed` (with the error's message) instead: one bad content must not stop the others.
   */
  add(
    builder: SegmentBuilder,
    doc: AnalysedDoc,
    content: Uint8Array,
    state: Exclude<DocState, 'failed'>,
  ): number {
    try {
      const text = this.folder.fold(doc, state === 'indexed' ? content : NO_CONTENT);
      return builder.add(doc, text, this.collector, state);
    } catch (error) {
      return builder.addFailed(doc, describeFailure(error));
    }
  }
}

export function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
