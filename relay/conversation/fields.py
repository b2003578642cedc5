"""Patient fields a clinic's web app requires beyond name and phone: read, checked and normalized, as pure code.

The driver declares which it needs (``SlotsResult.patient_fields``: ``email``, ``national_id``, ``birth_date``);
the conversation asks for each one missing after the patient confirmed a time, and re-asks with the reason when
an answer does not check out. Each check returns the value as it goes on the wire, or the texts key of the
reason (relay/conversation/texts.py). The values are personal data: ``masked`` is how a log may show one.

- e-mail: one address, as the wire accepts it (``wire.messages``); the domain in lower case.
- national ID: a Chilean RUT (its check digit), a Spanish DNI/NIE (its letter), an Argentine DNI (7-8 digits), or
  otherwise 5-20 letters and digits. The format says which: "12.345.678-5" is a RUT, "12345678Z" a DNI.
- birth date: "15/03/1985", "15-3-85", "1985-03-15", "15 de marzo de 1985", "March 15, 1985"; day first unless
  the second number cannot be a month. In the past, and at most 120 years ago.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from relay.conversation.freetext import MONTHS, normalize
from relay.conversation.intents import FOR_WHOSE, INSURER, OURS, RELATIVE
from relay.conversation.menus import fold
from relay.conversation.typos import correct
from wire.messages import _EMAIL_RE, PATIENT_FIELDS

MAX_AGE_YEARS = 120

_MONTHS = MONTHS  # the reader's month words (relay.conversation.freetext), in Spanish and English
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


@dataclass(frozen=True)
class Checked:
    value: str = ""  # as it goes on the wire; "" when it does not check out
    problem: str = ""  # the texts key saying why


def check(field: str, text: str, today: date) -> Checked:
    """The patient's answer for ``field`` (one of PATIENT_FIELDS, or the name of the person the appointment is for)."""
    if field == "patient_name":
        return check_person_name(text)
    if field == "email":
        return check_email(text)
    if field == "national_id":
        return check_national_id(text)
    if field == "birth_date":
        return check_birth_date(text, today)
    raise ValueError(f"unknown patient field {field!r} (known: {', '.join(PATIENT_FIELDS)})")


# Whole answers that are courtesy or assent, never a name ("muy bien", "por supuesto", "buena onda")
_NOT_A_NAME_PHRASES = frozenset(
    """
    muy bien|tal vez|muy amable|super bien|buena onda|okey dokey|oki doki|por supuesto|si por supuesto|asi es|buena idea
    |buen dia|buenos dias|buenas tardes|buenas noches|saludos cordiales|esa misma|mas rato|da igual|un momento
    |nos vemos|of course|sounds good|seguro que si|sin problema|tal cual|muchas gracias|mil gracias|que bien
    |esta bien|todo bien|de acuerdo|me parece|no se|ni idea|ya veremos|claro que si|esa no|ese no|no esa|no ese
    |chao|bye|ok chao|gracias chao|chao gracias|another time|no esa no|esa no no|no ese no
    """.replace("\n", "").split("|")
)


def not_a_name(text: str) -> bool:
    """An answer to «¿A nombre de quién…?» that is courtesy or assent ("por supuesto", "muy bien"), not a name."""
    return " ".join(normalize(text).split()) in {p.strip() for p in _NOT_A_NAME_PHRASES}


def _a_day_or_time(text: str) -> bool:
    """"A las once", "en la tarde", "este viernes", "pasado mañana": a few words of a day or time (in a sentence a
    name may come with its day: "para Tomás Vega el viernes")."""
    if any(A_NAME_WRITTEN.fullmatch(piece.strip(" .!")) for piece in re.split(r"[,;]", text)):
        return False  # "José Temprano", "Rosa Sábado", "Tomás Vega, el viernes": a name, written as one
    said = " ".join(normalize(text).split())
    return len(said.split()) <= 4 and _WHEN_WORDS.search(said) is not None


# A person's full name as written: two to four capitalised words ("María José Rojas", "Tomás de la Fuente")
A_NAME_WRITTEN = re.compile(r"[A-ZÁÉÍÓÚÑ][\wáéíóúñü'-]+(?:\s+(?:de|del|de la|[A-ZÁÉÍÓÚÑ][\wáéíóúñü'-]+)){1,3}")


