"""The book's edition and where its code lives, for the pages to show.

* The version of the package the book was built with
  (``scratchnet.__version__``, the distribution ``backprop-again``), and
  the names of the wheel and the notebooks' zip that ``make site`` puts
  beside the pages, as MyST substitutions: ``{{ version }}``,
  ``{{ dist }}``, ``{{ wheel }}``, ``{{ wheel_link }}``,
  ``{{ notebooks_link }}`` and ``{{ repository }}``.
* The repository's URL: the environment variable ``BOOK_REPOSITORY_URL``
  (the Pages workflow sets it to the repository it runs in, so a fork
  publishes its own), else the ``origin`` remote of the git checkout
  when it is a web URL. It becomes the header's repository button and
  the intro's sentence on where the code lives; without one, the book
  names no URL rather than a wrong one. The site's URL likewise:
  ``BOOK_SITE_URL`` (the Pages workflow sets it), ``{{ site }}``.
* The PDF's title page: the edition (the package's version), the
  licences, and the site's and the code's URLs when they are known.
* ``favicon.ico`` at the site's root, for the browsers that ask for it
  there (the pages themselves name ``_static/favicon.svg``): the same
  drawing, made with Pillow when the HTML build finishes.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

DIST = "backprop-again"
NOTEBOOKS_ZIP = "backprop-again-notebooks.zip"


def repository_url(srcdir: str) -> str:
    url = os.environ.get("BOOK_REPOSITORY_URL", "").strip()
    if not url:
        try:
            url = subprocess.run(
                ["git", "-C", srcdir, "remote", "get-url", "origin"],
                capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            url = ""
        ssh = re.match(r"^git@([\w.-]+):(.+?)(\.git)?$", url)
        if ssh:
            url = f"https://{ssh.group(1)}/{ssh.group(2)}"
    url = re.sub(r"\.git$", "", url)
    return url if re.match(r"^https://[\w.-]+/\S+$", url) else ""


def site_url() -> str:
    """The published site's address, from ``BOOK_SITE_URL`` (the Pages
    workflow sets it), or "" (a local build names none)."""
    url = os.environ.get("BOOK_SITE_URL", "").strip().rstrip("/")
    return url if re.match(r"^https://[\w.-]+(/\S*)?$", url) else ""


def title_page(version: str, site: str, repository: str) -> str:
    """The PDF title page's lines under the author: licences and URLs."""
    lines = ["Text CC-BY-4.0, code MIT"]
    if site:
        lines.append(rf"Read online: \url{{{site}/}}")
    if repository:
        lines.append(rf"Code: \url{{{repository}}}")
    return r"\\ ".join(lines)


def _configure(app, config) -> None:
    from scratchnet import __version__ as version
    wheel = f"{DIST.replace('-', '_')}-{version}-py3-none-any.whl"
    url = repository_url(str(Path(app.srcdir)))
    site = site_url()
    # The PDF's title page: "Edition 0.1.0", the licences and the URLs
    # (no build date, so that two builds give the same title page).
    config.version = config.release = version
    config.latex_elements = {
        **(config.latex_elements or {}), "releasename": "Edition",
        # \date after the preamble's own (the build date) replaces it
        "maketitle": rf"\date{{{title_page(version, site, url)}}}"
                     r"\sphinxmaketitle"}
    config.myst_substitutions = {
        **(config.myst_substitutions or {}),
        "version": version, "dist": DIST, "wheel": wheel,
        # The pages are one folder down from the site's root.
        "wheel_link": f'<a href="../{wheel}">{wheel}</a>',
        "notebooks_link": f'<a href="../{NOTEBOOKS_ZIP}">{NOTEBOOKS_ZIP}</a>',
        "repository": f"<{url}>" if url else "the book's repository",
        "site": f"<{site}/>" if site else "the book's site",
    }
    if url:
        options = dict(config.html_theme_options or {})
        options.update(repository_url=url, use_repository_button=True)
        config.html_theme_options = options


def favicon(path: Path) -> None:
    """favicon.svg's drawing as a 16, 32 and 48 px favicon.ico."""
    from PIL import Image, ImageDraw
    k = 8                                  # drawn at 8x, then shrunk
    image = Image.new("RGBA", (32 * k, 32 * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([0, 0, 32 * k - 1, 32 * k - 1], radius=6 * k,
                           fill="#0072B2")
    draw.line([(8 * k, 24 * k), (16 * k, 8 * k), (24 * k, 24 * k)],
              fill="white", width=3 * k, joint="curve")
    for x, y in ((8, 24), (24, 24)):           # round line caps
        draw.ellipse([(x - 1.5) * k, (y - 1.5) * k, (x + 1.5) * k,
                      (y + 1.5) * k], fill="white")
    draw.ellipse([13 * k, 5 * k, 19 * k, 11 * k], fill="#E69F00")
    image.resize((48, 48), Image.LANCZOS).save(
        path, sizes=[(16, 16), (32, 32), (48, 48)])


def _finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        favicon(Path(app.outdir) / "favicon.ico")


def setup(app):
    app.connect("config-inited", _configure)
    app.connect("build-finished", _finished)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
