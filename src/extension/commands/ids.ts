// Every command id in one place; package.json's contributes.commands must list the same ids.
export const enum CommandId {
  ShowVersion = 'custodian.showVersion',
}