# Words of a day or a time, never of a name ("Domingo" is one: only "el/este domingo" is the day)
_WHEN_WORDS = re.compile(
    r"\b(?:a las?|a eso de|hoy|manana|pasado|en la (?:tarde|manana|noche)|tarde|noche|temprano|mediodia|semana"
    r"|(?:el|este|esta|proximo|otro) (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)"
    r"|lunes|martes|miercoles|jueves|viernes|sabado|at (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|noon)|tomorrow|today|tonight|afternoon|morning|evening|monday|tuesday|wednesday|thursday|friday"
    r"|saturday)\b"
)


def check_person_name(text: str) -> Checked:
    """A person's name for the appointment: 2 to 80 characters of letters (any script), spaces, "-", "'" and ".".
    What is said around it goes: "sí, es para mi hijo Tomás Vega, tiene 8 años" is "Tomás Vega", "mejor a nombre de
    mi señora Paula Díaz" is "Paula Díaz". A sentence that still holds words no name has keeps only the one run of
    capitalised words in it ("ahora la de Diego Morales"); with none, or two ("Camila Fuentes y él Diego Morales"),
    it is not a name: asked again, never stored. Of pieces split by commas, the one that is a name is taken ("ya te
    dije, Hernán Pérez", "buenas tardes, Sofía Vega"), never a greeting or a filler."""
    if not_a_name(text) or _a_day_or_time(text):
        return Checked(problem="invalid_patient_name")
    text = _INVISIBLE.sub("", text)  # zero-width joiners and marks pasted from another app: "Mar\u200bia" is María
    text = _EMOJI.sub(" ", text)  # "Tomás Pérez 😊", "Tom Lee 👍": the name around it
    text = _ID_OR_PHONE.sub(" ", text)  # "Tomás Vega 12.345.678-5", "Tomás Vega +56 9 8765 4321": the name alone
    name = _after_lead_in(" ".join(text.split()).strip(" .,;:"))
    pieces = [p for p in re.split(r"\s*[,;(]\s*", name) if p.strip(" .,;:!)")]
    if len(pieces) > 1:  # "ya te dije, Hernán Pérez", "Tomás Vega, tiene 8 años": the piece that is a name
        named = [checked for checked in map(_one_name, map(_after_lead_in, pieces)) if checked.value]
        if len(named) > 1:  # "Camila Fuentes, Diego Morales": two people, one appointment each
            return Checked(problem="one_person_name")
        if named:
            return named[0]
    return _one_name(name)


_ID_OR_PHONE = re.compile(r"(?<![\w])(?:rut|dni|ci|fono|tel\w*|cel\w*)?\s*:?\s*\+?\d[\d .\-]{5,}[\dkK](?![\w])",
                          re.IGNORECASE)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u20E3]+")


def _after_lead_in(name: str) -> str:
    folded = fold(name)
    said = _AROUND_A_NAME.match(folded) if len(folded) == len(name) else None  # accents off, same places
    return name[said.end():] if said else name


def without_closing_words(text: str) -> str:
    """``text`` without the "porfa", "gracias", "nada más" a name may be followed by ("Juan Pérez, Gracias")."""
    folded = fold(text)
    closing = _AFTER_A_NAME.search(folded) if len(folded) == len(text) else None  # accents off, same places
    return text[: closing.start()] if closing else text


def only_a_name(text: str, name: str) -> bool:
    """The message is the name and what may go around one, nothing else: "perdón, es María Colmenares", "no, María
    Colmenares", "el nombre es María Colmenares, gracias" (never "perdón, es la sede de Las Condes")."""
    folded, named = fold(text), fold(name)
    at = folded.find(named)
    if at < 0:
        return False
    before, after = folded[:at].strip(" ,.!:;"), folded[at + len(named):].strip(" ,.!")
    return (not before or _AROUND_A_NAME.fullmatch(f"{before} ") is not None) and (
        not after or _AFTER_A_NAME.fullmatch(f" {after}") is not None)


