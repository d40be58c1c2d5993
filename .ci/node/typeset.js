// TeX to HTML at build time, for .ci/node/buildtime_math.py (a Sphinx extension).
// MathJax 3 (npm mathjax-full, pinned in package-lock.json), CommonHTML output,
// with the hidden MathML that screen readers read (the assistive-mml handler).
// One process serves the whole build over stdin/stdout, one JSON object a line:
//   {"page": name}                   start a page (a fresh document, so its CSS
//                                    holds only the glyphs that page uses)
//   {"tex": "...", "display": bool}  -> {"html": "..."} or {"error": "message"}
//   {"css": true}                    -> {"css": "..."} the page's stylesheet; its
//                                    fonts are at the URL "@MATHJAX_FONTS@"
// Undefined macros are errors (no "noundefined" package), as are syntax errors.
"use strict";
const readline = require("readline");
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { CHTML } = require("mathjax-full/js/output/chtml.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AssistiveMmlHandler } = require("mathjax-full/js/a11y/assistive-mml.js");
require("mathjax-full/js/input/tex/base/BaseConfiguration.js");
require("mathjax-full/js/input/tex/ams/AmsConfiguration.js");
require("mathjax-full/js/input/tex/boldsymbol/BoldsymbolConfiguration.js");
require("mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js");

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));
const PACKAGES = ["base", "ams", "boldsymbol", "newcommand"];
let doc = null;
let output = null;

function newPage() {
  output = new CHTML({ fontURL: "@MATHJAX_FONTS@" });
  doc = mathjax.document("", {
    InputJax: new TeX({
      packages: PACKAGES,
      formatError(jax, err) { throw new Error(err.message); },
    }),
    OutputJax: output,
  });
}

function handle(msg) {
  if ("page" in msg) { newPage(); return null; }
  if (doc === null) newPage();
  if (msg.css) return { css: adaptor.textContent(output.styleSheet(doc)) };
  try {
    return { html: adaptor.outerHTML(doc.convert(msg.tex, { display: !!msg.display })) };
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
  const reply = handle(JSON.parse(line));
  process.stdout.write(JSON.stringify(reply === null ? {} : reply) + "\n");
});
