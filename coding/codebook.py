"""Codebook operations that span several rows: merge, delete, move a subtree.

Each runs in one transaction and records itself in the audit trail; bulk updates are
done here, next to their audit record, so that none escapes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Min

from transcripts import audit

from .models import Code, Coding, CodingChange, Note, Quote, ThemeCode


@dataclass(frozen=True)
class CodeUsage:
    codings: int
    coders: int
    themes: list[str]
    memos: int
    children: list[str]
    quotes: int

    @property
    def unused(self) -> bool:
        return not (self.codings or self.themes or self.memos or self.quotes)


def code_usage(code: Code) -> CodeUsage:
    stats = Coding.objects.filter(code=code).aggregate(n=Count("pk"), coders=Count("coder", distinct=True))
    return CodeUsage(
        codings=stats["n"],
        coders=stats["coders"],
        themes=list(ThemeCode.objects.filter(code=code).values_list("theme__name", flat=True)),
        memos=Note.objects.filter(code=code).count() + Coding.objects.filter(code=code).exclude(memo="").count(),
        children=list(code.children.values_list("name", flat=True)),
        quotes=Quote.objects.filter(coding__code=code).count(),
    )


def _log_transcripts(code_ids: list[int]) -> None:
    """Open transcript pages re-render the turns where these codes were applied."""
    spans = (Coding.objects.filter(code_id__in=code_ids).values("transcript_id")
             .annotate(first=Min("turn__position"), last=Max("turn__position")))
    CodingChange.objects.bulk_create([
        CodingChange(transcript_id=s["transcript_id"], first_turn=s["first"], last_turn=s["last"] + 50)
        for s in spans
    ])


@transaction.atomic
def merge_codes(*, source: Code, target: Code, user, request=None) -> dict[str, int]:
    """Moves every coding, theme link, memo and child code of `source` to `target`, then
    deletes `source`. Nothing is lost: a coding that would duplicate one already on the
    target (same coder, same span) is dropped only after its quotes moved to that twin.

    The source row is locked first, so a coder applying `source` at the same moment
    waits and then gets a clear error instead of a coding that silently disappears.
    """
    if source.pk == target.pk or source.study_id != target.study_id:
        raise ValueError("merge needs two different codes of one study")
    locked = {c.pk: c for c in Code.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
    if len(locked) != 2:
        raise ValueError("a code no longer exists")
    _log_transcripts([source.pk])
    twins = {
        (c.transcript_id, c.coder_id, c.start, c.end): c.pk
        for c in Coding.objects.filter(code=target).only("pk", "transcript_id", "coder_id", "start", "end")
    }
    duplicates: dict[int, int] = {}
    for coding in Coding.objects.filter(code=source).only("pk", "transcript_id", "coder_id", "start", "end"):
        twin = twins.get((coding.transcript_id, coding.coder_id, coding.start, coding.end))
        if twin is not None:
            duplicates[coding.pk] = twin
    for duplicate, twin in duplicates.items():
        taken = set(Quote.objects.filter(coding_id=twin).values_list("theme_id", flat=True))
        Quote.objects.filter(coding_id=duplicate).exclude(theme_id__in=taken).update(coding_id=twin)
        memo = Coding.objects.filter(pk=duplicate).values_list("memo", flat=True).first()
        if memo:
            twin_row = Coding.objects.get(pk=twin)
            twin_row.memo = f"{twin_row.memo}\n\n{memo}".strip()
            twin_row.save(update_fields=["memo"])
    Coding.objects.filter(pk__in=duplicates).delete()
    moved = Coding.objects.filter(code=source).update(code=target)
    linked = set(ThemeCode.objects.filter(code=target).values_list("theme_id", flat=True))
    ThemeCode.objects.filter(code=source).exclude(theme_id__in=linked).update(code=target)
    ThemeCode.objects.filter(code=source).delete()
    memo_authors = set(Note.objects.filter(code=target, kind=Note.Kind.CODE_MEMO).values_list("author_id", flat=True))
    for note in Note.objects.filter(code=source, kind=Note.Kind.CODE_MEMO):
        if note.author_id in memo_authors:
            existing = Note.objects.get(code=target, kind=Note.Kind.CODE_MEMO, author_id=note.author_id)
            existing.text = f"{existing.text}\n\n[{source.name}] {note.text}".strip()
            existing.save(update_fields=["text", "updated_at"])
            note.delete()
        else:
            note.code = target
            note.save(update_fields=["code"])
    Code.objects.filter(parent=source).update(parent=target if target.area_id == source.area_id else None,
                                              area=target.area_id)
    audit.record(request or user, "codes_merged", target, study_id=target.study_id,
                 detail={"source": source.pk, "moved": moved, "duplicates": len(duplicates)})
    source.delete()
    return {"moved": moved, "duplicates": len(duplicates)}


@transaction.atomic
def delete_code(*, code: Code, user, request=None) -> CodeUsage:
    """Deletes a code with its codings; its child codes move up to its parent."""
    code = Code.objects.select_for_update().get(pk=code.pk)
    usage = code_usage(code)
    _log_transcripts([code.pk])
    Code.objects.filter(parent=code).update(parent=code.parent_id)
    audit.record(request or user, "code_deleted", code, study_id=code.study_id,
                 detail={"codings": usage.codings, "themes": len(usage.themes)})
    code.delete()
    return usage


@transaction.atomic
def save_code(*, code: Code, changed: list[str], user, request=None) -> None:
    """Saves an edited code; moving it to another area moves its whole subtree along."""
    old_area = Code.objects.filter(pk=code.pk).values_list("area_id", flat=True).first()
    code.save()
    if old_area is not None and old_area != code.area_id:
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in Code.objects.filter(study_id=code.study_id).values_list("pk", "parent_id"):
            children[parent].append(pk)
        stack, subtree = list(children[code.pk]), []
        while stack:
            pk = stack.pop()
            subtree.append(pk)
            stack.extend(children[pk])
        Code.objects.filter(pk__in=subtree).update(area_id=code.area_id)
        _log_transcripts([code.pk, *subtree])
    elif "colour" in changed or "name" in changed:
        _log_transcripts([code.pk])
    audit.record(request or user, "code_changed", code, study_id=code.study_id, fields=changed)
