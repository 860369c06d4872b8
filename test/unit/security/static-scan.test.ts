/**
 * Static rules on the shipped source that ESLint alone does not pin down: no dynamic code
 * (`eval`, `new Function`, `vm`, string timers), child processes only without a shell
 * (`exec`/`execSync` always use one; `shell: true` turns one on), and every ESLint suppression
 * carries its reason. The scan is lexical: comments and string contents are blanked first, so
 * prose about `eval` does not trip it and a rule cannot be dodged by formatting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [path] : [];
  });
}

/** Code with comments removed and string/template contents blanked (quotes kept), same length. */
export function codeOnly(text: string): string {
  let out = '';
  let i = 0;
  const blank = (s: string): string => s.replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if (two === '//') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (two === '/*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (text[i] === '"' || text[i] === "'" || text[i] === '`') {
      const quote = text[i]!;
      let j = i + 1;
      while (j < text.length && text[j] !== quote) j += text[j] === '\\' ? 2 : 1;
      out += quote + blank(text.slice(i + 1, j)) + (j < text.length ? quote : '');
      i = j + 1;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

interface Rule {
  name: string;
  /** Matched against code with comments and string contents blanked. */
  code?: RegExp;
  /** Matched against the raw text (for module names, which live in strings). */
  raw?: RegExp;
  /** Only files whose raw text matches this are checked. */
  inFilesMatching?: RegExp;
  /** Lines that match the rule but are allowed, each for a stated reason. */
  allow?: RegExp;
}

const CHILD_PROCESS = /['"](node:)?child_process['"]/;

const RULES: Rule[] = [
  { name: 'eval', code: /(^|[^.\w$])eval\s*\(/ },
  { name: 'new Function', code: /\bnew\s+Function\s*\(/ },
  { name: 'Function constructor call', code: /(^|[^.\w$])Function\s*\(/ },
  {
    name: 'node:vm',
    raw: /\bfrom\s+['"](node:)?vm['"]|require\(\s*['"](node:)?vm['"]\s*\)/,
  },
  { name: 'string timer', raw: /\bset(Timeout|Interval|Immediate)\s*\(\s*['"`]/ },
  {
    name: 'exec/execSync (always a shell)',
    raw: /\b(exec|execSync)\b[^;]*from\s+['"](node:)?child_process['"]|\bchild_process['"]?\)?\.exec(Sync)?\s*\(/,
  },
  // Only where child processes are made: elsewhere `shell` is data (an image's SHELL instruction).
  { name: 'shell: true', code: /\bshell\s*:\s*(?!false\b)[\w!(]/, inFilesMatching: CHILD_PROCESS },
];

describe('static rules on src/', () => {
  const files = sourceFiles(SRC);

  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(RULES.map((r) => [r.name, r] as const))('no %s in src/', (_name, rule) => {
    const hits: string[] = [];
    for (const file of files) {
      const raw = readFileSync(file, 'utf8');
      if (rule.inFilesMatching !== undefined && !rule.inFilesMatching.test(raw)) continue;
      const code = codeOnly(raw);
      const lines = (rule.code ? code : raw).split('\n');
      lines.forEach((line, n) => {
        if (rule.allow?.test(raw.split('\n')[n]!.trim()) === true) return;
        if ((rule.code ?? rule.raw)!.test(line))
          hits.push(`${relative(ROOT, file)}:${n + 1}: ${raw.split('\n')[n]!.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('every eslint-disable names one rule and gives a reason after "--"', () => {
    const bad: string[] = [];
    for (const file of files) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, n) => {
          if (!/eslint-disable/.test(line)) return;
          if (!/eslint-disable(-next-line|-line)?\s+[@\w/-]+\s+--\s+\S.{10,}/.test(line)) {
            bad.push(`${relative(ROOT, file)}:${n + 1}: ${line.trim()}`);
          }
        });
    }
    expect(bad).toEqual([]);
  });

  it('the ESLint config keeps eslint-plugin-security and the no-eval rules on', () => {
    const config = readFileSync(join(ROOT, 'eslint.config.mjs'), 'utf8');
    expect(config).toMatch(/security\.configs\.recommended/);
    expect(config).toMatch(/'no-eval': 'error'/);
    expect(config).toMatch(/'no-new-func': 'error'/);
    expect(config).toMatch(/tseslint\.configs\.recommendedTypeChecked/);
  });
});

describe('the scanner itself', () => {
  it('sees through comments and strings, and catches the forbidden forms', () => {
    const sample = [
      "// eval('x') in a comment is fine",
      'const s = \'new Function("a")\';',
      'eval(code);',
      'const f = new Function("return 1");',
      "spawn('ls', [], { shell: true });",
      "execFile('ls', [], { shell: false });",
      "import { exec } from 'node:child_process';",
      "setTimeout('alert(1)', 10);",
    ].join('\n');
    const code = codeOnly(sample).split('\n');
    const raw = sample.split('\n');
    const hit = (name: string): number[] => {
      const rule = RULES.find((r) => r.name === name)!;
      return (rule.code ? code : raw).flatMap((l, i) =>
        (rule.code ?? rule.raw)!.test(l) ? [i + 1] : [],
      );
    };
    expect(hit('eval')).toEqual([3]);
    expect(hit('new Function')).toEqual([4]);
    expect(hit('shell: true')).toEqual([5]);
    expect(hit('exec/execSync (always a shell)')).toEqual([7]);
    expect(hit('string timer')).toEqual([8]);
  });
});
