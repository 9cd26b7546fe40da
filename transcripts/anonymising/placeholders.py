"""Consistent placeholders across all the texts (turns) of one transcript.

The scanner numbers names within one text only. A transcript is scanned turn by turn,
so the numbers must be assigned again over all turns together:

1. every finding has a key (`placeholder_key`): the same person has the same key however
   they are written ("Anna-Karin", "Ström", "Ströms" and "Anna-Karin Ström" for a speaker);
2. a lone first name or surname that is not a speaker's is merged with the one full name
   in the transcript that contains it ("Lisa" with "Lisa Berg"), but not when several
   full names contain it (two Annas stay apart);
3. each person then gets "[namn 1]", "[namn 2]", ... in order of first appearance, other
   categories their fixed placeholder ("[kommun]", "[telefonnummer]", ...).

`fixed` keeps placeholders a reviewer has already chosen ("[namn 3]" for a key, or
"[brukare]"); new numbers skip the ones in use. Call `plan_placeholders` again after the
reviewer rejects findings to close the gaps.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from transcripts.anonymising.findings import Finding, placeholder_for, placeholder_key

_NAME_NUMBER_RE = re.compile(r"\[namn (\d+)\]")


@dataclass(frozen=True)
class PlaceholderPlan:
    """The placeholders of one transcript.

    `placeholders` maps each canonical key to its placeholder; `aliases` maps every key
    seen (and every key in `fixed`) to its canonical key. For "replace everywhere", group
    findings by `canonical_key`.
    """

    placeholders: Mapping[str, str]
    aliases: Mapping[str, str]

    def canonical_key(self, finding: Finding) -> str:
        key = placeholder_key(finding)
        return self.aliases.get(key, key)

    def placeholder_for(self, finding: Finding) -> str:
        """The transcript-wide placeholder of a finding (its own one if the plan lacks it)."""
        return self.placeholders.get(self.canonical_key(finding), finding.placeholder)

    def keys_of(self, canonical: str) -> list[str]:
        """Every key that maps to `canonical`: what "replace everywhere" should search for."""
        return [key for key, target in self.aliases.items() if target == canonical]

    def apply(self, findings_per_text: Iterable[Sequence[Finding]]) -> list[list[Finding]]:
        """The same findings with transcript-wide placeholders, and `key` set to the
        canonical key so that later grouping needs no plan."""
        return [
            [dataclasses.replace(f, placeholder=self.placeholder_for(f), key=self.canonical_key(f)) for f in findings]
            for findings in findings_per_text
        ]


def _name_aliases(keys: Iterable[str]) -> dict[str, str]:
    """Lone name keys that belong to exactly one full name: {"namn:lisa": "namn:lisa berg"}."""
    keys = list(keys)
    full_by_word: dict[str, set[str]] = {}
    for key in keys:
        words = key.removeprefix("namn:").split(" ")
        if key.startswith("namn:") and len(words) > 1:
            for word in words:
                full_by_word.setdefault(word, set()).add(key)
    aliases = {}
    for key in keys:
        word = key.removeprefix("namn:")
        if key.startswith("namn:") and " " not in word:
            owners = full_by_word.get(word, set())
            if len(owners) == 1:
                aliases[key] = next(iter(owners))
    return aliases


def plan_placeholders(
    findings_per_text: Iterable[Sequence[Finding]],
    *,
    fixed: Mapping[str, str] | None = None,
) -> PlaceholderPlan:
    """Plan placeholders for the findings of several texts, in text order.

    `findings_per_text` is one sequence of findings per text (per turn), in the order the
    texts appear in the transcript. `fixed` maps keys to placeholders already decided.
    """
    fixed = dict(fixed or {})
    order: list[str] = []
    category: dict[str, str] = {}
    for findings in findings_per_text:
        for finding in sorted(findings, key=lambda f: f.start):
            key = placeholder_key(finding)
            if key not in category:
                category[key] = finding.category
                order.append(key)
    aliases = {key: key for key in order}
    aliases.update(_name_aliases(order))
    for key in fixed:
        aliases.setdefault(key, key)

    used = {int(m.group(1)) for value in fixed.values() if (m := _NAME_NUMBER_RE.fullmatch(value))}
    placeholders: dict[str, str] = {aliases[key]: value for key, value in fixed.items()}
    number = 0
    for key in order:
        canonical = aliases[key]
        if canonical in placeholders:
            continue
        if category[canonical] == "namn":
            number += 1
            while number in used:
                number += 1
            placeholders[canonical] = placeholder_for("namn", number)
        else:
            placeholders[canonical] = placeholder_for(category[canonical])
    return PlaceholderPlan(placeholders=placeholders, aliases=aliases)


def assign_placeholders(
    findings_per_text: Iterable[Sequence[Finding]],
    *,
    fixed: Mapping[str, str] | None = None,
) -> list[list[Finding]]:
    """Findings of several texts with consistent placeholders (see `plan_placeholders`)."""
    texts = [list(findings) for findings in findings_per_text]
    return plan_placeholders(texts, fixed=fixed).apply(texts)
