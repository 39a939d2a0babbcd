import { strict as assert } from 'node:assert';
import { createNobleBackend } from '../../src/core/noble-backend';
import { backendConformance } from './webcrypto-backend.test';

describe('noble backend', () => {
  backendConformance(createNobleBackend);
  it('is named', () => assert.equal(createNobleBackend().name, 'noble'));
});
