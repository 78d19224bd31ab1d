// Progressive enhancement for the NHS.UK frontend components. Pages work without it.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
