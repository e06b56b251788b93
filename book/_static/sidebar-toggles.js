// Make every sidebar toggle button work, on phones and on desktops.
//
// pydata-sphinx-theme 0.17 (its issue #2451) and sphinx-book-theme 1.3
// attach their click handlers with document.querySelector(".primary-toggle")
// and (".secondary-toggle"): only the first button of each kind, a hidden
// one in the header, gets a handler, and the visible buttons do nothing.
// This forwards a click on any other toggle to that first button, whose
// handlers then open the sidebar dialog (narrow screens) or collapse the
// sidebar (wide screens), exactly as the themes intend.
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary", "secondary"]) {
    const buttons = document.querySelectorAll(`.${kind}-toggle`);
    const handled = buttons[0];
    buttons.forEach((button) => {
      if (button === handled) {
        return;
      }
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        handled.click();
      });
    });
  }
});
