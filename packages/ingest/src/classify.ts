import { DataType } from '@datalake/core';
import { verdictFromName } from './file-kinds.js';
import {
  detectConfigFormat,
  looksLikeJsonData,
  looksLikeJsonLog,
  looksLikeLog,
  looksLikeProse,
  looksLikeSql,
  looksLikeVba,
  looksLikeXmlData,
  looksLikeXmlSchema,
  opensWithLogRecord,
} from './sniff.js';

export interface Classification {
  dataType: DataType;
  /** A short label of the file's language or format (`sql`, `vba`, `yaml`, `log`, `markdown`, ...). */
  language: string;
  /** Whether the file name decided (`name`) or the content had to be read (`content`). */
  decidedBy: 'name' | 'content';
}

/** Content beyond this many characters does not change the verdict and is not read. */
const SNIFF_CHARS = 256 * 1024;

/**
 * Decides the data type of a file from its name first and its content second.
 * `fileName` is the file's own name (no folders); `text` its decoded content ('' for binary), or a
 * function that decodes it, called only when the name does not decide.
 */
export function classify(fileName: string, text: string | (() => string), binary = false): Classification {
  const byName = verdictFromName(fileName);
  if (byName && byName.dataType !== 'sniff') {
    return { dataType: byName.dataType, language: byName.language, decidedBy: 'name' };
  }
  if (binary) return { dataType: DataType.OTHER, language: 'binary', decidedBy: 'content' };
  const content = typeof text === 'function' ? text() : text;
  const sample = content.length > SNIFF_CHARS ? content.slice(0, SNIFF_CHARS) : content;
  switch (byName?.language) {
    case 'json':
    case 'json-lines':
      return classifyJson(sample, byName.language);
    case 'xml':
      return classifyXml(sample);
    default:
      return classifyText(sample);
  }
}

function fromContent(dataType: DataType, language: string): Classification {
  return { dataType, language, decidedBy: 'content' };
}

function classifyJson(text: string, language: string): Classification {
  if (looksLikeJsonLog(text)) return fromContent(DataType.LOGS, 'json-lines');
  if (language === 'json-lines' || looksLikeJsonData(text)) return fromContent(DataType.OTHER, language);
  return fromContent(DataType.CONFIGURATION, language);
}

function classifyXml(text: string): Classification {
  if (looksLikeXmlSchema(text)) return fromContent(DataType.SCHEMA, 'xml');
  if (looksLikeXmlData(text)) return fromContent(DataType.OTHER, 'xml');
  return fromContent(DataType.CONFIGURATION, 'xml');
}

/** Plain text or an unknown kind of file: read the content, most specific shapes first. */
function classifyText(text: string): Classification {
  if (text.trim() === '') return fromContent(DataType.OTHER, 'text');
  if (looksLikeVba(text)) return fromContent(DataType.MACRO, 'vba');
  if (looksLikeSql(text)) return fromContent(DataType.SCHEMA, 'sql');
  if (looksLikeXmlSchema(text)) return fromContent(DataType.SCHEMA, 'xml');
  if (looksLikeJsonLog(text) || looksLikeLog(text) || opensWithLogRecord(text))
    return fromContent(DataType.LOGS, 'log');
  const format = detectConfigFormat(text);
  if (format === 'json' && looksLikeJsonData(text)) return fromContent(DataType.OTHER, 'json');
  if (format === 'xml' && looksLikeXmlData(text)) return fromContent(DataType.OTHER, 'xml');
  if (format) return fromContent(DataType.CONFIGURATION, format);
  if (looksLikeProse(text)) return fromContent(DataType.DOCUMENTATION, 'text');
  return fromContent(DataType.OTHER, 'text');
}
