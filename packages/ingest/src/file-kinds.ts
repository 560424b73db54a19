import { DataType } from '@datalake/core';

/**
 * What a file name alone says. `sniff` means the name gives a language but the data type depends on
 * the content (a `.json` file may be configuration, a JSON-lines log or a data set).
 */
export interface NameVerdict {
  dataType: DataType | 'sniff';
  language: string;
}

const byExtension: Record<string, NameVerdict> = {};

function define(dataType: DataType | 'sniff', language: string, extensions: string[]): void {
  for (const extension of extensions) byExtension[extension] = { dataType, language };
}

define(DataType.SCHEMA, 'sql', ['sql', 'ddl', 'psql', 'pgsql', 'plsql', 'mysql', 'tsql']);
define(DataType.SCHEMA, 'prisma', ['prisma']);
define(DataType.SCHEMA, 'dbml', ['dbml']);
define(DataType.MACRO, 'vba', ['bas', 'cls', 'frm', 'vba', 'vbs']);
define(DataType.DOCUMENTATION, 'markdown', ['md', 'markdown', 'mdown', 'mkd']);
define(DataType.DOCUMENTATION, 'restructuredtext', ['rst']);
define(DataType.DOCUMENTATION, 'asciidoc', ['adoc', 'asciidoc']);
define(DataType.DOCUMENTATION, 'textile', ['textile']);
define(DataType.DOCUMENTATION, 'org', ['org']);
define(DataType.CONFIGURATION, 'yaml', ['yaml', 'yml']);
define(DataType.CONFIGURATION, 'toml', ['toml']);
define(DataType.CONFIGURATION, 'ini', ['ini', 'cfg', 'cnf', 'inf']);
define(DataType.CONFIGURATION, 'conf', ['conf', 'config']);
define(DataType.CONFIGURATION, 'properties', ['properties']);
define(DataType.CONFIGURATION, 'dotenv', ['env']);
define(DataType.CONFIGURATION, 'hcl', ['hcl', 'tf', 'tfvars']);
define(DataType.LOGS, 'log', ['log', 'glog', 'out', 'err']);
define(DataType.OTHER, 'csv', ['csv', 'tsv', 'psv']);
define(DataType.OTHER, 'shell', ['sh', 'bash', 'zsh', 'ksh', 'ps1', 'bat', 'cmd']);
define(DataType.OTHER, 'gradle', ['gradle', 'kts']);
define(DataType.OTHER, 'xml-schema', ['xsd', 'dtd', 'xsl', 'xslt']);
define(DataType.OTHER, 'jmeter', ['jmx']);
define(DataType.OTHER, 'go-module', ['mod', 'sum']);
define(DataType.OTHER, 'ruby', ['rb']);
define(DataType.OTHER, 'python', ['py']);
define(DataType.OTHER, 'javascript', ['js', 'mjs', 'cjs', 'jsx']);
define(DataType.OTHER, 'typescript', ['ts', 'tsx']);
define(DataType.OTHER, 'java', ['java', 'kt', 'scala', 'groovy']);
define(DataType.OTHER, 'c', ['c', 'h', 'cc', 'cpp', 'hpp', 'cs', 'go', 'rs']);
define(DataType.OTHER, 'html', ['html', 'htm', 'css']);
define(DataType.OTHER, 'binary', [
  'png',
  'jpg',
  'jpeg',
  'gif',
  'ico',
  'pdf',
  'zip',
  'gz',
  'jar',
  'exe',
  'dll',
]);
define('sniff', 'json', ['json', 'jsonc', 'json5']);
define('sniff', 'json-lines', ['jsonl', 'ndjson']);
define('sniff', 'xml', ['xml']);
define('sniff', 'text', ['txt', 'text']);

/** Whole file names that carry their own meaning (compared case-insensitively). */
const byFileName: Record<string, NameVerdict> = {
  dockerfile: { dataType: DataType.OTHER, language: 'dockerfile' },
  containerfile: { dataType: DataType.OTHER, language: 'dockerfile' },
  makefile: { dataType: DataType.OTHER, language: 'makefile' },
  jenkinsfile: { dataType: DataType.OTHER, language: 'groovy' },
  vagrantfile: { dataType: DataType.OTHER, language: 'ruby' },
  gemfile: { dataType: DataType.OTHER, language: 'ruby' },
  'go.mod': { dataType: DataType.OTHER, language: 'go-module' },
  'go.sum': { dataType: DataType.OTHER, language: 'go-module' },
  'requirements.txt': { dataType: DataType.CONFIGURATION, language: 'pip-requirements' },
  'constraints.txt': { dataType: DataType.CONFIGURATION, language: 'pip-requirements' },
  'mime.types': { dataType: DataType.CONFIGURATION, language: 'nginx' },
  '.editorconfig': { dataType: DataType.CONFIGURATION, language: 'ini' },
  '.gitattributes': { dataType: DataType.CONFIGURATION, language: 'gitattributes' },
  '.gitignore': { dataType: DataType.CONFIGURATION, language: 'gitignore' },
  '.dockerignore': { dataType: DataType.CONFIGURATION, language: 'gitignore' },
  '.npmrc': { dataType: DataType.CONFIGURATION, language: 'ini' },
  '.env': { dataType: DataType.CONFIGURATION, language: 'dotenv' },
  changelog: { dataType: DataType.DOCUMENTATION, language: 'text' },
  changes: { dataType: DataType.DOCUMENTATION, language: 'text' },
  readme: { dataType: DataType.DOCUMENTATION, language: 'text' },
  license: { dataType: DataType.DOCUMENTATION, language: 'text' },
  licence: { dataType: DataType.DOCUMENTATION, language: 'text' },
  copying: { dataType: DataType.DOCUMENTATION, language: 'text' },
  authors: { dataType: DataType.DOCUMENTATION, language: 'text' },
  contributors: { dataType: DataType.DOCUMENTATION, language: 'text' },
  notice: { dataType: DataType.DOCUMENTATION, language: 'text' },
  news: { dataType: DataType.DOCUMENTATION, language: 'text' },
  todo: { dataType: DataType.DOCUMENTATION, language: 'text' },
  install: { dataType: DataType.DOCUMENTATION, language: 'text' },
};

/** The verdict of the file name, or undefined when the name says nothing (no or unknown extension). */
export function verdictFromName(fileName: string): NameVerdict | undefined {
  const lower = fileName.toLowerCase();
  const named = byFileName[lower];
  if (named) return named;
  // Rotated logs: `app.log.1`, `syslog.0`, `access.log.2.gz` style numeric suffixes.
  if (/\.log(\.\d+)?$/.test(lower) || /\.\d+$/.test(lower))
    return { dataType: DataType.LOGS, language: 'log' };
  const dot = lower.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return byExtension[lower.slice(dot + 1)];
}
