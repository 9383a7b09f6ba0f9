"""A rule the course states, as data: its sentence, where it holds, how torch checks it, where it is taught."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .runs import RuleRun
from .scope import Scope

NOTEBOOKS = {
    "00": "00_start_here.ipynb",
    "01": "01_output_vs_h_n.ipynb",
    "02": "02_layers.ipynb",
    "03": "03_bidirectional.ipynb",
    "04": "04_lstm_cell_state.ipynb",
    "05": "05_batch_first_and_unbatched.ipynb",
    "06": "06_variable_lengths.ipynb",
    "07": "07_inside_the_cell.ipynb",
    "08": "08_using_the_states.ipynb",
    "09": "09_cheat_sheet.ipynb",
}


@dataclass(frozen=True)
class Section:
    """A numbered section of a notebook: `## {number}. {title}`."""

    notebook: str  # "01"
    number: int
    title: str

    @property
    def file(self) -> str:
        return NOTEBOOKS[self.notebook]

    @property
    def heading(self) -> str:
        return f"## {self.number}. {self.title}"

    def link(self) -> str:
        """A markdown link from one notebook to this section's notebook, naming the section."""
        return f"[{self.notebook} §{self.number}]({self.file})"


@dataclass(frozen=True)
class Rule:
    """One sentence about what the modules return, with its scope and its check against torch.

    requires: where the sentence means something (a backward state needs two directions).
    scope: where it is true. Every dimension on which scope is narrower than requires is a
    restriction, and the property test finds a configuration just outside it where check fails.
    """

    id: str
    claim: str  # markdown, without its scope; the sentence adds the scope's words in front
    check: Callable[[RuleRun], bool]  # True when the rule holds on this run
    section: Section  # where the course teaches and checks it
    topic: str  # the cheat sheet's heading for it
    summaries: tuple[str, ...]  # the notebooks whose summary states it
    requires: Scope = Scope()
    scope: Scope = Scope()

    @property
    def where(self) -> Scope:
        """Every configuration the sentence speaks of and is true for."""
        return self.scope.within(self.requires)

    @property
    def restrictions(self) -> tuple[str, ...]:
        """The dimensions the scope narrows, each proven needed by the property test."""
        return self.where.narrower(self.requires)

    @property
    def scope_words(self) -> str:
        """'One layer, one direction, not packed', or '' when the rule holds for everything it speaks of."""
        words = ", ".join(self.where.words())
        return words[:1].upper() + words[1:]

    @property
    def sentence(self) -> str:
        """What a learner reads: the scope in italics, then the claim."""
        return f"*{self.scope_words}:* {self.claim}" if self.scope_words else self.claim
