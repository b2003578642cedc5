"""Professionals a patient does not want: "pero no con la Dra. Soto", "con cualquiera menos Rojas", "que no sea la
doctora Soto", "no quiero que me atienda Soto", "con Soto no", "anyone but Dr. Soto", "not with Dr. Soto".

Read from the normalized message (lower case, no accents, no punctuation) before "con" is read as who is wanted, so
"no con la Dra. Soto" never names her as the one wanted. Only words of the clinic's professionals' names count: "menos
el lunes", "sin apuro" or "no puedo con el dolor" rule nobody out. What may mean the opposite is left alone (the
professional then stays wanted, as before): "no, con la Dra. Soto" (a correction to her), "no la Dra. Soto" (the same
without its comma), "¿por qué no con Soto?", "al menos la Dra. Soto", "con nadie que no sea Soto", "sin Soto no voy",
"no quiero ir con Soto el lunes" (the Monday ruled out, not her).
"""

from __future__ import annotations

import re
from functools import lru_cache

from relay.conversation.menus import TITLES

# Between "no" and what it is about: the verb and its little words ("no quiero ir", "no me quiero atender", "i don t
# want to see")
_VERB = frozenset(
    """
    quiero quisiera queria deseo preferiria prefiero queremos me nos ir volver atender atenderme atendido atendida ser
    seguir ver i don t do want wanna to go see be seen
    """.split()
)
# The professional as the subject of a wish ("no quiero que me atienda la Dra. Soto", "que no me toque Soto")
_SUBJUNCTIVE = frozenset("atienda atiendan vea vean toque gusta gusto gustaria".split())  # (+ "no me gusta Soto")
_PREPOSITION = frozenset("con with donde a al por by".split())
# Negations that rule out whom they name only with "con" before ("ni con Soto", never "ni Juan ni yo podemos")
_WITH_ONLY = frozenset("ni nunca jamas never nor".split())
# Words that rule out whom they name on their own ("cualquiera menos Soto", "excepto la Dra. Soto")
_EXCEPT = frozenset("menos excepto salvo except excluding avoid evitar".split())
_NOT_AN_EXCEPT_AFTER = frozenset("al lo mas o".split())  # "al menos", "por lo menos", "más o menos"
_ANYONE = frozenset("anyone anybody someone somebody everyone all any".split())  # "anyone but", "anyone other than"
_ASKING_WHY = frozenset("xq pq porque why".split())  # "¿por qué no con Soto?", "why not Dr. Soto?"
_NOBODY = frozenset("nadie ningun ninguna ninguno nobody no".split())  # "con nadie que no sea Soto": only her
_ARTICLES = frozenset("el la los las lo the an".split()) | TITLES
_JOINERS = frozenset("y o e u ni and or nor".split())
# What may follow "con Soto no" for the "no" to be about her ("con la Dra. Soto no, gracias"; never "con Soto no
# quiero esperar mucho")
_AFTER_NO = frozenset("gracias porfa please thanks".split())
_FLAT_NO = ("no", "nunca", "jamas", "never")  # "con Soto jamás"
# After a name, these rule it out wherever they stand: "no con Lagos, Soto tampoco, Rojas", "Soto menos" (never "Soto
# menos de una hora": see _flat_no_after)
_ALSO_NOT = ("tampoco", "either", "neither", "ninguno", "ninguna", "menos")
_STRONG_NO = (("ni", "loca"), ("ni", "loco"), ("ni", "cagando"), ("ni", "muerta"), ("ni", "muerto"),
              ("ni", "hablar"), ("ni", "de", "broma"), ("ni", "en", "pedo"), ("nunca", "mas"))
# "la Dra. Soto no me gustó[, quiero otro doctor]" (never "con Soto, no me gusta esperar": what follows decides)
_DISLIKED = (("no", "me", "gusto"), ("no", "me", "gusta"), ("no", "me", "cae", "bien"), ("no", "me", "cayo", "bien"))
_AFTER_DISLIKED = frozenset("quiero quisiera prefiero mejor otro otra otros asi entonces porfa gracias con".split())
# After the name, a day: what is ruled out is the day ("no quiero ir con Soto el lunes, mejor el martes")
_DAY_WORDS = frozenset(
    "lunes martes miercoles jueves viernes sabado domingo monday tuesday wednesday thursday friday saturday sunday"
    " manana hoy pasado tomorrow today semana week".split()
)
_TITLE_OF = {"doctor": "dr", "doctora": "dra"}


