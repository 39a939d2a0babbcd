import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
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

  it('every name and family docs/CLI.md lists under "Variables that decide which code runs" is one, in any case', () => {
    // The list people read is the promise; a name dropped from the code (DOTNET_STARTUP_HOOKS loads an
    // assembly into every .NET program) would let an env file set it with nothing said.
    const docs = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'CLI.md'), 'utf8');
    const paragraph = /\*\*Variables that decide which code runs\*\*([\s\S]*?)\(names compared in any\s+case/.exec(docs)?.[1];
    assert.ok(paragraph, 'the paragraph is in docs/CLI.md');
    const [exact, families] = paragraph.split(/and every name starting with/);
    const ticked = (text: string): string[] => [...text.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]);
    const names = ticked(exact).filter((n) => n !== 'NAME'); // `--allow-env NAME` is not in the list
    const prefixes = ticked(families);
    assert.ok(names.length >= 40 && names.includes('DOTNET_STARTUP_HOOKS') && names.includes('SUDO_ASKPASS'), `names found: ${names.join(' ')}`);
    assert.deepEqual(prefixes, ['LD_', 'DYLD_', 'GIT_', 'npm_config_', 'BASH_FUNC_', 'CORECLR_', 'COR_']);
    for (const name of names) {
      assert.ok(isLoaderVariable(name), name);
      assert.ok(isLoaderVariable(name.toLowerCase()), name.toLowerCase());
    }
    for (const prefix of prefixes) for (const name of [`${prefix}X`, `${prefix}x`.toLowerCase()]) assert.ok(isLoaderVariable(name), name);
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
