import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

// The size rules of STYLE.md, kept true by a test: no file in src/ over 400 lines, no function over
// 80 lines (STYLE.md exempts generated schema types; src/ has none today).
const SRC = join(__dirname, '..', '..', 'src');
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Every function-like node whose body spans more than the limit, as "file:line name (n lines)". */
function longFunctions(path: string, text: string): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        found.push(`${relative(SRC, path)}:${start + 1} ${functionName(node)} (${lines} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function functionName(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

const files = sourceFiles(SRC);

describe('source size limits', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it(`has no file in src/ over ${MAX_FILE_LINES} lines`, () => {
    const tooLong = files
      .map((path) => ({ path: relative(SRC, path), lines: lineCount(readFileSync(path, 'utf8')) }))
      .filter((f) => f.lines > MAX_FILE_LINES)
      .map((f) => `${f.path} (${f.lines} lines)`);
    expect(tooLong).toEqual([]);
  });

  it(`has no function in src/ over ${MAX_FUNCTION_LINES} lines`, () => {
    const tooLong = files.flatMap((path) => longFunctions(path, readFileSync(path, 'utf8')));
    expect(tooLong).toEqual([]);
  });
});
