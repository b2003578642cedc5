"""A name written in lower case, as patients type on a phone: "para mi hijo juan pérez", "pa mi mamá rosa gonzález".

Capitals say where a name starts; without them only the words can. A run of words counts as a name when it starts
with a common given name (``GIVEN_NAMES``: Spanish, Latin American, Portuguese and English, accents off) and goes on
with at least one more word that is no day, time, kin, filler or clinic word ("para mi hijo juan mañana" is no
name: "juan" alone is asked about in full later). Pure: the words in, the name as it goes on the wire out.
"""

from __future__ import annotations

import re

from relay.conversation.menus import fold

GIVEN_NAMES: frozenset[str] = frozenset(
    """
    adriana agustin agustina alan alba alberto alejandra alejandro alexis alfonso alfredo alicia alma alonso alvaro
    amanda amelia ana andrea andres angel angela angelica anita antonella antonia antonio ariel arturo aurora
    barbara beatriz belen benjamin bernardo blanca bruno camila camilo carla carlos carlota carmen carolina catalina
    cecilia celeste cesar claudia claudio clara constanza cristian cristina cristobal damian daniel daniela dante
    david diana diego dolores domingo dominga eduardo elena elias elisa eliana elizabeth emilia emiliano emilio
    emma enrique ernesto esteban estefania eugenia eva fabian fabiola facundo federico felipe fernanda fernando
    florencia francisca francisco gabriel gabriela gaspar gerardo german gloria gonzalo graciela gregorio guillermo
    gustavo hector helena hernan hugo ignacio ines irene isabel isabella isidora ivan jaime javier javiera jesus
    joaquin jorge jose josefa josefina juan juana julia julian juliana julieta julio karen karina laura leonardo
    leonor lidia liliana lorena lorenzo lucas lucia luciana luis luisa luz macarena magdalena manuel manuela
    marcela marcelo marco marcos margarita maria mariana mariano maribel marina mario marisol marta martin martina
    mateo matias mauricio maximiliano max maximo mercedes miguel milagros mirta monica nancy natalia nelson nicolas
    nicole noemi norma octavio olga oscar pablo paola patricia patricio paula paulina pedro pilar rafael ramiro
    ramon raquel raul rebeca renata ricardo roberto rocio rodrigo rosa rosario ruben ruth salvador samuel santiago
    sara sebastian sergio silvia simon sofia soledad sonia susana tamara teresa tomas tomasa valentin valentina
    valeria vanesa vicente victor victoria violeta ximena yolanda zoe
    joao joana thiago rafaela bianca leticia vitoria heloisa enzo davi
    john james robert michael william richard thomas mary linda susan sarah emily jessica ashley anna ann george
    peter paul mark steven kevin brian olivia sophia charlotte jack harry oliver noah liam ethan
    """.split()
)

# Words that end a name typed in lower case: what comes after it in a request, not a surname.
_AFTER_A_NAME = frozenset(
    """
    el la los las en a al con por para pa o u y que porque pero sin lo le les se si no ya muy mas
    lunes martes miercoles jueves viernes sabado domingo hoy manana tarde temprano noche proxima proximo semana mes
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
    hora horas cita citas control consulta revision chequeo urgente urgencia porfa porfavor favor gracias please
    tiene tengo esta estan anda anos ano meses mes dias dia quiere necesita puede
    dr dra doctor doctora doc centro clinica medicina pediatra pediatria dentista kine kinesiologo
    kinesiologia traumatologo traumatologia ginecologo ginecologia dermatologo dermatologia nutricionista
    psicologo psicologa oftalmologo cardiologo general
    hijo hija mama papa esposo esposa marido senora senor abuelo abuela hermano hermana
    the on at in for this next today tomorrow with please thanks
    """.split()
)
_PARTICLES = frozenset({"de", "del", "da", "do", "dos"})
_ARTICLES = frozenset({"la", "las", "los"})  # in a name only after a particle: "de la Fuente"
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_MOST_NAME_WORDS = 4


def lower_case_name_at(message: str, start: int) -> str:
    """The name that begins at ``message[start:]`` when it is written without capitals; "" when the words there
    are not a name. "juan pérez el viernes" -> "Juan Pérez"; "sofía de la fuente, tiene 8" -> "Sofía de la Fuente"."""
    clause = re.split(r"[,.;:!?\n()]", message[start:], maxsplit=1)[0]
    words = clause.split()
    if not words or fold(words[0]) not in GIVEN_NAMES:
        return ""
    taken: list[str] = []
    particles: list[str] = []
    for word in words:
        folded = fold(word)
        if not _WORD.fullmatch(word) or len(taken) == _MOST_NAME_WORDS:
            break
        if taken and (folded in _PARTICLES or (particles and folded in _ARTICLES)):
            particles.append(word.lower())  # "de la Fuente": kept only if a surname follows
            continue
        if folded in _AFTER_A_NAME:
            break
        taken.extend([*particles, word])
        particles = []
    if sum(fold(w) not in _PARTICLES | _ARTICLES for w in taken) < 2:
        return ""
    return " ".join(taken)  # as typed: ``fields.check_person_name`` gives it its capitals
