"""An nbgrader course folder, ready to release the book's assignments.

Usage: python scripts/course.py [BOOK_ROOT] [--course FOLDER]
       [--assignments FOLDER]

Run after ``make assignments`` (``make course`` runs both). It makes the
course folder (``course/`` in the book's root unless ``--course`` names
another) with

* ``nbgrader_config.py``: the course id, the exchange folder inside the
  course (not a system path such as ``/usr/local/share/nbgrader``), and
  the time limit of a notebook's execution;
* ``source/<assignment>/``: the nbgrader sources of ``assignments/``;
* ``release/<assignment>/``: what students get, from ``nbgrader
  generate_assignment``;
* ``exchange/``, and a ``.gitignore`` that keeps the whole folder, with
  its students' work and grades, out of git.

Running it again refreshes the sources and releases and keeps the
gradebook, the submissions and the grades.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

COURSE_ID = "backprop-again"
NBGRADER = Path(sys.executable).parent / "nbgrader"

CONFIG = '''\
# The course of "Backprop, Again", written by `make course`.
c = get_config()
c.CourseDirectory.course_id = {course_id!r}
# The exchange lives in the course folder: release_assignment, and the
# students' fetch_assignment and submit, use it on this machine.
c.Exchange.root = {exchange!r}
# A notebook's whole execution, in seconds (autograde and validate).
c.ExecutePreprocessor.timeout = 600
'''


def nbgrader(*args: str, cwd: Path) -> None:
    """Run the environment's nbgrader (and its alembic) in ``cwd``."""
    env = dict(os.environ, PATH=f"{NBGRADER.parent}{os.pathsep}"
               f"{os.environ.get('PATH', '')}")
    result = subprocess.run([str(NBGRADER), *args], cwd=cwd, env=env,
                            text=True, capture_output=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"nbgrader {' '.join(args)} failed")


def make(assignments: Path, course: Path) -> list[str]:
    sources = assignments / "nbgrader" / "source"
    if not sources.is_dir():
        raise SystemExit(f"{sources} is missing: run make assignments")
    course.mkdir(parents=True, exist_ok=True)
    (course / ".gitignore").write_text(
        "# students' work and grades: never commit them\n*\n")
    exchange = course / "exchange"
    exchange.mkdir(exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(
        course_id=COURSE_ID, exchange=str(exchange.resolve())))
    names = sorted(p.name for p in sources.iterdir() if p.is_dir())
    for name in names:
        target = course / "source" / name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(sources / name, target)
        nbgrader("generate_assignment", name, "--force", cwd=course)
    return names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path("."),
                        help="the book's root (default: .)")
    parser.add_argument("--course", type=Path, default=None,
                        help="the course folder (default: ROOT/course)")
    parser.add_argument("--assignments", type=Path, default=None,
                        help="what make assignments wrote (default: "
                             "ROOT/assignments)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    course = (args.course or root / "course").resolve()
    names = make((args.assignments or root / "assignments").resolve(),
                 course)
    print(f"course: {course}, with {len(names)} assignments released to "
          f"{course / 'release'}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
