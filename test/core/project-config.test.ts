import { strict as assert } from 'node:assert';
import { DEFAULT_GUARD_PLAINTEXT_PATHS, parseProjectConfig, ProjectConfigError } from '../../src/core/project-config';

describe('.custodian/config', () => {
  it('fills what the file leaves out with the defaults', () => {
    const config = parseProjectConfig('{}');
    assert.deepEqual(config.guard.plaintextPaths, DEFAULT_GUARD_PLAINTEXT_PATHS);
    assert.deepEqual(config.run.envFiles, []);
  });

  it('reads the guard rules and run files it is given', () => {
    const config = parseProjectConfig(JSON.stringify({ version: 1, guard: { plaintextPaths: ['config/*.json'] }, run: { envFiles: ['.env.enc', '.env.local'] } }));
    assert.deepEqual(config.guard.plaintextPaths, ['config/*.json']);
    assert.deepEqual(config.run.envFiles, ['.env.enc', '.env.local']);
  });

  it('refuses a misspelt key rather than ignoring a rule (a guard that silently does not guard)', () => {
    assert.throws(() => parseProjectConfig('{ "guard": { "plaintextPath": [".env"] } }'), (err: Error) => {
      assert.ok(err instanceof ProjectConfigError);
      assert.match(err.message, /unknown key "guard\.plaintextPath"/);
      assert.match(err.message, /guard\.plaintextPaths/);
      return true;
    });
    assert.throws(() => parseProjectConfig('{ "gaurd": {} }'), /unknown key "gaurd"/);
  });

  it('says what is wrong with a malformed file', () => {
    assert.throws(() => parseProjectConfig('{ guard: 1 }'), /not valid JSON/);
    assert.throws(() => parseProjectConfig('[]'), /must be a JSON object/);
    assert.throws(() => parseProjectConfig('{ "version": 2 }'), /"version" 2 is not supported/);
    assert.throws(() => parseProjectConfig('{ "guard": [] }'), /"guard" must be an object/);
    assert.throws(() => parseProjectConfig('{ "run": { "envFiles": ".env.enc" } }'), /"run.envFiles" must be a list of strings/);
    assert.throws(() => parseProjectConfig('{ "run": { "envFiles": [""] } }'), /"run.envFiles\[0\]" must be a non-empty string/);
    assert.throws(() => parseProjectConfig('{ "guard": { "plaintextPaths": ["a\\nb"] } }'), /control character/);
  });

  it('returns frozen values a caller cannot change for the next one', () => {
    const config = parseProjectConfig('{}');
    assert.throws(() => (config.guard.plaintextPaths as string[]).push('x'));
  });
});
