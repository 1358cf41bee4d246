"""Take the screenshots in docs/page.md of the real page, in Debian's headless Chromium, offline.

    python bench/screenshot.py [--output-dir docs] [--html PAGE.html]

Builds the page from the packaged data (unless --html is given), opens it from file:// with every
other request aborted, waits for the layout to settle and saves three PNGs:

- ``screenshot.png``: the whole graph at 1400x900 with the SS -> Th17 MSC-therapy link selected;
- ``screenshot-grid.png``: the disease x mechanism grid at 1400x900, the SS -> Th17 cell open;
- ``screenshot-phone.png``: the graph at 390x844 (a phone), the SS -> Th17 link selected, panel below.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import mscgraph
from mscgraph.views import html, network

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ROOT = Path(__file__).resolve().parents[1]
SS_TH17 = "mscd:SS~mscd:Th17~TherapyEffect"
SHOTS = [  # file, viewport, URL fragment (the page's own state), script run after it, full page?
    ("screenshot.png", (1400, 900), "", f"mscgraph.showLinks(['{SS_TH17}'])", False),
    ("screenshot-grid.png", (1400, 900), f"#view=grid&role=msc:TherapyEffect&sel=links:{SS_TH17}", "", False),
    ("screenshot-phone.png", (390, 844), f"#sel=links:{SS_TH17}", "", True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=ROOT / "docs")
    parser.add_argument(
        "--html", type=Path, help="an existing page (default: build one from the packaged data)"
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    external: list[str] = []

    def route(r):  # offline: only the file itself
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    with tempfile.TemporaryDirectory() as tmp:
        if args.html:
            page_path = args.html
        else:
            kg = mscgraph.load()
            page_path = html.write(network.build(kg), html.page_evidence(kg), Path(tmp) / "graph.html")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=ARGS)
            for name, (width, height), fragment, script, full in SHOTS:
                context = browser.new_context(
                    viewport={"width": width, "height": height}, bypass_csp=True, device_scale_factor=1
                )
                page = context.new_page()
                page.route("**/*", route)
                page.goto(page_path.resolve().as_uri() + fragment)
                page.wait_for_selector("body[data-stabilized=true]", state="attached", timeout=300_000)
                if script:
                    page.evaluate(script)
                page.wait_for_timeout(300)  # let the canvas redraw the selection
                args.output_dir.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.output_dir / name), full_page=full)
                context.close()
                print(f"wrote {args.output_dir / name}")
            browser.close()
    if external:
        raise SystemExit(f"the page requested external URLs: {external}")


if __name__ == "__main__":
    main()
