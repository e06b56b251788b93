"""One citation style for the text and the list: author and year.

The text cites in sphinxcontrib-bibtex's ``author_year`` style,
"[Karpathy and Stanford CS231n course staff, 2016]". pybtex's default list
style, ``alpha``, labelled the same entry "[KStanfordCS231ncstaff16]" and
lowercased its title. The style ``book`` registered here labels each entry
exactly as the text cites it (two authors joined by "and", three or more
as "First et al.", then the year), and keeps the titles' capitals.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import field, sentence


def _last_names(person) -> str:
    return " ".join(part.strip("{}") for part in person.last_names)


class AuthorYearLabels(BaseLabelStyle):
    """Labels "A, 2016", "A and B, 2016", "A et al., 2016"; "2016a"... on
    a tie."""

    def format_label(self, entry) -> str:
        persons = entry.persons.get("author") or entry.persons.get("editor")
        names = [_last_names(person) for person in persons or []]
        if not names:
            raise ValueError(f"bibliography entry {entry.key!r} has no "
                             "author or editor to label it by")
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who}, {entry.fields['year']}"

    def format_labels(self, sorted_entries):
        labels = [self.format_label(entry) for entry in sorted_entries]
        count = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]


class BookStyle(UnsrtStyle):
    """pybtex's ``unsrt`` list, sorted by author, labelled by author and
    year, with titles as written in the .bib file."""

    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"

    def format_title(self, e, which_field, as_sentence=True):
        title = field(which_field)
        return sentence[title] if as_sentence else title


register_plugin("pybtex.style.formatting", "book", BookStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