def answers_no(punctuated: str) -> tuple[str, ...]:
    """For each "no" of the message with its punctuation kept, the mark that follows it ("" for none): after one it
    is an answer ("no, con la Dra. Soto" wants her), not a negation of what follows ("no con la Dra. Soto"); "?" asks
    ("¿puede ser con Rojas, no?" wants him)."""
    return tuple(_NO.findall(punctuated))


_NO = re.compile(r"\bno\b\s*([,.;:!?]?)")


@lru_cache(maxsize=64)
def every_name_word(staff: frozenset[frozenset[str]]) -> frozenset[str]:
    """The words of all the professionals' names (``staff``: a set of words per professional)."""
    return frozenset().union(*staff)


def not_wanted(
    text: str, staff: frozenset[frozenset[str]], answers: tuple[str, ...] = (), said: str = ""
) -> tuple[str, tuple[str, ...], str]:
    """``text`` without the phrases that rule professionals out, the name words they rule out, and the title said
    with them ("dra": "no con la doctora Soto" is Dra. Soto, not Dr. Soto); ``(text, (), "")`` when none does.

    ``staff``: the words of each professional's name, a set per professional; ``said``: the message folded with its
    punctuation: another professional's name right after a comma is not in the list ruled out ("no con Lagos, Soto"
    wants Dra. Soto; "no con Lagos Soto", "ni Lagos ni Soto" rule out both).
    ``answers``: ``answers_no`` of the message, the n-th for the n-th "no" of ``text`` (when the counts differ, every
    "no" is taken as followed by a mark if one was)."""
    names = every_name_word(staff)
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
        start = -1 if marks.get(i) else _after_negation(words, i)
        if start > i:
            # (after "atienda"/"gusta" the name itself: "no me gusta, con Soto" wants her)
            end, found, said_title = _names(words, start, staff, words[start - 1] in _PREPOSITION | _SUBJUNCTIVE,
                                            said)
            if found and not _a_day_next(words, end):
                ruled_out += found
                title = title or said_title
                i = end
                continue
        end, found, said_title = _names(words, i, staff, False, said)
        if found and (i == 0 or words[i - 1] not in _NOBODY):
            after = _flat_no_after(words, end, marks)
            if after > end:  # "con la Dra. Soto no", "Soto no, gracias", "con Soto jamás"
                ruled_out += found
                title = title or said_title
                while kept and kept[-1] in _PREPOSITION | _ARTICLES:
                    kept.pop()
                i = after
                continue
        kept.append(words[i])
        i += 1
    if not ruled_out:
        return text, (), ""
    return " ".join(kept), tuple(dict.fromkeys(ruled_out)), title


def _after_negation(words: list[str], i: int) -> int:
    """Where a name may start after the negation at ``i`` ("no con", "que no sea", "menos"); -1 when none starts."""
    word = words[i]
    before = words[i - 1] if i else ""
    if word in _EXCEPT:
        return i + 1 if before not in _NOT_AN_EXCEPT_AFTER else -1
    if word == "but" and before in _ANYONE:  # "anyone but Dr. Soto"
        return i + 1
    if word == "other" and words[i + 1: i + 2] == ["than"]:  # "someone other than Soto"
        return i + 2
    if word in _WITH_ONLY:  # "ni con Soto", "nunca más con Soto"
        k = i + 2 if words[i + 1: i + 2] == ["mas"] else i + 1
        return k + 1 if words[k: k + 1] and words[k] in _PREPOSITION else -1
    if word == "no" and words[i + 1: i + 2] == ["sea"] and before == "que":  # "que no sea (con) Soto"
        if set(words[max(0, i - 7): i - 1]) & _NOBODY:  # "con nadie que no sea Soto", "no quiero otra que no sea…"
            return -1
        return i + 3 if words[i + 2: i + 3] == ["con"] else i + 2
    if word not in ("no", "not", "dont") and not (word == "don" and words[i + 1: i + 2] == ["t"]):
        return -1
    if before in _ASKING_WHY or (before == "que" and i > 1 and words[i - 2] in ("por", "y")):
        return -1
    j = i + 1
    while j < len(words) and (words[j] in _VERB or words[j: j + 2] == ["a", "ver"]):  # "no quiero volver a ver a…"
        j += 1
    if words[j: j + 1] == ["que"] and words[j + 1: j + 2] and words[j + 1] in ("me", "nos", *_SUBJUNCTIVE):
        j += 1  # "no quiero que me atienda…" (never "no, que con Soto": a correction to her)
    while j < len(words) and words[j] in ("me", "nos"):
        j += 1
    if j < len(words) and (words[j] in _PREPOSITION or words[j] in _SUBJUNCTIVE):
        return j + 1
    # "not Dr. Soto", "I don't want Dr. Soto", "una doctora, pero no Soto"; never "no Soto" alone ("no, Soto")
    return j if word in ("not", "don", "dont") or before in ("pero", "but") else -1


