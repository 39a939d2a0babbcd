// js-yaml 4 ships no types; the tests use only load() as a YAML 1.2 oracle.
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
