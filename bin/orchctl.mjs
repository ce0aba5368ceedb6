#!/usr/bin/env node
// orchctl: the node launcher and cluster CLI. The commands are TypeScript (scripts/cli/): the
// build compiles them to plain JavaScript (.compiled/, scripts/compile-node.ts), which starts
// about three times faster; until a build made them from the sources as they are now, tsx
// compiles the sources on the fly, so a checkout needs no build step for the CLI.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hideSecretArguments } from './hide-secret-arguments.mjs';
import { currentCompiled } from './compiled.mjs';

hideSecretArguments();
const compiled = currentCompiled(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), 'orchctl');
if (compiled) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../scripts/cli/main.ts');
}
