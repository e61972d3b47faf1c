"""The screenshots in PANDUAN.md's section on the assessment form, taken from the sample site as built.

    .venv/bin/python docs/panduan/shots.py

Builds the sample into a temporary folder, serves it on loopback and photographs it in Debian's
Chromium on a 390 px phone; writes small palette PNGs next to this file. Run it again after a change
to the form's look, and look at the pictures before committing them.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GROUP = "kelompok/kab-madiun/mejayan/ksm-mekar-sari/index.html"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def small_png(shot: bytes, path: Path) -> None:
    """A screenshot as a 64-colour PNG: a few tens of KB."""
    import io

    from PIL import Image
    image = Image.open(io.BytesIO(shot)).convert("RGB").quantize(64)
    image.save(path, optimize=True)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from ksm_site.engine.build import build

    with tempfile.TemporaryDirectory() as tmp:
        build(str(ROOT / "content"), tmp, dt.date.today(), jobs=1)
        handler = functools.partial(Quiet, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 390, "height": 640}, locale="id-ID")
            page.goto(base + GROUP)
            small_png(page.screenshot(), HERE / "1-halaman-kelompok.png")
            page.locator(".assess-link a").click()
            page.wait_for_function("() => document.querySelector('[data-hasil=skor]').dataset.skor")
            page.locator("#who").scroll_into_view_if_needed()
            page.evaluate("window.scrollTo(0, document.querySelector('[data-catatan=isi]').getBoundingClientRect().top"
                          " + window.scrollY - 10)")
            small_png(page.screenshot(), HERE / "2-formulir.png")
            for key in ("pertemuan_rutin", "tabungan_kelompok", "agenda_pertemuan"):
                page.locator(f'input[name="{key}"][value="3"]').check()
            page.evaluate("window.scrollTo(0, document.querySelector('#result').getBoundingClientRect().top"
                          " + window.scrollY - 10)")
            small_png(page.screenshot(), HERE / "3-hasil.png")
            page.evaluate("window.scrollTo(0, document.querySelector('#text').getBoundingClientRect().top"
                          " + window.scrollY - 10)")
            small_png(page.screenshot(), HERE / "4-teks.png")
            browser.close()
        server.shutdown()
    print("screenshots written to", HERE.relative_to(ROOT))


if __name__ == "__main__":
    main()
