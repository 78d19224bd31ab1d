// Driver diagram pages: PNG export of the diagram, and keeping keyboard focus when htmx
// replaces the editor. Everything here is optional: the SVG download and the full-page
// forms work without it.

const SCALE = 2; // draw the PNG at twice the SVG's size so text stays sharp

function canvasWorks() {
  const canvas = document.createElement("canvas");
  return Boolean(canvas.getContext && canvas.getContext("2d") && canvas.toBlob);
}

function revealPngButtons() {
  if (!canvasWorks()) return;
  for (const button of document.querySelectorAll("[data-diagram-png]")) {
    button.hidden = false;
  }
}

function svgSize(svg) {
  const box = svg.viewBox && svg.viewBox.baseVal;
  if (box && box.width && box.height) return { width: box.width, height: box.height };
  return { width: svg.width.baseVal.value, height: svg.height.baseVal.value };
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function exportPng(button) {
  const figure = document.querySelector("[data-diagram] svg");
  if (!figure) return;
  const { width, height } = svgSize(figure);
  const source = new XMLSerializer().serializeToString(figure);
  // A data: URL, not a blob: one, because the Content Security Policy allows only data: images.
  const image = new Image();
  image.onload = () => {
    try {
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(width * SCALE);
      canvas.height = Math.round(height * SCALE);
      const context = canvas.getContext("2d");
      context.scale(SCALE, SCALE);
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob((blob) => {
        if (blob) download(blob, button.dataset.diagramPng || "driver-diagram.png");
        else button.hidden = true;
      }, "image/png");
    } catch {
      button.hidden = true; // a tainted or unsupported canvas: the SVG download remains
    }
  };
  image.onerror = () => {
    button.hidden = true;
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-diagram-png]");
  if (button) exportPng(button);
});

// htmx keeps focus on controls whose id survives the swap; when the control is gone (a
// deleted node) or the edit failed, move focus somewhere meaningful instead of the page top.
document.addEventListener("htmx:afterSettle", (event) => {
  revealPngButtons();
  if (!event.target || event.target.id !== "driver-editor") return;
  const summary = document.querySelector("#driver-editor .nhsuk-error-summary");
  const fallback =
    document.querySelector("#driver-editor [data-editor-focus]") ||
    document.getElementById("driver-editor-heading");
  if (summary) summary.focus();
  else if (!document.activeElement || document.activeElement === document.body) fallback?.focus();
});

revealPngButtons();
