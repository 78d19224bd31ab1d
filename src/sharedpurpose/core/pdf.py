"""HTML to PDF with WeasyPrint, one way for every document the platform prints.

Nothing is fetched while rendering: stylesheets live in the document, charts are inline SVG
and every URL is refused, so text people typed cannot make the server load anything.
"""

from __future__ import annotations


def pdf_from_html(html: str) -> bytes:
    # Imported on first use: WeasyPrint is slow to import and only printing needs it.
    import weasyprint

    document = weasyprint.HTML(
        string=html,
        base_url=None,
        url_fetcher=weasyprint.urls.URLFetcher(allowed_protocols=frozenset()),
    )
    pdf: bytes = document.write_pdf()
    return pdf
