// Highlighting of ```iam blocks in the book: a highlight.js language for
// `.iam` files, with the same keywords and token classes as the TextMate
// grammar of the VS Code extension (editors/vscode/syntaxes/iam.tmLanguage.json).
// tests/it/editor.rs checks that the two grammars and the parser name the same
// keywords.
(function () {
  "use strict";
  if (typeof hljs === "undefined") {
    return;
  }
  // KEYWORDS-BEGIN
  var declarations = "policy template group trust param role user stack";
  var effects = "allow deny";
  var words = "not on when because";
  var properties =
    "grants managed instance_profile boundary path max_session tag service aws federated actions default description max_length roles users policies";
  // KEYWORDS-END
  hljs.registerLanguage("iam", function () {
    return {
      name: "iam",
      keywords: {
        keyword: declarations + " " + effects + " " + words,
        built_in: properties,
      },
      contains: [
        hljs.COMMENT("//", "$"),
        {
          className: "string",
          begin: '"',
          end: '"|$',
          contains: [
            { className: "meta", begin: "\\\\." },
            { className: "subst", begin: "\\$\\{", end: "\\}" },
            { className: "variable", begin: "\\{[A-Za-z][A-Za-z0-9_]*\\}" },
          ],
        },
        {
          // Condition operators: `StringEquals`, `ForAnyValue:StringLike`.
          className: "built_in",
          begin:
            "\\b(?:ForAllValues:|ForAnyValue:)?(?:String|Numeric|Date|Bool|Binary|IpAddress|NotIpAddress|Arn|Null)[A-Za-z]*\\b",
        },
        // Actions: `s3:GetObject`, `s3:Get*`.
        { className: "title", begin: "[A-Za-z0-9_.-]+:[A-Za-z0-9_.*?-]+" },
        { className: "number", begin: "\\b[0-9]+\\b" },
        { className: "operator", begin: "\\*" },
      ],
    };
  });
  // book.js highlighted every block before this file was loaded: highlight
  // the `iam` blocks again, now that the language is known.
  document.querySelectorAll("code.language-iam").forEach(function (block) {
    block.textContent = block.textContent;
    block.classList.remove("hljs");
    delete block.dataset.highlighted;
    if (hljs.highlightElement) {
      hljs.highlightElement(block);
    } else {
      hljs.highlightBlock(block);
    }
  });
})();
