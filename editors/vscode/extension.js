// The iamc extension: starts `iamc lsp` (the binary named by the `iamc.path`
// setting) for every `.iam` file. Highlighting comes from the TextMate
// grammar alone and works without the binary.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function start() {
  const command = vscode.workspace.getConfiguration("iamc").get("path") || "iamc";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "iamc",
    "iamc",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "iam" }],
      synchronize: {
        // Files changed outside the editor (a git checkout, iamc fmt)
        // make the server read the project again.
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.iam,iamc.yaml}"),
      },
    }
  );
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `iamc: could not start \`${command} lsp\` (${error.message}). ` +
        "Install iamc or set `iamc.path` to the binary."
    );
  });
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("iamc.path")) {
        if (client) {
          await client.stop();
        }
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
