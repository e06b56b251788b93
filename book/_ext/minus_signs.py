"""A glued negative number gets a minus sign, not a hyphen.

myst-nb formats a glued number with Python's ``format``, which writes a
negative one with the ASCII hyphen-minus ("-0.12"). In running text,
and in print, that reads as a hyphen. This transform replaces a hyphen
that starts a number, or an exponent ("1.2e-05"), in every pasted glue
value (``{glue:text}``) with the minus sign U+2212, in the HTML and in
the PDF alike.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# a hyphen that starts a number, or the exponent of "1.2e-05"
HYPHEN = re.compile(r"(?<![\w.])-(?=\.?\d)|(?<=\de)-(?=\d)")
MINUS = "\u2212"


def typeset(text: str) -> str:
    """``text`` with each hyphen that starts a number made a minus."""
    return HYPHEN.sub(MINUS, text)


class MinusSigns(SphinxPostTransform):
    default_priority = 900

    def run(self, **kwargs) -> None:
        for node in self.document.findall(nodes.inline):
            if "pasted-text" not in node.get("classes", []):
                continue
            for text in list(node.findall(nodes.Text)):
                new = typeset(str(text))
                if new != str(text):
                    text.parent.replace(text, nodes.Text(new))


def setup(app):
    app.add_post_transform(MinusSigns)
    return {"version": "1.0", "parallel_read_safe": True,
            "parallel_write_safe": True}
