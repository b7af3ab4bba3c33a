"""HTML -> PDF with WeasyPrint: fonts embedded, only allow-listed resources, same bytes each run.

WeasyPrint may fetch images, fonts and stylesheets named in the HTML. A template can be
user-supplied, so the fetcher allows only `data:` URLs and files inside the template
directories; anything else (other files, the network) fails the render with a message.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

from slagen.errors import RenderError


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class AllowListFetcher(URLFetcher):
        def __init__(self, roots: list[Path]):
            super().__init__(allowed_protocols=("data", "file"))
            self.roots = [r.resolve() for r in roots]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = urlparse(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlparse(url).path)).resolve()
                if any(path.is_relative_to(root) for root in self.roots):
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise FatalURLFetchingError(f"refused to fetch {url}: templates may only use data: URLs and files in the template directories")

    return AllowListFetcher


def html_to_pdf(html: str, roots: list[Path], attachments: list[tuple[str, bytes, str]] = (), pdf_variant: str | None = None, stamp: datetime | None = None) -> bytes:
    """Render HTML to PDF bytes. `roots` are the only directories files may come from;
    attachments are dated `stamp` (the document's own date, never the clock)."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")  # fonttools and WeasyPrint read it for timestamps
    from weasyprint import HTML, Attachment
    from weasyprint.urls import FatalURLFetchingError

    from slagen.text import for_xml

    html = for_xml(html)  # no control characters or lone surrogates reach the PDF
    fetcher = _fetcher_class()(roots)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode()
    stamp = stamp or datetime(1980, 1, 1, tzinfo=timezone.utc)
    files = [Attachment(string=data, name=name, description=desc, relationship="Data", created=stamp, modified=stamp) for name, data, desc in attachments]
    try:
        document = HTML(string=html, base_url=str(roots[0]) + "/", url_fetcher=fetcher)
        pdf = document.write_pdf(pdf_identifier=identifier, attachments=files or None, pdf_variant=pdf_variant, uncompressed_pdf=False)
    except FatalURLFetchingError as exc:
        raise RenderError(str(exc)) from None
    if fetcher.refused:
        raise RenderError(f"refused to fetch {fetcher.refused[0]}: templates may only use data: URLs and files in the template directories")
    return pdf
