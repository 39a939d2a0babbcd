// YAML leaves with source spans (docs/VALUES.md §3), from the `yaml` package's composer: no YAML is
// parsed here by hand. The failsafe schema keeps every scalar a string, so paths do not depend on type
// resolution and a tag (`!!int`) never makes a file unreadable.
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { FormatError } from './errors';
import type { PathSegment } from './values-metadata';

export interface YamlLeaf {
  readonly path: readonly PathSegment[];
  readonly start: number;
  readonly end: number;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function yamlLeaves(text: string): YamlLeaf[] {
  const parsed = parseAllDocuments(text, { schema: 'failsafe', prettyErrors: false, uniqueKeys: false, strict: true });
  const documents = Array.isArray(parsed) ? parsed : [];
  const leaves: YamlLeaf[] = [];
  documents.forEach((doc, docIndex) => {
    const error = doc.errors[0];
    if (error) {
      // The library's message quotes the source line, which may hold a secret: give the code and line only.
      throw new FormatError(`not valid YAML: ${error.code} at line ${lineOf(text, error.pos[0])}`, { hint: 'fix the YAML syntax first' });
    }
    const visit = (node: YamlNode | null, path: PathSegment[]): void => {
      if (node === null || isAlias(node)) return;
      if (isScalar(node)) {
        if (!node.range) return;
        let end = node.range[1];
        while (end > node.range[0] && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
        if (end > node.range[0]) leaves.push({ path: path.slice(), start: node.range[0], end });
        return;
      }
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isScalar(pair.key)) throw new FormatError(`not supported: a YAML mapping key that is not a scalar (under "${path.join('.')}")`);
          path.push(String(pair.key.value));
          visit(pair.value as YamlNode | null, path);
          path.pop();
        }
        return;
      }
      if (isSeq(node)) {
        node.items.forEach((item, index) => {
          path.push(index);
          visit(item as YamlNode | null, path);
          path.pop();
        });
      }
    };
    visit(doc.contents as YamlNode | null, [docIndex]);
  });
  return leaves;
}
