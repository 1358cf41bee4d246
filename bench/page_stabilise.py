"""Open a page written by `mscgraph html` in headless Chromium and wait until its layout is frozen.

    python bench/page_stabilise.py PAGE.html [--chromium /usr/bin/chromium]

The benchmark's "page stabilise" case: Chromium starts, opens the file offline (every other request
aborted), and the script ends when the page marks ``body[data-stabilized=true]`` (the layout ran once
and physics is off). Prints the seconds from opening the page to that mark on stderr.
Chromium does not start under an address-space limit (``prlimit --as``): run ×1 and ×100 without one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
        start = time.perf_counter()
        page.goto(args.page.resolve().as_uri(), timeout=args.timeout * 1000)
        page.wait_for_selector("body[data-stabilized=true]", state="attached", timeout=args.timeout * 1000)
        print(f"stabilised in {time.perf_counter() - start:.2f} s", file=sys.stderr)
        browser.close()


if __name__ == "__main__":
    main()
