// Start GOV.UK Frontend's components (conditional reveals, error summary focus, character counts).
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