def _names(
    words: list[str], start: int, staff: frozenset[frozenset[str]], after_preposition: bool, said: str = ""
) -> tuple[int, list[str], str]:
    """The professionals' name words from ``start`` ("la dra soto ni con el dr lagos": soto, lagos), where they end,
    and the title said before the first; nothing when the first word after the articles and titles is not a name.
    One "con" at most before the first ("no con él, con la Dra. Soto" names nobody). Name words in a row without a
    "y" / "ni" between them go on only while they can be one professional's ("ana soto", never "lagos soto")."""
    found: list[str] = []
    title = ""
    end = start
    joined = True  # before the first name, or after "y" / "ni": articles, titles and "con" may come
    preposition = after_preposition
    whose: list[frozenset[str]] = []  # the professionals the name words since the last joiner can all be
    j = start
    while j < len(words):
        word = words[j]
        theirs = [person for person in staff if word in person]
        if theirs:
            if not joined:
                same = [person for person in whose if word in person]
                if not same and _after_a_comma(said, word):  # "no con Lagos, Soto": another, wanted
                    break
                theirs = same or theirs  # "no con Lagos Soto": both
            whose = theirs
            found.append(word)
            end = j + 1
            joined = False
        elif found and word in _JOINERS:
            joined, preposition = True, False
        elif joined and word in _ARTICLES:
            if not found and word in ("dr", "dra", "doctor", "doctora"):
                title = _TITLE_OF.get(word, word)
        elif joined and word in _PREPOSITION and not preposition:
            preposition = True
        else:
            break
        j += 1
    return end, found, title


def _after_a_comma(said: str, word: str) -> bool:
    """In the message as written, ``word`` follows a comma (a title or "con" may come between: ", la Dra. Soto")."""
    return bool(said) and re.search(rf"[,;]\s*(?:(?:la|el|con|dr|dra|doctor|doctora)\.?\s+)*{re.escape(word)}\b",
                                    said) is not None


def _a_day_next(words: list[str], end: int) -> bool:
    """A day right after the name: "no quiero ir con Soto el lunes" rules out the Monday, maybe not her."""
    following = words[end: end + 2]
    return bool(following) and (following[0] in _DAY_WORDS or (
        following[0] in ("el", "este", "on", "this") and len(following) > 1 and following[1] in _DAY_WORDS))


def _flat_no_after(words: list[str], end: int, marks: dict[int, str]) -> int:
    """Where a flat "no" right after a name ends ("Soto no", "con Soto jamás", "Soto ni loca"): at the message's end,
    before a comma or a stop, or a thanks; ``end`` when there is none (never "¿con Rojas, no?")."""
    for phrase in _STRONG_NO:
        if tuple(words[end: end + len(phrase)]) == phrase:
            return end + len(phrase)
    for phrase in _DISLIKED:
        after = end + len(phrase)
        if tuple(words[end: after]) == phrase and (after == len(words) or words[after] in _AFTER_DISLIKED):
            return after
    if end < len(words) and words[end] in _ALSO_NOT and words[end + 1: end + 2] not in (["de"], ["que"]):
        return end + 1
    if end >= len(words) or words[end] not in _FLAT_NO:
        return end
    mark = marks.get(end, "")
    if mark == "?":
        return end
    closed = end + 1 == len(words) or mark or words[end + 1] in _AFTER_NO or words[end + 1: end + 3] == ["por", "favor"]
    return end + 1 if closed else end
