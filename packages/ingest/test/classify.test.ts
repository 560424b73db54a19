import { DataType } from '@datalake/core';
import { describe, expect, it } from 'vitest';
import { classify } from '../src/classify.js';

function typeOf(fileName: string, text: string): DataType {
  return classify(fileName, text).dataType;
}

describe('classify by file name', () => {
  it.each([
    ['tables.sql', DataType.SCHEMA],
    ['Module1.bas', DataType.MACRO],
    ['Sheet.cls', DataType.MACRO],
    ['README.md', DataType.DOCUMENTATION],
    ['guide.adoc', DataType.DOCUMENTATION],
    ['index.rst', DataType.DOCUMENTATION],
    ['.gitlab-ci.yml', DataType.CONFIGURATION],
    ['Cargo.toml', DataType.CONFIGURATION],
    ['app.properties', DataType.CONFIGURATION],
    ['nginx.conf', DataType.CONFIGURATION],
    ['server.log', DataType.LOGS],
    ['syslog.3', DataType.LOGS],
    ['app.log.1', DataType.LOGS],
    ['Dockerfile', DataType.OTHER],
    ['data.csv', DataType.OTHER],
    ['run.sh', DataType.OTHER],
    ['requirements.txt', DataType.CONFIGURATION],
    ['Changelog', DataType.DOCUMENTATION],
  ])('%s is %s whatever its content', (fileName, expected) => {
    expect(typeOf(fileName, 'anything at all')).toBe(expected);
  });
});

describe('classify by content', () => {
  it('finds SQL DDL and data scripts without an extension', () => {
    expect(typeOf('schema', 'CREATE TABLE users (\n  id INT PRIMARY KEY\n);\n')).toBe(DataType.SCHEMA);
    expect(typeOf('seed.txt', "insert into users values (1, 'a');\n")).toBe(DataType.SCHEMA);
  });

  it('does not take prose that starts a line with "Select" for SQL', () => {
    const prose = 'Select elements from this element and its children, using a CSS\nselector; then stop.\n';
    expect(typeOf('notes.txt', prose)).toBe(DataType.DOCUMENTATION);
  });

  it('finds VBA modules by their attributes or Sub blocks', () => {
    expect(typeOf('Module1', 'Attribute VB_Name = "Module1"\nOption Explicit\n')).toBe(DataType.MACRO);
    const code = 'Option Explicit\nPublic Sub Main()\n    Dim x As Long\n    x = 1\nEnd Sub\n';
    expect(typeOf('macro.txt', code)).toBe(DataType.MACRO);
  });

  it('keeps notes that quote a VBA snippet as documentation', () => {
    const notes = [
      'Variables from VBA:',
      'sub test()',
      '    Dim a As String',
      'end sub',
      'Memory at offset:',
      '1066D5A0 0F',
      'Data from RAM:',
      '00 00 12 ab ff',
      'Heap dump 2 here',
      '0x1234 0x5678',
    ].join('\n');
    expect(typeOf('analysis.txt', notes)).toBe(DataType.DOCUMENTATION);
  });

  it('recognises log line shapes', () => {
    const syslog = 'Nov  3 09:23:38 host foo[7998]: eth0 is up\nNov  3 09:23:39 host foo[7998]: eth1 is up\n';
    expect(typeOf('messages.txt', syslog)).toBe(DataType.LOGS);
    const iso = '2024-05-01T10:00:00Z INFO started\n2024-05-01T10:00:01Z WARN slow\n';
    expect(typeOf('service-output', iso)).toBe(DataType.LOGS);
  });

  it('tells JSON logs, JSON data and JSON configuration apart', () => {
    const jsonLog =
      '{"ts": "2024-05-01T10:00:00Z", "level": "info", "msg": "a"}\n{"ts": "2024-05-01T10:00:01Z", "msg": "b"}\n';
    expect(typeOf('events.json', jsonLog)).toBe(DataType.LOGS);
    expect(typeOf('orders.json', '[{"id": 1, "qty": 2}, {"id": 2, "qty": 5}]')).toBe(DataType.OTHER);
    expect(typeOf('order.json', '{"order_id": 3, "quantity": 2, "amount": 56.0, "note": "x"}')).toBe(
      DataType.OTHER,
    );
    const settings = '{\n  "compilerOptions": { "strict": true },\n  "include": ["src"]\n}\n';
    expect(typeOf('tsconfig.json', settings)).toBe(DataType.CONFIGURATION);
  });

  it('tells XML schema changes, XML data and XML configuration apart', () => {
    expect(typeOf('changelog.xml', '<databaseChangeLog>\n<changeSet id="1"/>\n</databaseChangeLog>')).toBe(
      DataType.SCHEMA,
    );
    const records =
      '<?xml version="1.0"?>\n<customers>\n<customer><name>a</name></customer>\n<customer><name>b</name></customer>\n</customers>\n';
    expect(typeOf('input.xml', records)).toBe(DataType.OTHER);
    const beans =
      '<beans xmlns="http://www.springframework.org/schema/beans">\n<bean id="a" class="A"/>\n</beans>\n';
    expect(typeOf('context.xml', beans)).toBe(DataType.CONFIGURATION);
  });

  it.each([
    ['ini', '[server]\nhost = example.org\nport = 8080\n'],
    ['nginx', 'server {\n    listen 80;\n    location / {\n        proxy_pass http://backend;\n    }\n}\n'],
    ['yaml', 'services:\n  web:\n    image: nginx\n    ports:\n      - "80:80"\n'],
    ['properties', 'db.url=jdbc:h2:mem:test\ndb.user=sa\n'],
  ])('finds %s configuration without an extension', (language, text) => {
    const verdict = classify('conf', text);
    expect(verdict).toMatchObject({ dataType: DataType.CONFIGURATION, language, decidedBy: 'content' });
  });

  it('calls prose documentation and record-shaped text other', () => {
    const prose =
      'This guide explains how the nightly export works.\nIt runs at midnight and writes one file per table.\n';
    expect(typeOf('GUIDE', prose)).toBe(DataType.DOCUMENTATION);
    expect(typeOf('trades.txt', 'UK21341EAH45,978,98.34,customer1\nUK21341EAH46,112,18.12,customer2\n')).toBe(
      DataType.OTHER,
    );
  });

  it('calls binary and empty files other', () => {
    expect(classify('blob', '', true)).toMatchObject({ dataType: DataType.OTHER, language: 'binary' });
    expect(typeOf('empty', '')).toBe(DataType.OTHER);
  });
});