def _one_name(name: str) -> Checked:
    """``check_person_name`` of one piece of the answer (no commas left to split at)."""
    name = name.strip(" .,;:!)")
    folded = fold(name)
    after = _AFTER_A_NAME.search(folded) if len(folded) == len(name) else None  # "Rosa Díaz no más", "… porfa"
    name = name[: after.start()].strip(" .,;:!") if after else name
    words = fold(name).split()
    if set(words) & _NEVER_A_NAME or (words and words[0] in _NOT_A_NAME):
        name = _capitalised_run(name)
        words = fold(name).split()
    letters_only = all(c.isalpha() or c in " -'." for c in name) and any(c.isalpha() for c in name)
    not_a_name = not words or words[0] in _NOT_A_NAME or set(words) <= _NOT_A_NAME or bool(set(words) & _NEVER_A_NAME)
    not_a_name = not_a_name or set(words) <= _ONLY_WHEN
    not_a_name = not_a_name or any(_REQUEST_WORD.fullmatch(w) for w in words) or set(words) <= _PARTICLES
    written = name.split()  # ("María de los Ángeles Soto": "de los" inside a name are its particles)
    not_a_name = not_a_name or any(fold(w) in _NOT_A_NAME_IN_LOWER_CASE or correct(fold(w)) in _A_REQUEST_MISSPELT
                                   for n, w in enumerate(written) if not w.istitle()
                                   and not (fold(w) in _PARTICLES and 0 < n < len(written) - 1))  # ("kambiar ora")
    not_a_name = not_a_name or names_an_insurer(name) or any(_CONTRACTION.fullmatch(fold(w)) for w in name.split())
    if not 2 <= len(name) <= 80 or not letters_only or len(words) < 2 or not_a_name:
        return Checked(problem="invalid_patient_name")  # "sí", "ella", "jaja", "mi hijo": a first name and surname
    if any(re.fullmatch(r"(?:ja|je|ji|ha|he|ks|lo)+l?", w) for w in words):
        return Checked(problem="invalid_patient_name")
    both = re.split(r"\s+(?:y|e|and)\s+", name)
    if len(both) == 2 and len(both[1].split()) >= 2:  # "Sofía Muñoz y Tomás Muñoz", "Sofía y Antonia Morales"
        return Checked(problem="one_person_name")
    return Checked(name_cased(name))


def name_cased(name: str) -> str:
    """A name as the clinic's agenda should hold it: as written when it has capitals (but not only capitals), else
    each word capitalised (after "'" and "-" too: "O'Higgins", "María-José"), the particles inside left small
    ("Sofía de la Fuente")."""
    if not any(c.isalpha() for c in name) or any(c.isupper() for c in name) and not name.isupper():
        return name  # as the patient wrote it ("TOMÁS VEGA", all capitals, is cased as "Tomás Vega")
    words = name.lower().split()
    return " ".join(w if n and w in _PARTICLES else _capitalised_word(w) for n, w in enumerate(words))


