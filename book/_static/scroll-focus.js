// A region that scrolls sideways must be reachable from the keyboard
// (axe: scrollable-region-focusable). pydata-sphinx-theme gives each such
// region tabindex="0" when the page loads and, 300 ms later, when the
// page's content changes; a web font that arrives later can still widen
// a code block or an output without either. This repeats the theme's
// check once the fonts and the page have loaded. (0.6 KB, every page.)
(() => {
  const selector = "pre, .cell_output > .output, " +
    ".pst-scrollable-table-container";
  const update = () => {
    document.querySelectorAll(selector).forEach((element) => {
      if (element.scrollWidth > element.clientWidth ||
          element.scrollHeight > element.clientHeight) {
        element.tabIndex = 0;
      }
    });
  };
  window.addEventListener("load", update);
  if (document.fonts) {
    document.fonts.ready.then(update);
  }
})();
