import { strict as assert } from 'node:assert';
import { parseDotenv } from '../../src/core/dotenv';
import { isLoaderVariable, loaderVariablesPassedOn } from '../../src/core/loader-variables';

const layer = (source: string, text: string) => ({ source, entries: parseDotenv(text) });

describe('loader variables (src/core/loader-variables.ts)', () => {
  it('names what loads code or finds commands, by name and by family, in any case; ordinary variables are not', () => {
    for (const name of ['NODE_OPTIONS', 'NODE_PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'DYLD_INSERT_LIBRARIES', 'BASH_ENV', 'ENV', 'PROMPT_COMMAND', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PERL5OPT', 'PERL5LIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', 'GIT_CONFIG_COUNT', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'PATH', 'Path', 'IFS', 'npm_config_script_shell']) {
      assert.ok(isLoaderVariable(name), name);
    }
    for (const name of ['DATABASE_URL', 'PORT', 'API_KEY', 'STRIPE_SECRET_KEY', 'NODE_ENV', 'PYTHONUNBUFFERED', 'HOME', 'LANG', 'DIGIT_COUNT', 'XPATH']) {
      assert.ok(!isLoaderVariable(name), name);
    }
    assert.throws(() => isLoaderVariable(1 as unknown as string), TypeError);
  });

  it('says, by the file whose value the program gets, the loader variables it would take; what passedOn leaves out is not', () => {
    const layers = [layer('.env.enc', 'DB=1\nNODE_OPTIONS=-r ./a\nPATH=/x\nBASH_ENV=/b\n'), layer('.env.local', 'NODE_OPTIONS=-r ./b\nPORT=3\n')];
    assert.deepEqual(loaderVariablesPassedOn(layers, () => true), [
      { source: '.env.local', names: ['NODE_OPTIONS'] },
      { source: '.env.enc', names: ['PATH', 'BASH_ENV'] },
    ]);
    assert.deepEqual(loaderVariablesPassedOn(layers, (n) => n !== 'PATH' && n !== 'NODE_OPTIONS'), [{ source: '.env.enc', names: ['BASH_ENV'] }]);
    assert.deepEqual(loaderVariablesPassedOn([layer('a', 'DATABASE_URL=x\n')], () => true), []);
  });
});