def _capitalised_word(word: str) -> str:
    return re.sub(r"(^|['’-])([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), word)


def _capitalised_run(sentence: str) -> str:
    """The one run of two or more capitalised words (particles inside allowed) in a sentence; "" if none or several."""
    runs = [m.group(0).strip() for m in _CAPITALISED_RUN.finditer(sentence)]
    runs = [r for r in runs if len(r.split()) >= 2 and not set(fold(r).split()) & _NEVER_A_NAME
            and not names_an_insurer(r)]
    return runs[0] if len(runs) == 1 else ""


_NAME_WORD = r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
_CAPITALISED_RUN = re.compile(
    rf"(?<![^\W\d_])(?=[A-ZÁÉÍÓÚÑÜ])(?:{_NAME_WORD})(?:\s+(?:(?:de|del|la|las|los|da|do|dos|van|von|di|y)\s+)*"
    rf"(?=[A-ZÁÉÍÓÚÑÜ]){_NAME_WORD})+"
)


# A health insurer or the word for one, never a person's name: "Isapre Colmena", "Fonasa", "Cruz Blanca"
_AN_INSURER = re.compile(rf"\b{INSURER}\b")


def names_an_insurer(text: str) -> bool:
    """"Isapre Colmena", "Fonasa tramo B", "Nueva Masvida": words of a health insurer (a patient's previsión)."""
    return _AN_INSURER.search(fold(text)) is not None


def without_insurer(text: str) -> str:
    """The answer without the insurer said beside the name: "Tomás Pérez (Banmédica)", "Tomás Pérez, fonasa", "Tomás
    Pérez - Isapre Colmena" are "Tomás Pérez"; "" when a question about one is in it ("Tomás Pérez, ¿aceptan
    Fonasa?": asked, never dropped)."""
    pieces = [p for p in re.split(r"\s*[,;()/]\s*|\s+-\s+", text) if p.strip(" .!")]
    if "?" in text or _ASKS_IF_TAKEN.search(fold(text)):
        return ""
    kept = [p for p in pieces if not names_an_insurer(p)]
    if not kept and len(pieces) == 1:  # "Tomás Pérez Fonasa", "Tomás Pérez con Fonasa": the words before the insurer
        words = text.split()
        starts = (n for n, word in enumerate(words) if names_an_insurer(word) or names_an_insurer(
            " ".join(words[n:n + 2])) and not names_an_insurer(" ".join(words[n + 1:n + 2])))  # "Cruz Blanca"
        kept = [" ".join(words[:next(starts, 0)])]
    return _TRAILING_LINK.sub("", ", ".join(kept))  # "Tomás Pérez y Fonasa": never "Tomás Pérez y"


_TRAILING_LINK = re.compile(r"(?:\s+(?:y|e|con|de|del|por|tiene|tengo|es|and|with|via))+\s*$", re.IGNORECASE)


_ASKS_IF_TAKEN = re.compile(r"\b(?:aceptan|atienden|cubre|cubren|toman|trabajan con|sirve|accept|take)\b")


# Before the name: a yes, "es para mi hijo", "se llama", "a nombre de", "ponle", "mejor" (as many as the patient
# strings together).
_AROUND_A_NAME = re.compile(
    r"^(?:(?:si+|ok(?:ay)?|dale|ya|claro|perfecto|bueno|pero|mejor|entonces|ahora|yes|sure|y|o sea|oye"
    r"|no+|perdon|perdona|perdone|disculpa|disculpe|sorry|ups|oops|me equivoque|me confundi)\b[\s,.!]*"
    r"|(?:pon(?:le|la|lo)?|anot(?:a|ala|alo|ale)|reserv(?:a|ala|alo|ale)|agend(?:a|ala|alo|ale)|dej(?:ala|alo|ale)"
    r"|put(?: it)?|book(?: it)?)\b[\s,:]*"
    rf"|(?:(?:es|son|it'?s|is)\s+)?(?:para|pa|for)\s+{FOR_WHOSE}\s+{RELATIVE}\b[\s,:]*"
    rf"|(?:de\s+|a\s+)?{OURS}\s+{RELATIVE}\b[\s,:]*"
    r"|(?:que\s+)?(?:se llama|es|era|a nombre de|al nombre de|a nombre|para|its|it's|name is|her name is"
    r"|his name is|(?:con el|bajo el|en el|en) nombre de|in the name of|under(?: the name(?: of)?)?)\s+"
    r"|(?:nombre|name)\s*:\s*"
    r"|(?:quien (?:va|viene|se atiende|se atendera|asiste|ira)|the one coming)\s+(?:es|sera|is)\s+"
    r"|(?:el|la|su|the)\s+(?:nombre|paciente|name|persona|patient|person)(?:\s+correcto|\s+real)?"
    r"\s+(?:es|era|is|sera|will be)\s+"
    r"|(?:don|dona|sr|sra|srta|senor|senora|senorita|mr|mrs|ms)\.?\s+)+"
)
# After the name: "no más", "porfa", "gracias", "nada más", "solamente" (as many as the patient strings together).
_AFTER_A_NAME = re.compile(
    r"(?:[\s,.!]+(?:no mas|nomas|nada mas|no mas que eso|porfa(?:vor)?|por favor|gracias|please|thanks|thank you"
    r"|solamente|po|pues|pls|plis|xfa|x fa|por fa))+[\s.!]*$"
)
# Words no name has: "pero es para mi mamá" is not a name.
_NEVER_A_NAME = frozenset(
    """
    para pero porque que tiene anos quiero necesito hora horas cita gracias porfa favor hijo hija mama papa esposo
    esposa marido abuelo abuela for is needs mejor ahora ponle ponla pon anota anotala reserva reservala agenda
    agendala nombre llamo llama llaman soy tambien otra otro entonces bueno oye cambia cambiala era sera seria
    mi tu su el ella yo nosotros please name hola buenas buenos tardes dias noches dije dijo dicho disculpe disculpa
    demora oiga ver tiro doctora doctor dra dr con te le como estaba esta deja dejala dejalo
    primero primera luego despues first then mine me start ningun ninguna problema perfecto listo
    perdon perdona perdone disculpa disculpe sorry estoy estamos estan estar muy
    hello hi hey there everyone our nuestro nuestra his her
    that thats this all nothing else everything anything something what which
    """.split()
)
# Words of a refusal, a request or a "wait" that a name may still be ("Rob Keep", "Jesús Cambiar", "Segundo Rivas",
# "Doris Day"): not a name when one of them is not written as a name ("No, keep it", "never mind", "sacar número",
# "thank you", "ALLÁ NOS VEMOS", "un segundo", "espera un poco", "one sec", "not sure"; "uy no", "mmm sí", "pues
# no", "hell no", "wrong button": an answer or a slip, never a name)
_NOT_A_NAME_IN_LOWER_CASE = frozenset(
    """
    eso esto anula anular anulala cambiar sacar numero quedo quede vemos ahi estare estaremos adios thank thanks
    you keep it never mind actually another cancel appointment get want need book supuesto una
    un unos unas a al ese esa este aun todavia nada algo hoy manana despues luego tarde temprano dia dias hora horas
    segundo segundito momento momentito minuto minutito rato ratito poco espera esperame espere esperen esperar dame
    deme voy vamos va puedo puede podemos pueden tengo tiene tienes tiempo pregunto preguntar preguntare aviso digo
    confirmo ver veo se sabe
    one sec second moment minute wait hold hang on just not yet sure same as before good night ask know idea right
    now later time day that what when i the let check please ok okay bye see soon
    cuanto cuando antes ustedes usted puedan pueda puedas queria quisiera pedir turno turnos cualquier cualquiera
    medico medica hablar ni vez tal pensarlo pensar dejame quizas capaz posible pronto siguiente disponible libre
    sirve acomoda genial bacan excelente obvio claro vale sale tinca gustaria alguna alguno semana mes lo las los q
    earliest possible soonest available next slot slots show appointments yeah yep yup perfect fine great sounds
    ahead go course of maybe hmm obviously might but with works whenever any anytime asap tomorrow afternoon morning
    evening tonight today cool lovely brilliant awesome definitely certainly absolutely alright better earlier
    tomorow afternon recien nacido nacida bebe guagua
    my mi mis calendar calendario agenda schedule diary checking revisando viendo
    no si uy uff ay mmm mm pues ps pos neta ah oh eh ups oops hell nuh uh okie dokie fo sho todo bien wrong button
    mean guess way prefiero mantenerla mantenerlo
    """.split()
)
# A day and a part of it, whatever their capitals ("Monday Morning", "Lunes En La Mañana"): never a name
_ONLY_WHEN = frozenset(
    """
    lunes martes miercoles jueves viernes sabado domingo monday tuesday wednesday thursday friday saturday sunday
    manana tarde noche mediodia morning afternoon evening night noon next proximo proxima this este esta en la el de
    del por a at in on the tomorrow today hoy las y media cuarto quarter past half to oclock around tipo como
    one two three four five six seven eight nine ten eleven twelve una dos tres cuatro cinco seis siete ocho nueve
    diez once doce
    """.split()
)
# "i'll ask", "I don't know", "can't right now": a contraction, never a name (never "O'Neil", "D'Angelo" either)
_CONTRACTION = re.compile(r"[a-z]+['’](?:ll|t|m|re|ve|d)")
# Request words a lower-case word is a misspelling of ("kambiar", "nesecito", "reserbar"): not a name. Never words a
# name is as near to ("horario": Horacio, "quiero": Quero; days and months: surnames)
_A_REQUEST_MISSPELT = frozenset(
    "cambiar cambiarla cancelar cancelarla cancelarlo necesito reservar agendar reagendar reprogramar".split()
)
# Words of a request, never of a name: "cancela la hora", "cansela la ora", "quedo agendada", "¿está confirmada?"
_REQUEST_WORD = re.compile(r"(?:cancel|cansel|agend|reserv|confirm)\w*")

_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "do", "dos", "van", "von", "di"})


