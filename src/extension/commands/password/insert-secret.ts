// Generated values going into an editor: one per cursor, quoted or escaped for the document's syntax
// so its parser reads back exactly the value (core/value-quoting.ts), and, when a person runs the
// command, a preview first: hidden until asked (someone may be looking at the screen), with
// Regenerate and "Insert as is".
import * as vscode from 'vscode';
import { InvalidArgumentError } from '../../../core/errors';
import type { ValueSyntax } from '../../../core/value-quoting';
import { lazyCore } from '../../lazy-core';

/** `auto`: quote for the document's syntax; `none`: insert the value as is. */
export type Quoting = 'auto' | 'none';

export interface Insertion {
  /** The cursor's selection: replaced by the value as is. */
  selection: vscode.Selection;
  value: string;
  /** Replaced by `quoted` (the selection, or with the pair of quotes around it). */
  range: vscode.Range;
  quoted: string;
}

export interface InsertionDraw {
  /** The syntax values are quoted for; undefined: inserted as is. */
  syntax: ValueSyntax | undefined;
  insertions: Insertion[];
}

export const SYNTAX_NAMES: Readonly<Record<ValueSyntax, string>> = { yaml: 'YAML', json: 'JSON', toml: 'TOML', dotenv: '.env', shell: 'shell' };
/** Only a .env value holding ', " and ` has no quoting (a few % of default passwords): redrawn. */
const MAX_DRAWS = 100;

function charAround(document: vscode.TextDocument, offset: number): string {
  if (offset < 0) return '';
  return document.getText(new vscode.Range(document.positionAt(offset), document.positionAt(offset + 1)));
}

/** One fresh value per selection of `editor`, with its quoted form for the document. */
export async function drawInsertions(editor: vscode.TextEditor, generate: () => string, quoting: Quoting): Promise<InsertionDraw> {
  const { quoteValue, valueSyntaxFor } = await lazyCore.valueQuoting();
  const document = editor.document;
  const syntax = quoting === 'auto' ? valueSyntaxFor(document.languageId, document.fileName) : undefined;
  const insertions = editor.selections.map((selection): Insertion => {
    const start = document.offsetAt(selection.start);
    const end = document.offsetAt(selection.end);
    const before = charAround(document, start - 1);
    const after = charAround(document, end);
    if (!syntax) {
      const value = generate();
      return { selection, value, range: selection, quoted: value };
    }
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const value = generate();
      const q = quoteValue(value, syntax, before, after);
      if (!q) continue;
      const range = new vscode.Range(document.positionAt(start - q.widen), document.positionAt(end + q.widen));
      return { selection, value, range, quoted: q.text };
    }
    throw new InvalidArgumentError(vscode.l10n.t('No {0} quoting could hold the generated values.', SYNTAX_NAMES[syntax]), { hint: vscode.l10n.t('Insert it as is ("quoting": "none") or copy it instead.') });
  });
  return { syntax, insertions };
}

export async function applyInsertions(editor: vscode.TextEditor, insertions: readonly Insertion[], raw: boolean): Promise<void> {
  const applied = await editor.edit((edit) => {
    for (const i of insertions) edit.replace(raw ? i.selection : i.range, raw ? i.value : i.quoted);
  });
  if (!applied) throw new InvalidArgumentError(vscode.l10n.t('The editor refused the edit (is it read-only?).'));
}

const MASK = '•';

type Action = 'insert' | 'insertRaw' | 'toggle' | 'regenerate';
type Item = vscode.QuickPickItem & { action: Action };

function shown(texts: string[], revealed: boolean): string {
  const first = revealed ? texts[0] : MASK.repeat(Math.min(texts[0].length, 48));
  return texts.length > 1 ? vscode.l10n.t('{0}  (+{1} more)', first, texts.length - 1) : first;
}

/**
 * The preview before inserting: the value hidden (a character count of dots) until "Show", with
 * "Regenerate"; resolves to the draw to insert and whether as is, or undefined when dismissed.
 */
export function previewInsertions(title: string, first: InsertionDraw, redraw: () => Promise<InsertionDraw>): Promise<{ draw: InsertionDraw; raw: boolean } | undefined> {
  const pick = vscode.window.createQuickPick<Item>();
  let draw = first;
  let revealed = false;
  const render = (): void => {
    const { syntax, insertions } = draw;
    const quoted = insertions.map((i) => i.quoted);
    const values = insertions.map((i) => i.value);
    const items: Item[] = [
      {
        label: syntax ? vscode.l10n.t('$(check) Insert, quoted for {0}', SYNTAX_NAMES[syntax]) : vscode.l10n.t('$(check) Insert'),
        description: shown(revealed ? quoted : values, revealed),
        action: 'insert',
      },
    ];
    if (syntax && insertions.some((i) => i.quoted !== i.value)) {
      items.push({ label: vscode.l10n.t('$(symbol-text) Insert as is, without quoting'), description: shown(values, revealed), detail: vscode.l10n.t('Only if you quote it yourself: the raw value may change or break the file.'), action: 'insertRaw' });
    }
    items.push(
      { label: revealed ? vscode.l10n.t('$(eye-closed) Hide the value') : vscode.l10n.t('$(eye) Show the value'), description: revealed ? undefined : vscode.l10n.t('hidden in case someone can see your screen'), action: 'toggle' },
      { label: vscode.l10n.t('$(refresh) Regenerate'), action: 'regenerate' },
    );
    pick.items = items;
  };
  pick.title = title;
  pick.placeholder = vscode.l10n.t('Insert the value, show it, or draw another');
  pick.ignoreFocusOut = true;
  render();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (result: { draw: InsertionDraw; raw: boolean } | undefined, error?: unknown): void => {
      if (done) return;
      done = true;
      if (error === undefined) resolve(result);
      else reject(error);
      pick.dispose();
    };
    pick.onDidAccept(async () => {
      const action = pick.selectedItems[0]?.action;
      if (action === 'insert' || action === 'insertRaw') return finish({ draw, raw: action === 'insertRaw' });
      if (action === 'toggle') revealed = !revealed;
      if (action === 'regenerate') {
        pick.busy = true;
        try {
          draw = await redraw();
        } catch (err) {
          return finish(undefined, err);
        }
        pick.busy = false;
      }
      render();
      pick.activeItems = pick.items.filter((i) => i.action === action);
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
