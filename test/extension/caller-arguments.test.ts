// Commands run by another extension get no answers from their arguments (caller-arguments.ts): an
// export under the caller's passphrase, a key trusted without the fingerprint check, a deletion
// without asking. Plain Node: the filter and the classification of every argument field.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWER_FIELDS, TARGET_FIELDS, withoutAnswers } from '../../src/extension/commands/caller-arguments';

const EXTENSION_SRC = join(__dirname, '..', '..', 'src', 'extension');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Field names of every interface a command parses its argument into (`…Args`, `RecipientOptions`). */
function argumentFields(): Map<string, string> {
  const fields = new Map<string, string>();
  for (const file of sourceFiles(EXTENSION_SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/interface (\w*(?:Args|RecipientOptions))\b[^{]*\{([\s\S]*?)\n\}/g)) {
      for (const f of m[2].matchAll(/^\s+(?:readonly\s+)?(\w+)\??:/gm)) fields.set(f[1], `${m[1]} in ${file}`);
    }
  }
  return fields;
}

describe('extension/commands/caller-arguments', () => {
  it('every argument interface of a command is parsed through a Shape (commands/arguments.ts), not cast', () => {
    const texts = sourceFiles(EXTENSION_SRC).map((file) => readFileSync(file, 'utf8'));
    const all = texts.join('\n');
    const unparsed: string[] = [];
    for (const text of texts) {
      for (const m of text.matchAll(/(?:interface|type) (\w*Args)\b/g)) {
        if (!new RegExp(`Shape<${m[1]}>`).test(all)) unparsed.push(m[1]);
      }
    }
    assert.deepEqual(unparsed, []);
    assert.ok(!/\bas Partial<\w*Args>/.test(all), 'no argument object is cast to its interface');
  });

  it('an export request from another extension loses its passphrase, destination answer and confirmation', () => {
    const attack = { id: 'k1', passphrase: 'chosen-by-attacker', output: '/tmp/stolen.pem', confirm: true, overwrite: true };
    const seen = withoutAnswers(attack) as Record<string, unknown>;
    assert.equal(seen.id, 'k1', 'the target stays: the command still knows which key');
    for (const f of ['passphrase', 'output', 'confirm', 'overwrite']) assert.equal(seen[f], undefined, f);
    assert.equal(attack.confirm, true, 'the caller\'s object is not modified');
  });

  it('where uri is an answer (the key file to import, where a secret is written), it is removed too', () => {
    const file = { scheme: 'file', fsPath: '/tmp/attacker-key.pem' };
    assert.equal((withoutAnswers({ uri: file }, 'custodian.importPrivateKey') as { uri?: unknown }).uri, undefined);
    assert.equal((withoutAnswers({ uri: file, output: 'encrypted' }, 'custodian.recoverSecret') as { uri?: unknown }).uri, undefined);
    assert.equal((withoutAnswers({ uri: file, target: file }, 'custodian.decryptToFile') as { target?: unknown }).target, undefined, 'Decrypt to File: where the plaintext goes');
    assert.equal((withoutAnswers({ uri: file }, 'custodian.showRecipients') as { uri?: unknown }).uri, file, 'elsewhere uri is the target');
  });

  it('a forged object cannot smuggle an answer through its prototype or a getter', () => {
    class Forged {
      readonly id = 'k1';
      get confirm(): boolean {
        return true;
      }
    }
    const proto = { passphrase: 'p', text: 'ssh-rsa AAAA attacker' };
    const viaProto = Object.assign(Object.create(proto) as object, { id: 'k1' });
    for (const arg of [new Forged(), viaProto]) {
      const seen = withoutAnswers(arg) as Record<string, unknown>;
      assert.equal(seen.confirm, undefined);
      assert.equal(seen.passphrase, undefined);
      assert.equal(seen.text, undefined);
      assert.equal(seen.id, 'k1');
    }
  });

  it('what VS Code passes (tree nodes, Uris, arrays, nothing) reaches the command unchanged', () => {
    class Node {
      constructor(readonly entry: object) {}
      getTreeItem(): object {
        return {};
      }
    }
    const node = new Node({ name: 'bob' });
    assert.equal(withoutAnswers(node), node, 'same instance: instanceof checks still hold');
    const uri = { scheme: 'file', path: '/ws/a.env', fsPath: '/ws/a.env' };
    assert.equal(withoutAnswers(uri), uri);
    const uris = [uri];
    assert.equal(withoutAnswers(uris), uris);
    assert.equal(withoutAnswers(undefined), undefined);
  });

  it('every field a command argument can carry is classified as a target or an answer', () => {
    const fields = argumentFields();
    assert.ok(fields.size > 20, `found only ${fields.size} argument fields: the scan is broken`);
    const unclassified = [...fields].filter(([f]) => !TARGET_FIELDS.has(f) && !ANSWER_FIELDS.has(f)).map(([f, where]) => `${f} (${where})`);
    assert.deepEqual(unclassified, [], 'classify these in src/extension/commands/caller-arguments.ts');
    const both = [...TARGET_FIELDS].filter((f) => ANSWER_FIELDS.has(f));
    assert.deepEqual(both, []);
  });
});
