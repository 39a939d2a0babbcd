import { strict as assert } from 'node:assert';
import { parseDotenv } from '../../src/core/dotenv';
import { applyEnv, mergeEnvLayers } from '../../src/core/env-layers';

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
});
