/**
 * Content detectors. Each looks at (the start of) a file's text and answers one question, so the
 * classifier can combine them in a readable order. They are heuristics tuned on real artifact trees.
 */

const SAMPLE_LINES = 400;

/** The first lines of a text, without trailing carriage returns. */
export function sampleLines(text: string, limit = SAMPLE_LINES): string[] {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < limit && start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end);
    lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (end === -1) break;
    start = end + 1;
  }
  return lines;
}

function meaningful(lines: string[]): string[] {
  return lines.filter((line) => line.trim() !== '');
}

function share(lines: string[], test: (line: string) => boolean): number {
  if (lines.length === 0) return 0;
  return lines.filter(test).length / lines.length;
}

const VBA_OPEN =
  /^\s*(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?(?:Sub|Function|Property\s+(?:Get|Let|Set))\s+\w+\s*\(/im;
const VBA_CLOSE = /^\s*End\s+(?:Sub|Function|Property)\b/im;
const VBA_STATEMENT =
  /^\s*(?:'|Rem\b|Dim\b|ReDim\b|Const\b|Option\b|Public\b|Private\b|Friend\b|Static\b|Sub\b|Function\b|Property\b|End\b|If\b|ElseIf\b|Else\b|For\b|Next\b|Do\b|Loop\b|While\b|Wend\b|With\b|Select\b|Case\b|Set\b|Let\b|Call\b|Exit\b|On\s+Error\b|GoTo\b|Resume\b|Debug\.|[\w.()]+\s*=|[\w.]+\s+"|[\w.]+$)/i;

/**
 * VBA modules exported from the editor start with attributes; loose code has Sub/Function blocks
 * and consists mostly of VBA statements (a note quoting a snippet does not count).
 */
export function looksLikeVba(text: string): boolean {
  if (/^Attribute VB_Name\s*=/m.test(text)) return true;
  if (!VBA_OPEN.test(text) || !VBA_CLOSE.test(text)) return false;
  return share(meaningful(sampleLines(text)), (line) => VBA_STATEMENT.test(line)) >= 0.6;
}

const DDL_STATEMENT =
  /^\s*(?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL\s+)?TEMP(?:ORARY)?\s+)?(?:UNIQUE\s+)?(?:TABLE|VIEW|MATERIALIZED\s+VIEW|INDEX|SEQUENCE|PROCEDURE|FUNCTION|TRIGGER|SCHEMA|DATABASE|TYPE|DOMAIN)\b/im;

const DML_STATEMENT =
  /^\s*(?:INSERT\s+INTO|DELETE\s+FROM|TRUNCATE\s+(?:TABLE\s+)?\w|UPDATE\s+[\w."`]+\s+SET)\b/im;
// Upper case only: "Select elements from ..." is prose.
const SELECT_STATEMENT = /^\s*SELECT\s[^;]{0,400}?\sFROM\s/m;

/**
 * SQL scripts: a CREATE/ALTER/DROP of a schema object (or a data statement) at the start of a line,
 * and statements ending in ';'.
 */
export function looksLikeSql(text: string): boolean {
  return (
    (DDL_STATEMENT.test(text) || DML_STATEMENT.test(text) || SELECT_STATEMENT.test(text)) &&
    /;\s*$/m.test(text)
  );
}

/** Schema changes written as XML (Liquibase change logs). */
export function looksLikeXmlSchema(text: string): boolean {
  return /<databaseChangeLog\b/.test(text) || /<createTable\b/.test(text);
}

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIMESTAMPS = [
  /\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{1,2}:\d{2}/, // ISO-8601 and friends
  new RegExp(`${MONTH}\\s+\\d{1,2}\\s+\\d{2}:\\d{2}:\\d{2}`), // syslog
  new RegExp(`\\d{1,2}/${MONTH}/\\d{4}:\\d{2}:\\d{2}:\\d{2}`), // common log format
  /\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/, // time of day
  /^\s*[[(]?\d{10}(?:\d{3}|\.\d+)?\b/, // epoch seconds or milliseconds at the start
];
const FULL_TIMESTAMP = TIMESTAMPS.slice(0, 3);
const LEVEL = /\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL|SEVERE)\b/;

/** A log line starts (within its first characters) with a timestamp. */
function startsWithTimestamp(line: string): boolean {
  const head = line.slice(0, 80);
  return TIMESTAMPS.some((pattern) => pattern.test(head));
}

/** Log files: most lines carry a timestamp near their start (or a level keyword). */
export function looksLikeLog(text: string): boolean {
  const lines = meaningful(sampleLines(text));
  if (lines.length === 0) return false;
  const stamped = share(lines, startsWithTimestamp);
  const leveled = share(lines, (line) => LEVEL.test(line.slice(0, 80)));
  return stamped >= 0.5 || (stamped >= 0.2 && stamped + leveled >= 0.6);
}

/** Log files often open with a full record even when annotations or continuation lines follow. */
export function opensWithLogRecord(text: string): boolean {
  const first = meaningful(sampleLines(text, 20))[0];
  return (
    first !== undefined && FULL_TIMESTAMP.some((pattern) => pattern.test(first.trimStart().slice(0, 40)))
  );
}

const TIME_KEY = /"[^"]*(?:time|date|ts|_at|epoch)[^"]*"\s*:/i;

/**
 * JSON lines whose records carry a time field: structured logs. The first line must be a whole
 * record (a pretty-printed JSON document is configuration or data, not a log).
 */
export function looksLikeJsonLog(text: string): boolean {
  const lines = meaningful(sampleLines(text, 50));
  const first = lines[0];
  if (first === undefined || !/^\s*\{/.test(first)) return false;
  const record = parseJson(first);
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  return TIME_KEY.test(first) && (lines.length === 1 || /^\s*\{/.test(lines[1] as string));
}

type JsonScalar = string | number | boolean | null;

function isScalar(value: unknown): value is JsonScalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isFlatRecord(value: unknown): value is Record<string, JsonScalar> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(isScalar)
  );
}

/**
 * JSON that holds data rather than settings: an array of flat records, or one flat record that is
 * mostly numbers (an order, a measurement). Settings are nested or mostly strings and flags.
 */
export function looksLikeJsonData(text: string): boolean {
  const value = parseJson(text);
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0 && value.every(isFlatRecord);
  if (!isFlatRecord(value)) return false;
  const values = Object.values(value);
  return values.length > 0 && values.filter((item) => typeof item === 'number').length / values.length > 0.5;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * XML that holds data rather than settings: no attributes or namespaces anywhere, and a root whose
 * children are all records of one element name.
 */
export function looksLikeXmlData(text: string): boolean {
  const body = text.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  if (/<[\w:.-]+\s+[\w:.-]+\s*=/.test(body)) return false;
  const tags = [...body.matchAll(/<([\w.-]+)>/g)].map((match) => match[1] as string);
  const root = tags[0];
  if (root === undefined) return false;
  const children = directChildren(body, root);
  return children.length >= 2 && children.every((name) => name === children[0]);
}

function directChildren(body: string, root: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const match of body.matchAll(/<(\/?)([\w.-]+)(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (closing) {
      depth--;
      continue;
    }
    if (depth === 1) names.push(name as string);
    if (!selfClosing) depth++;
    if (depth === 1 && name !== root) return [];
  }
  return names;
}

export type ConfigFormat =
  | 'json'
  | 'xml'
  | 'yaml'
  | 'toml'
  | 'ini'
  | 'properties'
  | 'nginx'
  | 'pip-requirements';

const COMMENT = /^\s*(?:#|;|\/\/|!)/;
const SECTION = /^\s*\[{1,2}[^\]=]+\]{1,2}\s*$/;
const ASSIGNMENT = /^\s*[\w.\-"'@/]+\s*=\s*\S?/;
const PROPERTY = /^\s*[\w.-]+\s*(?:=|:\s|:$)/;
/** A value TOML accepts: INI files also allow bare words, which TOML does not. */
const TOML_VALUE =
  /^(?:"[^"]*"|'[^']*'|"""|'''|[-+]?\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|\[.*|\{.*|\d{4}-\d{2}-\d{2}\S*)\s*(?:#.*)?$/;
const YAML_KEY = /^\s*(?:- )?[\w.\-"']+:(?:\s|$)/;
const YAML_ITEM = /^\s*- \S/;
const BLOCK_LINE = /^\s*(?:[\w$~^.*/\\-]+(?:\s+[^{};]+)?\s*(?:[;{])|\})\s*(?:#.*)?$/;
const REQUIREMENT = /^\s*[A-Za-z0-9][\w.\-[\],]*\s*(?:(?:==|>=|<=|~=|!=|>|<)\s*[\w.*+!-]+\s*,?\s*)*(?:;.*)?$/;

/** The configuration format the text is written in, or undefined when it is not configuration. */
export function detectConfigFormat(text: string): ConfigFormat | undefined {
  const trimmed = text.trimStart();
  if (/^[{[]/.test(trimmed) && parseJson(text) !== undefined) return 'json';
  if (/^<(?:\?xml|[A-Za-z])/.test(trimmed) && /<\/[\w:.-]+>\s*$/.test(text.trimEnd())) return 'xml';
  const lines = meaningful(sampleLines(text)).filter((line) => !COMMENT.test(line));
  if (lines.length === 0) return undefined;
  const sections = share(lines, (line) => SECTION.test(line));
  if (sections > 0 && share(lines, (line) => SECTION.test(line) || ASSIGNMENT.test(line)) >= 0.9) {
    const values = lines
      .filter((line) => ASSIGNMENT.test(line))
      .map((line) => line.slice(line.indexOf('=') + 1).trim());
    return values.every((value) => TOML_VALUE.test(value)) ? 'toml' : 'ini';
  }
  if (share(lines, (line) => BLOCK_LINE.test(line)) >= 0.9 && lines.some((line) => line.includes('{')))
    return 'nginx';
  if (share(lines, (line) => YAML_KEY.test(line) || YAML_ITEM.test(line) || /^\s+\S/.test(line)) >= 0.9) {
    if (lines.some((line) => YAML_KEY.test(line))) return 'yaml';
  }
  if (share(lines, (line) => PROPERTY.test(line)) >= 0.9) return 'properties';
  if (share(lines, (line) => REQUIREMENT.test(line) && /[=<>~]/.test(line)) >= 0.9) return 'pip-requirements';
  return undefined;
}

const WORD_PAIR = /[A-Za-z]{2,}[,.:;]? [A-Za-z]{2,}/;
/** A heading of notes: a short phrase alone on its line ending in ':' or '?', or a '#####' banner. */
const NOTE_HEADING = /^(?:[A-Z][\w/]*(?: [\w/]+){1,5}[:?]|#{10,})\s*$/;

/**
 * Text written by people for people: many lines hold ordinary words separated by single spaces
 * (data records are columns, codes and numbers), or the text is structured by note headings.
 */
export function looksLikeProse(text: string): boolean {
  const lines = meaningful(sampleLines(text));
  if (lines.length === 0) return false;
  return (
    share(lines, (line) => WORD_PAIR.test(line)) >= 0.4 ||
    lines.filter((line) => NOTE_HEADING.test(line)).length >= 2
  );
}
