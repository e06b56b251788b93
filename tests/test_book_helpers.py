"""scratchnet.book: the helpers the chapters' hidden cells use.

(The module is book.py; its tests are not named test_book.py because
tests/book/test_book.py, the book build's, has that name.)
"""

from __future__ import annotations

import pytest
from scratchnet.book import glue, run_solution

CHAPTER = """\
```{exercise}
:label: ex-a

Print twice x.
```

```{solution} ex-a
:class: dropdown

Multiply:

    y = 2 * x
    print(f"y = {y}")
    x = 0

It prints 6.
```

```{solution} ex-b
:class: dropdown

Nothing to run.
```
"""


def test_run_solution_runs_the_solutions_code_and_returns_its_print(
        tmp_path):
    """Bug caught: the code of another solution, or of the text around
    it, is run; or the chapter's variables are changed."""
    path = tmp_path / "chapter.md"
    path.write_text(CHAPTER)
    namespace = {"x": 3}
    assert run_solution(path, "ex-a", namespace) == "y = 6"
    assert namespace == {"x": 3}
    with pytest.raises(ValueError, match="label must name a solution.*'ex-c'"):
        run_solution(path, "ex-c", namespace)
    with pytest.raises(ValueError, match="'ex-b' holds no code block"):
        run_solution(path, "ex-b", namespace)


def test_glue_refuses_a_name_that_is_not_a_string():
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        glue(3, 1.0, display=False)
