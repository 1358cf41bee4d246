"""Take docs/screenshot.png: the real page, in Debian's headless Chromium, offline.

    python bench/screenshot.py [--output docs/screenshot.png] [--html PAGE.html]

Builds the page from the packaged data (unless --html is given), opens it from file:// with every
other request aborted, waits for the layout to settle, clicks the SS-Th17 link so the panel shows
its studies and sentences, and saves a PNG.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import mscgraph
from mscgraph import html, network

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument(
        "--html", type=Path, help="an existing page (default: build one from the packaged data)"
    )
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page_path = args.html or html.write(network.build(mscgraph.load()), Path(tmp) / "graph.html")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=ARGS)
            context = browser.new_context(
                viewport={"width": 1600, "height": 1000}, bypass_csp=True, device_scale_factor=1
            )
            page = context.new_page()
            external: list[str] = []

            def route(r):  # offline: only the file itself
                if r.request.url.startswith("file://"):
                    r.continue_()
                else:
                    external.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(page_path.resolve().as_uri())
            page.wait_for_selector("body[data-stabilized=true]", state="attached", timeout=300_000)
            page.evaluate(  # fit the linked part; a few unlinked vocabulary nodes float far out
                """() => mscgraph.network.fit({animation: false, nodes: mscgraph.nodes.getIds()
                       .filter(id => mscgraph.network.getConnectedEdges(id).length > 0)})"""
            )
            edge = page.evaluate(
                "() => mscgraph.edgeBetween('mscd:SS', 'mscd:Th17').find(id => id.endsWith('~Decreased'))"
            )
            if edge:
                page.evaluate(
                    "id => { mscgraph.network.setSelection({nodes: [], edges: [id]});"
                    " mscgraph.showEdge(id); }",
                    edge,
                )
            page.wait_for_timeout(300)  # let the canvas redraw the selection
            args.output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.output))
            browser.close()
            if external:
                raise SystemExit(f"the page requested external URLs: {external}")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
