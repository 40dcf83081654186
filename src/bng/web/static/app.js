// Start GOV.UK Frontend's components (conditional reveals, error summary focus, character counts).
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();

// The MOJ filter pattern on the search page: "Show filters" / "Hide filters" opens and closes the panel.
// Open at first on a wide screen (beside the results), closed on a narrow one (the results come first),
// open when a filter has an error. Without JavaScript the button stays hidden and the panel open.
for (const layout of document.querySelectorAll('[data-module="bng-filter-layout"]')) {
  const panel = layout.querySelector(".bng-filter-layout__filter");
  const button = layout.querySelector(".bng-filter-toggle");
  if (!panel || !button) continue;
  const wide = window.matchMedia("(min-width: 48.0625em)");
  const show = (open, focus) => {
    panel.hidden = !open;
    layout.classList.toggle("bng-filter-layout--open", open);
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Hide filters" : "Show filters";
    if (open && focus) panel.querySelector(".bng-filter__title")?.focus();
  };
  button.hidden = false;
  show(wide.matches || panel.dataset.openOnLoad === "true", false);
  button.addEventListener("click", () => show(panel.hidden, true));
}
