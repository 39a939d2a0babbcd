import { strict as assert } from 'node:assert';
import { parseDotenv } from '../../src/core/dotenv';
import { applyEnv, mergeEnvLayers, plainOverrides } from '../../src/core/env-layers';

const layer = (source: string, text: string) => ({ source, entries: parseDotenv(text) });

describe('env layers (src/core/env-layers.ts)', () => {
  it('later files win over earlier ones; names keep their first-seen order', () => {
    const merged = mergeEnvLayers([layer('a', 'X=1\nY=1\nX=2\n'), layer('b', 'Z=3\nY=b\n')]);
    assert.deepEqual([...merged], [['X', '2'], ['Y', 'b'], ['Z', '3']]);
  });

  it('keeps the environment\'s value for a name set in both, unless override', () => {
    const added = new Map([['PATH', '/evil'], ['NEW', 'n']]);
    const base = { PATH: '/usr/bin', HOME: '/h', UNSET: undefined };
    assert.deepEqual({ ...applyEnv(base, added, false) }, { PATH: '/usr/bin', HOME: '/h', NEW: 'n' });
    assert.deepEqual({ ...applyEnv(base, added, true) }, { PATH: '/evil', HOME: '/h', NEW: 'n' });
  });

  it('treats __proto__ and constructor as ordinary names', () => {
    const env = applyEnv({}, mergeEnvLayers([layer('a', '__proto__=p\nconstructor=c\n')]), false);
    assert.deepEqual(Object.entries(env), [['__proto__', 'p'], ['constructor', 'c']]);
  });

  it('plainOverrides: a later plain file replacing an encrypted file\'s value, by the two files; a plain file before it, or an encrypted one after, is no such override', () => {
    const enc = { ...layer('.env.enc', 'DATABASE_HOST=db.internal\nDATABASE_PASSWORD=s3cret\n'), encrypted: true };
    const defaults = layer('defaults.env', 'DATABASE_HOST=localhost\nPORT=80\n');
    const planted = layer('config/defaults.txt', 'DATABASE_HOST=evil.example\nDATABASE_PASSWORD=x\nDATABASE_HOST=again\n');
    const later = { ...layer('prod.env.enc', 'DATABASE_HOST=db.prod\n'), encrypted: true };
    assert.deepEqual(plainOverrides([defaults, enc]), []);
    assert.deepEqual(plainOverrides([enc, later]), []);
    assert.deepEqual(plainOverrides([defaults, enc, planted]), [{ plain: 'config/defaults.txt', encrypted: '.env.enc', names: ['DATABASE_HOST', 'DATABASE_PASSWORD'] }]);
    assert.deepEqual(plainOverrides([enc, planted, later]), [{ plain: 'config/defaults.txt', encrypted: '.env.enc', names: ['DATABASE_HOST', 'DATABASE_PASSWORD'] }]);
  });
});
