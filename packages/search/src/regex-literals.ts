/**
 * Literal runs every match of a (Unicode-mode, already validated) regular expression must contain,
 * for narrowing candidates with the trigram index. Conservative: a top-level alternation yields
 * nothing, groups and classes break runs. With `ignoreCase`, only ASCII characters whose case
 * partners are ASCII stay in runs ('s' and 'k' have non-ASCII partners: 'ſ' and the Kelvin sign).
 */
export function requiredLiterals(source: string, ignoreCase: boolean): string[] {
  const chars = [...source];
  const runs: string[] = [];
  let run = '';
  const breakRun = () => {
    if (run) runs.push(run);
    run = '';
  };
  let i = 0;
  while (i < chars.length) {
    const char = chars[i] as string;
    let literal: string | undefined;
    if (char === '|') return [];
    if (char === '\\') {
      const next = chars[i + 1] ?? '';
      i += 2;
      if (/[\p{L}\p{N}]/u.test(next)) i = skipEscapeArgument(chars, i, next);
      else literal = next;
    } else if (char === '[') {
      i = skipClass(chars, i);
    } else if (char === '(') {
      i = skipGroup(chars, i);
    } else {
      i++;
      if (!'.^$'.includes(char)) literal = char;
    }
    const quantifier = readQuantifier(chars, i);
    i = quantifier.end;
    if (literal !== undefined && ignoreCase && !/^[\x20-\x7e]$/.test(literal)) literal = undefined;
    if (literal !== undefined && ignoreCase && /[sk]/i.test(literal)) literal = undefined;
    if (literal === undefined || quantifier.min === 0) {
      breakRun();
      continue;
    }
    run += literal;
    if (quantifier.repeats) breakRun();
  }
  breakRun();
  return runs;
}

function skipEscapeArgument(chars: string[], at: number, letter: string): number {
  if (
    (letter === 'p' || letter === 'P' || letter === 'u' || letter === 'k') &&
    (chars[at] === '{' || chars[at] === '<')
  ) {
    const close = chars[at] === '{' ? '}' : '>';
    let i = at;
    while (i < chars.length && chars[i] !== close) i++;
    return i + 1;
  }
  if (letter === 'u') return at + 4;
  if (letter === 'x') return at + 2;
  if (letter === 'c') return at + 1;
  return at;
}

function skipClass(chars: string[], at: number): number {
  let i = at + 1;
  while (i < chars.length && chars[i] !== ']') i += chars[i] === '\\' ? 2 : 1;
  return i + 1;
}

function skipGroup(chars: string[], at: number): number {
  let depth = 0;
  let i = at;
  while (i < chars.length) {
    const char = chars[i];
    if (char === '\\') i += 2;
    else if (char === '[') i = skipClass(chars, i);
    else {
      if (char === '(') depth++;
      if (char === ')' && --depth === 0) return i + 1;
      i++;
    }
  }
  return i;
}

function readQuantifier(chars: string[], at: number): { min: number; repeats: boolean; end: number } {
  const char = chars[at];
  let result: { min: number; repeats: boolean; end: number };
  if (char === '*') result = { min: 0, repeats: true, end: at + 1 };
  else if (char === '?') result = { min: 0, repeats: false, end: at + 1 };
  else if (char === '+') result = { min: 1, repeats: true, end: at + 1 };
  else if (char === '{') {
    const match = /^\{(\d+)(,\d*)?\}/.exec(chars.slice(at, at + 24).join(''));
    if (!match) return { min: 1, repeats: false, end: at };
    const min = Number(match[1]);
    result = { min, repeats: match[2] !== undefined || min !== 1, end: at + match[0].length };
  } else return { min: 1, repeats: false, end: at };
  if (chars[result.end] === '?') result.end++;
  return result;
}
