"""Professionals a patient does not want: "pero no con la Dra. Soto", "con cualquiera menos Rojas", "que no sea la
doctora Soto", "no quiero que me atienda Soto", "con Soto no", "anyone but Dr. Soto", "not with Dr. Soto".

Read from the normalized message (lower case, no accents, no punctuation) before "con" is read as who is wanted, so
"no con la Dra. Soto" never names her as the one wanted. Only words of the clinic's professionals' names count: "menos
el lunes", "sin apuro" or "no puedo con el dolor" rule nobody out.
"""

from __future__ import annotations

import re

from relay.conversation.menus import TITLES

# Between a negation and the name: the verb and its little words ("no quiero que me atienda la", "i don t want to see")
_VERB = frozenset(
    """
    quiero quisiera queria deseo preferiria prefiero queremos me nos que atienda atiendan atiende vea vean ve ir ser
    sea atendido atendida atendidos atenderme verme gusta gusto gustaria gustaron toque toca otra vez mas
    i don t do want wanna to see be seen by
    """.split()
)
_NEGATION = frozenset("no ni nunca jamas not never nor dont".split())
# Words that rule out whoever is named next, on their own ("cualquiera menos Soto", "anyone but Dr. Soto")
_EXCEPT = frozenset("menos excepto salvo sin except but excluding besides".split())
# Before or between names: articles, titles, "con"
_LEAD_INS = frozenset("el la los las al lo a the an con with por dr dra doctor doctora".split()) | TITLES
_JOINERS = frozenset("y o e u ni and or nor".split())
# What may follow "con Soto no" for the "no" to be about Soto ("con la Dra. Soto no, gracias")
_AFTER_NO = frozenset("quiero gracias porfa por favor pero mejor please thanks thank otra otro".split())
_TITLE_OF = {"doctor": "dr", "doctora": "dra"}


def answers_no(punctuated: str) -> tuple[str, ...]:
    """For each "no" of the message with its punctuation kept, the mark that follows it ("" for none): after one it
    is an answer ("no, con la Dra. Soto" wants her), not a negation of what follows ("no con la Dra. Soto"); "?" asks
    ("¿puede ser con Rojas, no?" wants him)."""
    return tuple(_NO.findall(punctuated))


_NO = re.compile(r"\bno\b\s*([,.;:!?]?)")


def not_wanted(text: str, names: frozenset[str], answers: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...], str]:
    """``text`` without the phrases that rule professionals out, the name words they rule out, and the title said
    with them ("dra": "no con la doctora Soto" is Dra. Soto, not Dr. Soto); ``(text, (), "")`` when none does.

    ``answers``: ``answers_no`` of the message, the n-th for the n-th "no" of ``text`` (when the counts differ, every
    "no" is taken as followed by a mark if one was)."""
    words = text.split()
    if not names or not set(words) & names:
        return text, (), ""
    nos = [at for at, word in enumerate(words) if word == "no"]
    if len(answers) == len(nos):
        marks = dict(zip(nos, answers, strict=True))
    else:
        marks = dict.fromkeys(nos, max(answers, default=""))
    kept: list[str] = []
    ruled_out: list[str] = []
    title = ""
    i = 0
    while i < len(words):
        start = i if marks.get(i) else _after_negation(words, i)
        if start > i:
            end, found, said_title = _names(words, start, names)
            if found:
                ruled_out += found
                title = title or said_title
                i = end
                continue
        if words[i] in ("con", "with"):  # "con la Dra. Soto no", "con Soto no, gracias"
            end, found, said_title = _names(words, i + 1, names)
            if found and end < len(words) and words[end] == "no" and (
                (end + 1 == len(words) or marks.get(end) or words[end + 1] in _AFTER_NO) and marks.get(end) != "?"
            ):
                ruled_out += found
                title = title or said_title
                i = end + 1
                continue
        kept.append(words[i])
        i += 1
    if not ruled_out:
        return text, (), ""
    return " ".join(kept), tuple(dict.fromkeys(ruled_out)), title


def _after_negation(words: list[str], i: int) -> int:
    """Where a name may start after the negation at ``i`` ("no con", "que no sea", "menos"); ``i`` when none."""
    word = words[i]
    if word in _EXCEPT:
        return i + 1
    if word in _NEGATION or (word == "don" and words[i + 1: i + 2] == ["t"]):  # "I don't want Dr. Soto"
        j = i + 1
        while j < len(words) and words[j] in _VERB:
            j += 1
        return j
    return i


def _names(words: list[str], start: int, names: frozenset[str]) -> tuple[int, list[str], str]:
    """The professionals' name words from ``start`` ("la dra soto ni rojas": soto, rojas), where they end, and the
    title said before the first; nothing when the first word after the articles and titles is not a name."""
    found: list[str] = []
    title = ""
    end = start
    joined = True  # before the first name, or after "y" / "ni": articles and titles may come
    j = start
    while j < len(words):
        word = words[j]
        if word in names:
            found.append(word)
            end = j + 1
        elif found and word in _JOINERS:
            joined = True
        elif word in _LEAD_INS and (joined or not found):
            if not found and word in ("dr", "dra", "doctor", "doctora"):
                title = _TITLE_OF.get(word, word)
        else:
            break  # "no con Soto con Lagos": Lagos is the one wanted
        if word in names:
            joined = False
        j += 1
    return end, found, title