# Words that are not a person's name: yes/no, pronouns, kin and fillers a patient may answer with.
_NOT_A_NAME = frozenset(
    """
    si no ok okay dale ya yo el ella ellos ellas mi mis su sus tu hijo hija mama papa madre padre esposo esposa
    marido senora senor abuelo abuela nombre apellido the my his her name yes me son daughter mother father wife
    husband de la del i
    """.split()
)


def check_email(text: str) -> Checked:
    addresses = list(_EMAIL_IN_A_SENTENCE.finditer(text))  # "mi correo es ana@correo.cl", "ana@correo.cl gracias!"
    if len(addresses) == 1 and _LEAD_IN.search(normalize(text[: addresses[0].start()])):
        text = addresses[0].group(0)  # (never "perez@gmail.com" of "ana perez@gmail.com")
    elif not addresses and _NO_EMAIL.search(normalize(text)):  # "no tengo correo": none to give
        return Checked(problem="no_email")
    candidate = text.strip().strip("<>.,;:()[]\"'").strip()
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[7:]
    if len(candidate) > 254 or not _EMAIL_RE.match(candidate):
        return Checked(problem="invalid_email")
    local, domain = candidate.rsplit("@", 1)
    return Checked(f"{local}@{domain.lower()}")


_EMAIL_IN_A_SENTENCE = re.compile(r"[^\s<>()\[\],;:\"'¿?¡!]+@[^\s<>()\[\],;:\"'¿?¡!]+\.[A-Za-z]{2,}")
_LEAD_IN = re.compile(r"(?:^|\b(?:es|is|seria|correo|mail|email|e mail|electronico|address)):?$")
_NO_EMAIL = re.compile(r"\b(?:no (?:tengo|tiene|uso|ocupo)|sin) (?:correo|mail|email|e mail)\b"
                       r"|\b(?:don t|do not) (?:have|use) (?:an? )?(?:e ?mail)\b|\bno (?:e ?mail)\b")


