// The CLI as an npm package a teammate installs with `npm install -g`: the tarball holds the bundles,
// the icon, README, LICENSE and CLI.md only (no sources, tests, vectors or screenshots), installs with
// no dependency (the bundle carries them), and the installed `custodian` encrypts and decrypts.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildCli } = require('../../scripts/lib/build-cli') as { buildCli: (outdir: string, options: { production: boolean }) => string };

describe('npm package: pack, install -g into a temporary prefix, run', function () {
  this.timeout(180_000);
  let dir: string;
  let tarball: string;
  let packed: string[];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-npm-'));
    // A staging copy of what `npm pack` reads, with a fresh production CLI (no stale dist/ of a checkout).
    const stage = path.join(dir, 'stage');
    fs.mkdirSync(path.join(stage, 'docs'), { recursive: true });
    for (const f of ['package.json', 'README.md', 'LICENSE', 'docs/CLI.md']) fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
    fs.cpSync(path.join(ROOT, 'media'), path.join(stage, 'media'), { recursive: true });
    fs.mkdirSync(path.join(stage, 'src'), { recursive: true });
    fs.writeFileSync(path.join(stage, 'src', 'not-shipped.ts'), 'export {};\n');
    buildCli(path.join(stage, 'dist'), { production: true });
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: stage, encoding: 'utf8' });
    const info = (JSON.parse(out) as { filename: string; files: { path: string }[] }[])[0];
    tarball = path.join(dir, info.filename);
    packed = info.files.map((f) => f.path).sort();
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('packs the CLI bundle and its documentation, nothing from src, test or docs/screenshots', () => {
    assert.ok(packed.includes('dist/cli.js'), packed.join(', '));
    // dist/cli.js requires a bundle per command, and they the packages split from them.
    for (const f of ['dist/cli/run.js', 'dist/cli/encrypt.js', 'dist/yaml.js', 'dist/bcrypt-pbkdf.js']) assert.ok(packed.includes(f), `${f}: ${packed.join(', ')}`);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'docs/CLI.md']) assert.ok(packed.includes(f), f);
    const unwanted = packed.filter((f) => /^(src|test|scripts|docs\/screenshots)\//.test(f) || f.endsWith('.map'));
    assert.deepEqual(unwanted, []);
  });

  it('installs with npm install -g (no dependency to fetch) and the installed custodian round-trips a file', () => {
    const prefix = path.join(dir, 'prefix');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { encoding: 'utf8' });
    const bin = path.join(prefix, 'bin', 'custodian');
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), `custodian ${version}`);
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    const env = { ...process.env, CUSTODIAN_PASSPHRASE: 'correct horse battery staple 42' };
    const pub = execFileSync(bin, ['keygen', '-b', '2048', '-o', path.join(work, 'me.pem')], { env, encoding: 'utf8' });
    fs.writeFileSync(path.join(work, 'me.pub'), pub);
    fs.writeFileSync(path.join(work, 'secret.env'), 'API_KEY=from-the-npm-package\n');
    execFileSync(bin, ['encrypt', '-r', path.join(work, 'me.pub'), '-o', path.join(work, 'secret.env.enc'), path.join(work, 'secret.env')], { env });
    const plain = execFileSync(bin, ['decrypt', '-i', path.join(work, 'me.pem'), path.join(work, 'secret.env.enc')], { env, encoding: 'utf8' });
    assert.equal(plain, 'API_KEY=from-the-npm-package\n');
    // Value-encrypted YAML needs the yaml package, which ships as dist/yaml.js beside dist/cli.js.
    fs.writeFileSync(path.join(work, 'config.yaml'), 'db:\n  password: yaml-from-the-npm-package\n');
    execFileSync(bin, ['encrypt', '--values', '-r', path.join(work, 'me.pub'), '-o', path.join(work, 'config.enc.yaml'), path.join(work, 'config.yaml')], { env });
    const value = execFileSync(bin, ['get', '-i', path.join(work, 'me.pem'), path.join(work, 'config.enc.yaml'), 'db.password'], { env, encoding: 'utf8' });
    assert.equal(value, 'yaml-from-the-npm-package\n');
  });

  it('after npm install -g, git setup registers the drivers as "custodian" on PATH, and git diff runs them', () => {
    const prefix = path.join(dir, 'prefix-git');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { encoding: 'utf8' });
    const env = { ...process.env, PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}`, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
    const repo = path.join(dir, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    execFileSync('custodian', ['git', 'setup'], { cwd: repo, env });
    assert.equal(execFileSync('git', ['-C', repo, 'config', 'diff.custodian.textconv'], { env, encoding: 'utf8' }).trim(), 'custodian git textconv --');
    fs.writeFileSync(path.join(repo, 'x.enc'), 'not an envelope\n');
    execFileSync('git', ['-C', repo, 'add', 'x.enc'], { env });
    const diff = execFileSync('git', ['-C', repo, 'diff', '--cached'], { env, encoding: 'utf8' });
    assert.match(diff, /^\+\[custodian\] not a readable Custodian file/m, 'git found the installed custodian on PATH');
  });
});
