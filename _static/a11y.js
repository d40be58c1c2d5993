/* Accessibility repairs of markup the book does not write itself. Jupyter Book
 * loads every .js file in _static/ on every page; tests/test_site_a11y.py audits
 * the result with axe-core.
 * - myst-nb names its "Show code cell source" toggles "Toggle hidden content", a
 *   name that does not contain the visible label (WCAG 2.5.3, label in name):
 *   drop it, so that the visible text names the toggle.
 * - docutils marks citations with the deprecated role doc-biblioentry inside a
 *   role="list", so the bibliography is a list without items (WCAG 1.3.1):
 *   make them list items.
 * - The glossary gives each term in English and in Korean. A screen reader reads
 *   a page in its language, English, unless a part says otherwise (WCAG 3.1.2,
 *   language of parts): mark the Korean terms lang="ko".
 */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('details > summary[aria-label="Toggle hidden content"]')
    .forEach(function (summary) { summary.removeAttribute("aria-label"); });
  document.querySelectorAll('[role="list"] > [role="doc-biblioentry"]')
    .forEach(function (entry) { entry.setAttribute("role", "listitem"); });
  document.querySelectorAll("dl.glossary > dt").forEach(function (term) {
    if (/[\uac00-\ud7a3]/.test(term.textContent)) { term.setAttribute("lang", "ko"); }
  });
});