def check_national_id(text: str) -> Checked:
    if _A_DATE.search(text):  # "15.03.1985" at the document question: a date, never stored as a number
        return Checked(problem="invalid_national_id")
    text = text.translate(_DASHES)  # "12.345.678–5", "12.345.678/5": the check digit's dash, however typed
    said = [m.group(0) for m in _ID_IN_A_SENTENCE.finditer(text)]  # "mi rut es 12.345.678-5.": the number said
    if len({re.sub(r"[\s.-]", "", s).upper() for s in said}) > 1:  # "el mío es … y el de él …": whose?
        return Checked(problem="one_national_id")
    text = said[0] if said else text
    separated = bool(re.search(r"[\s.-][\dkK]\s*$", text.strip()))  # "12.345.678 9": a check digit set apart
    compact = re.sub(r"[\s.]", "", text.strip()).upper()
    compact = re.sub(r"^(RUT|RUN|DNI|NIE|CI|ID|N[ºO°]?)[:#]?", "", compact)
    rut = re.fullmatch(r"(\d{7,8})-?([\dK])", compact)
    spanish = re.fullmatch(r"([XYZ]?)(\d{7,8})-?([A-Z])", compact)
    if spanish and len(spanish.group(1) + spanish.group(2)) != 8:
        spanish = None
    if spanish:
        prefix, digits, letter = spanish.groups()
        number = int(str("XYZ".index(prefix)) + digits if prefix else digits)
        if _DNI_LETTERS[number % 23] == letter:
            return Checked(f"{prefix}{digits}{letter}")
    if rut and _rut_ok(*rut.groups()):
        return Checked(f"{int(rut.group(1))}-{rut.group(2)}")
    if rut and ("-" in compact or separated):
        return Checked(problem="invalid_rut")
    if spanish:
        return Checked(problem="invalid_dni_letter")
    if re.fullmatch(r"\d{7,8}", compact):  # an Argentine DNI
        return Checked(compact)
    if len(text.split()) > 1 and not said:  # a sentence with no document number in it: never stored as one
        return Checked(problem="invalid_national_id")
    generic = re.sub(r"-", "", compact)
    if re.fullmatch(r"[A-Z0-9]{5,20}", generic) and any(c.isdigit() for c in generic):
        return Checked(generic)
    return Checked(problem="invalid_national_id")


