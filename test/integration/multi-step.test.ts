// Multi-step inputs in the real quick input: Generate Key shows "step/total" and a Back button that
// returns to the previous step with its answer kept; Split Secret refuses a team that is too small
// before it asks for the secret. The test types through the real input widgets (their `value`) and
// presses Enter / Back with VS Code's own commands.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { KeyInfo } from '../../src/extension/storage/key-store';
import { captureErrors, run, useCleanState, waitFor } from './support/custodian';
import { back, enter, recordInputs } from './support/quick-inputs';

describe('multi-step inputs', function () {
  this.timeout(120_000);
  const state = useCleanState();

  afterEach(() => vscode.commands.executeCommand('workbench.action.closeQuickOpen'));

  it('Generate Key: step/total in each step, Back returns to the name with it kept', async () => {
    const rec = recordInputs();
    try {
      const done = run<KeyInfo>('custodian.generateKey');
      const shown = (n: number) => waitFor(`quick input #${n}`, async () => rec.inputs.length >= n && rec.inputs[n - 1]);
      const name = (await shown(1)) as vscode.InputBox;
      assert.deepStrictEqual([name.step, name.totalSteps, name.buttons.length], [1, 3, 0], 'step 1 of 3, no Back');
      name.value = 'Alicia';
      await enter();
      const label = (await shown(2)) as vscode.InputBox;
      assert.deepStrictEqual([label.step, label.totalSteps], [2, 3]);
      assert.ok(label.buttons.includes(vscode.QuickInputButtons.Back), 'a Back button from step 2 on');
      await back();
      const nameAgain = (await shown(3)) as vscode.InputBox;
      assert.deepStrictEqual([nameAgain.step, nameAgain.value], [1, 'Alicia'], 'back at step 1, the answer kept');
      nameAgain.value = 'Alice';
      await enter();
      const label2 = (await shown(4)) as vscode.InputBox;
      label2.value = 'alice@example.com';
      await enter();
      const size = (await shown(5)) as vscode.QuickPick<vscode.QuickPickItem & { bits?: number }>;
      assert.deepStrictEqual([size.step, size.totalSteps], [3, 3]);
      size.activeItems = size.items.filter((i) => i.bits === 2048);
      await new Promise((r) => setTimeout(r, 300)); // the change reaches the widget asynchronously
      await enter();
      const info = await done;
      assert.deepStrictEqual([info?.name, info?.label, info?.bits], ['Alice', 'alice@example.com', 2048]);
    } finally {
      rec.dispose();
    }
  });

  it('Split Secret with a team of one refuses before asking for the secret', async () => {
    const solo = await run<KeyInfo>('custodian.generateKey', { name: 'Solo', bits: 2048 });
    await run('custodian.addMyselfToTeam', { id: solo!.id });
    const rec = recordInputs();
    try {
      const { errors } = await captureErrors(state.services, async () => {
        const done = run('custodian.splitSecret');
        // Were the secret asked for first, an input would appear and the command would wait on it.
        const first = await Promise.race([done.then(() => 'finished'), waitFor('an input', async () => rec.inputs.length > 0 && 'asked', 5_000).catch(() => 'none')]);
        if (first === 'asked') await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        await done;
      });
      assert.deepStrictEqual(rec.inputs.map((i) => i.title), [], 'no input was shown');
      assert.match(errors[0]?.message ?? '', /at least 2 custodians from the team roster; it has 1/);
    } finally {
      rec.dispose();
    }
  });
});
