// TeX to HTML at build time, for .ci/node/buildtime_math.py (a Sphinx extension).
// MathJax 3.2.2 from its es5 component bundle, as the pip package
// sphinx-mathjax-offline ships it (requirements.txt), so the build needs no npm
// step. CommonHTML output, with the hidden MathML that screen readers read.
// Usage:  node typeset.js /path/to/static/mathjax
// One process serves the whole build over stdin/stdout, one JSON object a line:
//   {"page": name}                   start a page (a fresh document, so its CSS
//                                    holds only the glyphs that page uses)
//   {"tex": "...", "display": bool}  -> {"html": "...", "box": {"h", "d", "w"}}
//                                    (MathJax's height, depth and width, in em)
//                                    or {"error": "message"}
//   {"css": true}                    -> {"css": "..."} the page's stylesheet; its
//                                    fonts are at the URL "@MATHJAX_FONTS@"
// Undefined macros are errors (input/tex-base, not input/tex: no "noundefined",
// no "noerrors", no autoload/require), as are syntax errors.
"use strict";
const path = require("path");
const readline = require("readline");

const ROOT = process.argv[2];
if (!ROOT) {
  process.stderr.write("usage: node typeset.js MATHJAX_ES5_DIR\n");
  process.exit(2);
}
const DIR = path.resolve(ROOT);
const PACKAGES = ["base", "ams", "boldsymbol", "newcommand"];

async function start() {
  const MathJax = await require(path.join(DIR, "node-main.js")).init({
    loader: {
      paths: { mathjax: DIR },
      load: ["input/tex-base", "[tex]/ams", "[tex]/boldsymbol", "[tex]/newcommand",
             "output/chtml", "a11y/assistive-mml"],  // adaptors/liteDOM: preloaded
      // Never fetch anything: every component must come from DIR.
      require: (file) => {
        const full = path.resolve(file);
        if (!full.startsWith(DIR + path.sep)) throw new Error(`outside ${DIR}: ${file}`);
        return require(full);
      },
    },
    tex: { packages: PACKAGES },
    chtml: { fontURL: "@MATHJAX_FONTS@" },
    startup: { typeset: false },
  });
  // The classes behind the components; a fresh TeX + CHTML + document per page,
  // exactly as the npm script builds them.  The startup module has registered
  // the liteDOM HTML handler, extended by the assistive-mml component.
  const { mathjax } = MathJax._.mathjax;
  const { TeX } = MathJax._.input.tex_ts;
  const { CHTML } = MathJax._.output.chtml_ts;
  // The component's CHTML class has a stub default font; the TeX font comes
  // from output/chtml/fonts/tex (loaded by output/chtml), so pass it in.
  const { TeXFont } = MathJax._.output.chtml.fonts.tex_ts;
  const adaptor = MathJax.startup.adaptor;
  const { STATE } = MathJax._.core.MathItem;
  if (!mathjax.handlers.handlesDocument("")) throw new Error("no HTML handler registered");
  return { mathjax, TeX, CHTML, TeXFont, adaptor, STATE };
}

function serve({ mathjax, TeX, CHTML, TeXFont, adaptor, STATE }) {
  let doc = null;
  let output = null;

  function newPage() {
    output = new CHTML({ fontURL: "@MATHJAX_FONTS@", font: new TeXFont({ fontURL: "@MATHJAX_FONTS@" }) });
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
      // As doc.convert(tex, {display}) does it, keeping the MathItem: its box
      // (height, depth and width in em) is asked of the output jax afterwards.
      const item = new doc.options.MathItem(msg.tex, doc.inputJax[0], !!msg.display);
      item.start.node = adaptor.body(doc.document);
      item.setMetrics(16, 8, null, 1000000, 1);
      item.convert(doc, STATE.LAST);
      const html = adaptor.outerHTML(item.typesetRoot);
      const box = output.getBBox(item, doc);
      return { html, box: { h: box.h * box.rscale, d: box.d * box.rscale, w: box.w * box.rscale } };
    } catch (err) {
      return { error: String(err && err.message ? err.message : err) };
    }
  }

  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on("line", (line) => {
    const reply = handle(JSON.parse(line));
    process.stdout.write(JSON.stringify(reply === null ? {} : reply) + "\n");
  });
}

start().then(serve).catch((err) => {
  process.stderr.write(`typeset.js: cannot load MathJax from ${DIR}: ${err && err.stack || err}\n`);
  process.exit(1);
});
