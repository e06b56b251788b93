"""The publishing workflow stays in step with CI."""

from __future__ import annotations

import re

import yaml
from conftest import ROOT


def ci_packages() -> set[str]:
    text = (ROOT / ".ci/run").read_text()
    block = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M).group(1)
    return set(block.split()) | {"npm"}


def workflow_packages() -> set[str]:
    flow = yaml.safe_load((ROOT / ".github/workflows/publish.yml")
                          .read_text())
    steps = flow["jobs"]["build"]["steps"]
    script = next(s["run"] for s in steps if "apt-get install" in
                  s.get("run", ""))
    words = script.replace("\\\n", " ").split("apt-get install", 1)[1]
    return {w for w in words.split() if not w.startswith("-")}


def test_the_workflow_installs_what_ci_installs():
    ci, flow = ci_packages(), workflow_packages()
    assert len(ci) > 5
    assert ci == flow, (ci - flow, flow - ci)


def test_the_workflow_runs_make_site_and_deploys_pages():
    text = (ROOT / ".github/workflows/publish.yml").read_text()
    assert "run: make site" in text
    assert "actions/upload-pages-artifact@" in text
    assert "actions/deploy-pages@" in text
    assert "path: _build/html" in text
