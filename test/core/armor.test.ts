import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ARMOR_BEGIN, ARMOR_END, armor, armorStream, dearmor, dearmorIfArmored, dearmorStream, findArmoredBlocks, isArmored } from '../../src/core/armor';
import { ArmorError } from '../../src/core/errors';
import { bytesToStream, collectStream } from '../../src/core/stream';

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const text = (s: AsyncIterable<Uint8Array>): Promise<string> => collectStream(s).then((b) => new TextDecoder().decode(b));

describe('armor', () => {
  it('matches base64 -w 64 framing exactly', () => {
    const a = armor(bytes(100));
    const lines = a.split('\n');
    assert.equal(lines[0], ARMOR_BEGIN);
    assert.equal(lines[1], Buffer.from(bytes(100)).toString('base64').slice(0, 64));
    assert.equal(lines[2].length, 64);
    assert.equal(lines[3].length, 136 - 128);
    assert.equal(lines[4], ARMOR_END);
    assert.equal(lines[5], '');
    assert.equal(armor(bytes(48)).split('\n').length, 4); // exactly one full line
  });
  it('streaming agrees with armor() for pieces larger than one armored string (256 KiB chunks)', async () => {
    const big = Uint8Array.from({ length: 600_001 }, (_, i) => (i * 31 + (i >> 9)) & 0xff);
    const whole = armor(big);
    for (const piece of [65_536, 65_537, 262_160, 100_003, 600_001]) {
      assert.equal(await text(armorStream(bytesToStream(big, piece))), whole, `pieces of ${piece}`);
    }
  });
  it('round-trips, and streaming agrees with whole-buffer forms (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 500 }), fc.integer({ min: 1, max: 100 }), async (b, piece) => {
        const a = armor(b);
        assert.deepEqual(dearmor(a), b);
        assert.equal(await text(armorStream(bytesToStream(b, piece))), a);
        const enc = new TextEncoder().encode(a);
        assert.deepEqual(await collectStream(dearmorStream(bytesToStream(enc, piece))), b);
        assert.deepEqual(await collectStream(dearmorIfArmored(bytesToStream(enc, piece))), b);
        // Binary passes through (envelopes start with "C", never with "-" or whitespace).
        const binary = Uint8Array.of(0x43, ...b);
        assert.deepEqual(await collectStream(dearmorIfArmored(bytesToStream(binary, piece))), binary);
      }),
      { numRuns: 100 },
    );
  });
  it('tolerates CRLF and surrounding blank lines', async () => {
    const a = armor(bytes(200));
    const variant = '\r\n  \n' + a.replace(/\n/g, '\r\n') + '\n\t\n';
    assert.deepEqual(dearmor(variant), bytes(200));
    assert.deepEqual(await collectStream(dearmorStream(bytesToStream(new TextEncoder().encode(variant), 5))), bytes(200));
    assert.ok(isArmored(variant));
    assert.ok(isArmored(new TextEncoder().encode(variant)));
    assert.ok(!isArmored(bytes(100)));
  });
  it('rejects everything else with ArmorError', async () => {
    const a = armor(bytes(100));
    const lines = a.split('\n');
    const bad = [
      'junk\n' + a,
      a + 'junk\n',
      a.replace(ARMOR_BEGIN, '-----BEGIN PGP MESSAGE-----'),
      a.replace(ARMOR_END, ''),
      [lines[0], ' ' + lines[1], ...lines.slice(2)].join('\n'),
      [lines[0], lines[1] + ' ', ...lines.slice(2)].join('\n'),
      [lines[0], lines[1], '', ...lines.slice(2)].join('\n'),
      [lines[0], lines[1].slice(0, 60), lines[1].slice(60) + lines[2], ...lines.slice(3)].join('\n'),
      [lines[0], lines[1], lines[3], lines[2], ...lines.slice(4)].join('\n'), // short line not last
      [lines[0], lines[1], lines[2], lines[3].slice(0, -2) + 'B=', ...lines.slice(4)].join('\n'), // non-canonical tail bits
      [lines[0], lines[1].slice(0, 60) + '====', ...lines.slice(2)].join('\n'), // padding mid-stream
      `${ARMOR_BEGIN}\n${ARMOR_END}\n`,
      '',
    ];
    for (const t of bad) {
      assert.throws(() => dearmor(t), ArmorError, `case ${bad.indexOf(t)}`);
      await assert.rejects(collectStream(dearmorStream(bytesToStream(new TextEncoder().encode(t), 9))), ArmorError, `stream case ${bad.indexOf(t)}`);
    }
  });
  it('finds blocks inside other text, with consistent indentation', () => {
    const a = armor(bytes(120));
    const indented = a.trimEnd().split('\n').map((l) => '    ' + l).join('\n');
    const doc = `key: value\nsecret: |\n${indented}\nother: ${'x'}\n\n${a}trailer\n${ARMOR_BEGIN}\nnever closed\n`;
    const blocks = findArmoredBlocks(doc);
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0].indent, '    ');
    assert.deepEqual(dearmor(blocks[0].text), bytes(120));
    assert.equal(doc.slice(blocks[0].start, blocks[0].start + ARMOR_BEGIN.length), ARMOR_BEGIN);
    assert.equal(doc.slice(blocks[0].end - ARMOR_END.length, blocks[0].end), ARMOR_END);
    assert.equal(blocks[1].indent, '');
    assert.equal(doc.slice(blocks[1].start, blocks[1].end), a.trimEnd());
    // Inconsistent indentation is not a block.
    const broken = indented.replace('\n    ', '\n  ');
    assert.equal(findArmoredBlocks(broken).length, 0);
  });
});