# A document number inside a sentence: a RUT (with its dots, dash or a space before its check digit), a DNI or NIE
_ID_IN_A_SENTENCE = re.compile(
    r"(?<![\w.-])(?:\d{1,2}\.\d{3}\.\d{3}\s*-?\s*[\dkK]|\d{7,8}\s*-\s*[\dkK]|[XYZxyz]?\d{7,8}\s*-?\s*[A-Za-z])"
    r"(?![\w-])(?!\.\w)"
)
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-", "/": "-"})
_A_DATE = re.compile(r"(?<!\d)\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?!\d)")


def _rut_ok(body: str, digit: str) -> bool:
    total, factor = 0, 2
    for c in reversed(body):
        total += int(c) * factor
        factor = 2 if factor == 7 else factor + 1
    expected = 11 - total % 11
    return digit == {11: "0", 10: "K"}.get(expected, str(expected))


def check_birth_date(text: str, today: date) -> Checked:
    day = read_date(text, today)
    if day is None:
        return Checked(problem="invalid_birth_date")
    if day >= today:
        return Checked(problem="birth_date_future")
    if today.year - day.year > MAX_AGE_YEARS:
        return Checked(problem="birth_date_too_old")
    return Checked(day.isoformat())


def read_date(text: str, today: date) -> date | None:
    """A typed calendar date, or None ("nací el 15 de marzo de 1985": what comes before the date goes)."""
    folded = _BORN_LEAD_IN.sub("", fold(text).lower().strip())
    words = re.sub(r"[,\s]+(de|del|of|the)(?=[,\s])", " ", f" {folded} ").strip()
    words = re.sub(r"(\d)(st|nd|rd|th|º|°)\b", r"\1", words)
    iso = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", words)
    if iso:
        return _date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    numeric = re.fullmatch(r"(\d{1,2})\s*[-/. ]\s*(\d{1,2})\s*[-/. ]\s*(\d{2}|\d{4})", words)
    if numeric:
        first, second, year = (int(g) for g in numeric.groups())
        if second > 12 >= first:  # "03/15/1985": month first
            first, second = second, first
        return _date(_year(year, numeric.group(3), today), second, first)
    tokens = re.findall(r"[a-z]+|\d+", words)
    months = [t for t in tokens if t in _MONTHS]
    numbers = [t for t in tokens if t.isdigit()]
    if len(months) == 1 and len(numbers) == 2 and len(tokens) == 3:
        day_text, year_text = (numbers if len(numbers[1]) in (2, 4) and len(numbers[0]) <= 2 else numbers[::-1])
        return _date(_year(int(year_text), year_text, today), _MONTHS[months[0]], int(day_text))
    return None


_BORN_LEAD_IN = re.compile(r"^(?:(?:(?:mi|el|la|su) \w+ )?(?:naci|nacio)(?: el)?"
                           r"|(?:mi |su )?fecha de nacimiento(?: es)?|es(?: el)?|el|"
                           r"(?:i was )?born(?: on)?|my (?:date of )?birth(?:day| date)? is|on|the)[\s:,]+")


def _year(year: int, written: str, today: date) -> int:
    if len(written) == 4:
        return year
    century = today.year // 100 * 100
    return century + year if century + year <= today.year else century - 100 + year


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def masked(value: str) -> str:
    """A patient field as a log may show it: its first character and length, never the value."""
    return f"{value[:1]}…({len(value)})" if value else ""
