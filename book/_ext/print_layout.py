"""The printed book's layout: exercise numbers, solutions, front matter.

Only the LaTeX build is changed; the HTML book is left as it is.

* **Exercise numbers as in the HTML.** sphinx-jupyterbook-latex turns the
  toc's captions into parts and sets ``numfig_secnum_depth`` to 2 (so that
  LaTeX numbers figures by chapter, not by part), so sphinx-exercise
  numbered exercises by section ("Exercise 5.6.1"). The HTML numbers them
  by chapter ("Exercise 5.1"); so does the PDF now.
* **Solutions at the end.** Printed notes must not give the answers away
  next to the questions. Every solution is moved to a chapter "Solutions
  to the exercises" before the bibliography, grouped by chapter in the
  book's order. Each exercise ends with a link to its solution's page,
  and each solution with the page of its exercise.
* **Front matter.** The introduction (the root page, whose title is the
  book's) gets a title, "Introduction", a line in the table of contents
  and its own running head instead of "CONTENTS".
* **Appendix unnumbered.** The appendix part's chapters are unnumbered in
  the HTML (its toc part is not ``numbered``), so they are in print too.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.builders.latex import LaTeXBuilder
from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

SOLUTIONS_TITLE = "Solutions to the exercises"
INTRO_TITLE = "Introduction"


def _latex(text: str) -> nodes.raw:
    return nodes.raw("", text, format="latex")


def _label(exercise_label: str) -> str:
    """The LaTeX label of the solution of an exercise."""
    return f"solution:{exercise_label}"


def number_exercises_by_chapter(app, env) -> list[str]:
    """Renumber the exercises of each chapter 1, 2, ... after the chapter's
    number, as in the HTML. sphinx-exercise reads its numbers from
    ``toc_fignumbers`` when it writes LaTeX; the figures, tables and
    equations keep LaTeX's own numbering."""
    if not isinstance(app.builder, LaTeXBuilder):
        return []
    for numbers in env.toc_fignumbers.values():
        exercises = numbers.get("exercise", {})
        ordered = sorted(exercises, key=exercises.get)
        for count, label in enumerate(ordered, start=1):
            exercises[label] = (exercises[label][0], count)
    return []


def _chapter_heading(env, docname: str) -> str:
    numbers = env.toc_secnumbers.get(docname, {}).get("")
    title = env.titles[docname].astext()
    if numbers:
        return f"Chapter {'.'.join(map(str, numbers))}: {title}"
    return title


def _keep_references_to(docname: str, tree) -> None:
    """Make the same-document references in ``tree`` name ``docname``.

    LaTeX writes a reference with a ``refid`` as a label of the file it
    is written in; moved to the solutions chapter, a solution's
    "Fig. 12.3" would point into that chapter and print "??". The
    writer's other form, ``refuri="%docname#id"``, names the file.
    """
    for ref in tree.findall(lambda n: isinstance(
            n, (nodes.reference, addnodes.number_reference))):
        if ref.get("refid"):
            ref["refuri"] = f"%{docname}#{ref['refid']}"
            del ref["refid"]


def _collect_solutions(app, doctree) -> None:
    env = app.env
    exercises = {node.get("label"): node
                 for node in doctree.findall(exercise_enumerable_node)}
    by_chapter: dict[str, list] = {}
    for node in list(doctree.findall(solution_node)):
        target = node["target_label"]
        exercise = exercises.get(target)
        if exercise is None:
            raise ValueError(f"solution {node['label']!r} in "
                             f"{node['docname']}: its exercise {target!r} "
                             "is not an enumerated exercise of the book")
        label = _label(target)
        # Kept on the page of the exercise's last line: alone, it would be
        # an orphan at the top of the next page.
        exercise += _latex(r"\nopagebreak[4]")
        exercise += nodes.paragraph(
            "", "", _latex(rf"\hyperref[{label}]{{Solution on "
                           rf"page~\pageref*{{{label}}}}}."))
        node.parent.remove(node)
        _keep_references_to(node["docname"], node)
        node += _latex(r"\nopagebreak[4]")
        node += nodes.paragraph(
            "", "", _latex(rf"\hyperref[exercise:{target}]{{The exercise is "
                           rf"on page~\pageref*{{exercise:{target}}}}}."))
        # The label goes in the box's title: placed before the box, it
        # could be left at the foot of the page before.
        node.next_node(nodes.title).append(
            _latex(rf"\phantomsection\label{{{label}}}"))
        by_chapter.setdefault(node["docname"], []).append(node)
    if not by_chapter:
        return

    chapter = nodes.section("", nodes.title("", SOLUTIONS_TITLE),
                            ids=["solutions-to-the-exercises"])
    chapter += nodes.paragraph(
        "", "Each solution is titled with the number of its exercise, "
        "chapter by chapter. Try the exercise before you read it.")
    files = [node for node in doctree.findall(addnodes.start_of_file)
             if node.get("docname") in env.found_docs]
    for docname in [node["docname"] for node in files]:
        if docname not in by_chapter:
            continue
        section = nodes.section("", nodes.title(
            "", _chapter_heading(env, docname)))
        for solution in by_chapter[docname]:
            section += solution
        chapter += section

    # The solutions chapter goes right before the last chapter of the
    # book (the bibliography), in the same part.
    files[-1].insert(0, chapter)


def _front_and_appendix(app, doctree) -> None:
    root = app.config.root_doc
    intro = _latex(
        rf"\chapter*{{{INTRO_TITLE}}}"
        rf"\addcontentsline{{toc}}{{chapter}}{{{INTRO_TITLE}}}"
        rf"\markboth{{{INTRO_TITLE.upper()}}}{{{INTRO_TITLE.upper()}}}")
    # The root document's content starts with the first paragraph after
    # the title that sphinx-jupyterbook-latex dropped.
    top = next(node for node in doctree.findall(nodes.section)
               if node.get("docname") == root)
    first = next((i for i, child in enumerate(top.children)
                  if not isinstance(child, (nodes.title, nodes.target))),
                 0)
    top.insert(first, intro)

    # Parts are the start_of_file nodes sphinx-jupyterbook-latex made for
    # the toc's captions; their docname is the caption.
    env = app.env
    parts = [node for node in doctree.findall(addnodes.start_of_file)
             if node.get("docname") not in env.found_docs]
    unnumbered = False
    for part in parts:
        chapters = [node["docname"] for node
                    in part.findall(addnodes.start_of_file)
                    if node.get("docname") in env.found_docs]
        numbered = any(env.toc_secnumbers.get(name) for name in chapters)
        if numbered and unnumbered:
            raise ValueError(f"part {part['docname']!r} is numbered but "
                             "follows an unnumbered part: the PDF cannot "
                             "number it (put unnumbered parts last)")
        if not numbered and not unnumbered:
            unnumbered = True
            title = part.next_node(nodes.title)
            title.parent.insert(title.parent.index(title) + 1,
                                _latex(r"\setcounter{secnumdepth}{-1}"))


def print_layout(app, doctree, docname: str) -> None:
    if not isinstance(app.builder, LaTeXBuilder):
        return
    if docname != app.config.root_doc:
        return
    _collect_solutions(app, doctree)
    _front_and_appendix(app, doctree)


def setup(app):
    # After Sphinx's toctree collector has assigned the numbers, on the
    # same event.
    app.connect("env-get-updated", number_exercises_by_chapter,
                priority=900)
    app.connect("doctree-resolved", print_layout)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
