"""The page inlines vis-network from the installed pyvis (``pyvis/lib/vis-9.1.2``, shipped by pyvis 0.3.x):
pyproject.toml pins pyvis to that range, the files are there, and the page embeds them."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata, resources

from conftest import REPO
from packaging.requirements import Requirement

from mscgraph.views import html, network

VIS = ("lib", "vis-9.1.2")  # the folder views/html.py reads


def test_pyvis_is_pinned_to_the_releases_that_ship_the_assets() -> None:
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    (pyvis,) = [Requirement(d) for d in dependencies if Requirement(d).name == "pyvis"]
    assert pyvis.specifier.contains("0.3.2") and not pyvis.specifier.contains("0.4.0")
    assert not pyvis.specifier.contains("0.2.1")  # before 0.3, pyvis shipped no vis-network copy
    assert pyvis.specifier.contains(metadata.version("pyvis"))


def test_the_installed_pyvis_ships_vis_network_9_1_2() -> None:
    lib = resources.files("pyvis").joinpath(*VIS)
    js = lib.joinpath("vis-network.min.js").read_text("utf-8")
    css = lib.joinpath("vis-network.css").read_text("utf-8")
    assert re.search(r"@version 9\.1\.2\b", js)
    assert "vis-network" in css and len(js) > 100_000


def test_the_page_embeds_the_assets(kg) -> None:
    lib = resources.files("pyvis").joinpath(*VIS)
    js, css = html.vis_assets()
    assert css == lib.joinpath("vis-network.css").read_text("utf-8")
    raw = lib.joinpath("vis-network.min.js").read_text("utf-8")
    assert js == re.sub(r"//# sourceMappingURL=\S*", "", raw).replace("://", ":\\/\\/")
    page = html.render(network.view(kg, ["mscd:SS"]), html.page_evidence(kg, ["mscd:SS"]))
    assert css in page and f"<script>\n{js}\n</script>" in page
    assert "@version 9.1.2" in page and "://" not in page
