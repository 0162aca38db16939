// Tokenises every .iam file given (or found below the folders given) with
// the TextMate grammar, as VS Code does (vscode-textmate, vscode-oniguruma),
// and fails on any character the grammar does not recognise: one left with
// only the root scope `source.iam`, or marked `invalid.illegal` outside the
// syntax-error cases (files or folders named `syntax_*`, which hold text the
// parser rejects on purpose). The parser, the grammar and the book's
// highlighting describe one syntax; this keeps the grammar from drifting.
"use strict";

const fs = require("fs");
const path = require("path");
const textmate = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const grammarPath = path.join(__dirname, "..", "syntaxes", "iam.tmLanguage.json");

function files(inputs) {
  const found = [];
  const walk = (p) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) {
        if (entry !== "node_modules" && entry !== "target" && !entry.startsWith(".")) {
          walk(path.join(p, entry));
        }
      }
    } else if (p.endsWith(".iam")) {
      found.push(p);
    }
  };
  inputs.forEach(walk);
  return found;
}

async function main() {
  const inputs = process.argv.slice(2);
  if (inputs.length === 0) {
    console.error("usage: node test/grammar.js FILE_OR_FOLDER...");
    process.exit(2);
  }
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.iam"
        ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath)
        : null,
  });
  const grammar = await registry.loadGrammar("source.iam");
  const all = files(inputs);
  let problems = 0;
  for (const file of all) {
    const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
    const mayBeInvalid = file.split(path.sep).some((part) => part.startsWith("syntax_"));
    let state = textmate.INITIAL;
    lines.forEach((line, i) => {
      const result = grammar.tokenizeLine(line, state);
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        const unknown = token.scopes.length === 1 && text.trim() !== "" && text !== "\uFEFF";
        const invalid = !mayBeInvalid && token.scopes.includes("invalid.illegal.iam");
        if (unknown || invalid) {
          problems += 1;
          console.error(`${file}:${i + 1}:${token.startIndex + 1}: not recognised: ${JSON.stringify(text)}`);
        }
      }
      state = result.ruleStack;
    });
  }
  if (all.length === 0) {
    console.error("no .iam files found");
    process.exit(1);
  }
  if (problems > 0) {
    console.error(`${problems} unrecognised token(s) in ${all.length} file(s)`);
    process.exit(1);
  }
  console.log(`grammar: every token of ${all.length} .iam file(s) recognised`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
