"""What a patient wants, beyond a day and a time: the intent of a message and the wishes that go with it.

Pure regular expressions over a normalized message (lower case, no accents, typos already corrected). Intents:
``book``, ``cancel`` (an appointment), ``reschedule``, ``my_bookings``, ``person`` (talk to someone), ``stop``
(end this chat) and ``none`` (a greeting, or nothing the bot can act on). An answer to a yes/no question is
read apart (``answer``), as are "the earliest", "any time" and "any professional".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from relay.conversation.negation import names_a_day
from relay.conversation.specialties import find_specialty

INTENTS: tuple[str, ...] = ("book", "cancel", "reschedule", "my_bookings", "person", "stop", "none")

_NOUN = (  # "control": the everyday Chilean word for a follow-up visit ("cambiar mi control del lunes")
    r"(?:hora|horas|cita|citas|turno|turnos|reserva|reservas|consulta|atencion|appointment|appointments|booking"
    r"|bookings|visit|sesion|session|control|controles|agendamiento)"
)

# Verbs that ask for a new appointment after "cancela la del lunes y …": "pídeme una con kine", "agéndame otra".
_NEW_ONE_VERBS = (
    r"pideme|pidame|pidanme|pide|pida|pedir|pedirme|me pides|me pide|agenda|agende|agendar|agendarme|me agendas"
    r"|me agenda|reserva|reserve|reservar|reservarme|me reservas|me reserva|sacame|saqueme|saca|saque|sacar|sacarme"
    r"|me sacas|busca|buscame|busque|busqueme|me buscas|tomame|book|schedule|get me|find me"
)
_NEW_REQUEST = (  # what follows "cancela la del lunes y …" when a new one is asked for
    rf"(?:dame|deme|denme|ponme|pongame|pasame|agendame|reservame|me das|me da|quiero|necesito|give me|book me"
    rf"|put me|{_NEW_ONE_VERBS})"
)
# "adelántamela", "¿la puedo adelantar?": an appointment brought forward (never "más adelante", later)
BRINGING_FORWARD = r"adelant(?:a|en|ame|amela|amelo|ala|alo|ar|arla|arlo|arme|armela)"
# "déjala para el viernes", "ponla el lunes", "pónmela para el martes": the appointment spoken of, put on a day
_LEAVES_IT = r"\b(?:dej(?:a|e|en)|pon|ponga)(?:me|nos)?l[ao] (?:para|pa|pal|al|el)\b"
_RESCHEDULE = re.compile(
    r"\b(?:reagend\w*|reprogram\w*|posterg\w*|pospon\w*|aplaz\w*|reschedul\w*|resched\b|postpone\w*|re ?agendar"
    # "cancel and rebook", "I need to rebook": a move (never "only if I can rebook later": a condition)
    r"|(?:cancel\w* and|(?:need|want|d like|like) to) re ?book\b"
    r"|(?:cambiar|cambio|mover|muevan|correr|corran|adelantar|atrasar|pasar|pasen|pases)\w*"
    rf" (?:de |mi |la |el |una |mis )?{_NOUN}"
    r"|me (?:la|lo) (?:\w+ )?(?:mover|cambiar|correr|pasar|cambian|mueven|corren|pasan|cambias|cambies|pasas|mueves)\b"
    r"|(?:me )?(?:pasas|pasan|pasame|pasarme|muevas|mueves|moves|moveme|corres|corras)"
    rf" (?:de |mi |la |el |mis )?{_NOUN}"
    # "pasa mi hora al viernes", "córreme la cita", "adelanta mi hora" (never "pásame una hora": one asked for)
    r"|(?:pasa|pase|pasen|corre|corra|mueve|mueva|adelanta|adelante|atrasa|atrase|posterga|postergue)(?:me|nos)?"
    rf" (?:mi|mis|la|el|nuestra) {_NOUN}"
    rf"|(?:push|bring|move) (?:back |forward )?(?:my |the |our )?(?:\w+ )?{_NOUN}(?: back| forward)?"
    r"|(?:push|bring) (?:it|that|this) (?:back|forward)\b"  # "push my thursday appointment back", "push it back"
    # "¿y si mejor la cambio?", "¿se puede cambiar en vez de cancelar?", "can I move it instead of cancelling?"
    r"|(?:la|lo) (?:cambio|muevo|cambiamos|movemos|reagendo|reagendamos)\b"
    r"|(?:cambiar|mover|correr|reagendar)(?:la|lo)? en (?:vez|lugar) de (?:cancelar|anular)"
    r"|(?:change|move|reschedule) (?:it )?instead of cancel"
    r"|cambiar\w* (?:de |la |el )?(?:fecha|dia|horario)|cambiarla|cambiarlo|cambiar(?:me)?la|moverla|correrla"
    rf"|(?:change|move|switch|shift|swap|rearrange|rebook|delay) (?:my |the |our )?(?:\w+ )?{_NOUN}"
    r"|(?:change|move) it\b"
    # "can I change the day of my appointment?", "a different time for my appointment"
    rf"|(?:change|move|switch) the (?:day|date|time|hour) (?:of|for) (?:my|the|our) {_NOUN}"
    rf"|(?:different|other|new) (?:day|date|time) for (?:my|the|our) {_NOUN}"
    r"|another (?:day|time) for my"
    rf"|(?:otra|otro) (?:dia|fecha|hora|horario) para (?:mi|la) {_NOUN}"
    # "¿la puedes mover para el miércoles?", "¿se puede pasar al jueves?", "cambiar la del viernes", "pasarla"
    r"|(?:la|lo|me la|me lo) (?:puedes|puede|pueden|podrias|podria|podrian|puedo|podemos|podi|podis|pueda|pudiera"
    r"|podamos) (?:mover|cambiar|correr|pasar|adelantar|atrasar|postergar)\b"
    # "¿me la puedes dejar para el lunes 14 a las 11?", "déjamela para el viernes": the appointment, to that day
    r"|(?:la|lo|me la|me lo) (?:puedes|puede|pueden|podrias|podria|podrian|podi|podis) (?:dejar|poner) "
    r"(?:para|pa|pal|al)\b"
    # "déjamela para el viernes", "ponla el viernes", "cámbiame para el viernes": theirs, to that day
    rf"|{_LEAVES_IT}|\bcambia(?:me|nos|r|rme|rnos)? (?:para|pa|pal|al)\b"
    r"|(?:se|me) (?:puede|podria|pueden|podrian) (?:mover|cambiar|correr|pasar|adelantar|atrasar|postergar)"
    r" (?:para|al|a la|a el|pa)\b"
    r"|(?:cambiar|mover|correr|pasar|cambia|cambie|mueve|mueva|muevan|corre|corra|pasa|pase|pasen) (?:la|el)"
    r" (?:del|de la|de las|de el)\b"  # "mueve la del jueves al viernes", "pasa la de las 10 al lunes"
    r"|(?:change|move|switch|shift|reschedule) (?:my |our |the )?(?:monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|today|tomorrow) s\b"  # "move thursday's to friday"
    # "¿puedes cambiar la de mi hija para el viernes?", "cambia la de Lucas", "move my daughter's one to Friday"
    r"|(?:cambiar|cambia|cambie|cambies|cambias|mover|mueve|mueva|muevas|correr|corre|corra|pasar|pasa|pase"
    r"|adelantar|atrasar|postergar) (?:la|el|las|los) de\b"
    r"|(?:change|move|switch|shift|reschedule) (?:my |our |the )?\w+ s (?:one|appointment|booking)\b"
    # "cambiar la kine del lunes", "mover mi dentista del viernes": an appointment called by what it is, and its day
    r"|(?:cambiar|cambia|cambie|mover|mueve|mueva|correr|corre|corra) (?:la|el|mi) \w+ (?:del|de el) (?:lunes|martes"
    r"|miercoles|jueves|viernes|sabado|domingo)\b"
    rf"|(?:mover|cambiar|correr|pasar) (?:una|uno) de mis {_NOUN}"
    r"|(?:pasar|mover|correr|adelantar|atrasar|postergar)(?:la|lo|me la|me lo)\b"
    # "adelántamela si hay algo antes", "¿la puedo adelantar media hora?": bringing the one they have forward
    rf"|(?<!en ){BRINGING_FORWARD}\b"
    r"|(?:la|lo|me la|me lo) (?:cambiamos|movemos|corremos|pasamos|cambias|mueves|corres|pasas|cambian|mueven)\b"
    # "cámbiemela para mañana", "muévala al viernes", "cámbiamela", "pásemela al lunes" (usted and tú, with the pronoun)
    r"|(?:cambie|cambiemos|mueva|movamos|corra|corramos|pase|pasemos|adelante|atrase|postergue|reagende)(?:me|nos)?"
    r"(?:la|lo)s?\b"
    r"|(?:cambia|mueve|corre|pasa|adelanta|atrasa|posterga|reagenda)me(?:la|lo)s?\b"
    r"|(?:cambia|mueve|posterga|reagenda|pasa|corre)(?:la|lo)s?\b"
    # "muéveme la del jueves al viernes", "cámbiame la de las 10": one of theirs, by its day or time
    r"|(?:cambiame|cambieme|mueveme|muevame|pasame|paseme|correme|corrame) (?:la|el) (?:del|de la|de las|de el)\b"
    # "te dije que la quiero cambiar", "lo necesito mover": the one spoken of, with a wish before the verb
    r"|(?:la|lo|las|los) (?:quiero|queria|quisiera|necesito|debo|tengo que|tenia que) (?:cambiar|mover|correr|pasar"
    r"|reagendar|postergar|adelantar|atrasar)\b"
    # "me cambias la hora al viernes", "cámbiame la cita", "muévanme el turno": the appointment, by its name
    r"|(?:cambias|cambies|cambian|cambien|cambiame|cambieme|cambiarme|mueves|muevas|muevan|mueveme|muevame"
    rf"|muevanme)(?: de| mi| la| el| mis)? {_NOUN}\b"
    # "quiero cambiar la que tengo para el viernes", "mover la que agendé": the one they have
    r"|(?:cambiar|cambia|cambie|cambies|cambias|mover|mueve|mueva|muevas|correr|corre|corra|pasar|pasa|pase)(?:me)?"
    r" (?:la|el|lo) que (?:tengo|tenia|tenemos|agende|agendamos|reserve|reservamos|pedi|pedimos|saque|me dieron)\b"
    # "cancela la del lunes y dame la misma hora el martes": one out, another in
    rf"|(?:cancel|anul)\w*\b.*\b(?:y|e|and) (?:me )?{_NEW_REQUEST}\b)"
)
_CORRECTION = re.compile(
    r"\b(?:me equivoqu\w*|me confundi\w*|estaba equivocad\w*|por error|(?:fue|era) un error|me salio mal"
    r"|(?:i )?made a mistake|by mistake|booked the wrong)\b"
    r"|^no+\b.{0,30}\b(?:era|eran)\b"  # "noo!! el 5 era el miércoles 9": the one just booked was not the one meant
)


_CANCEL = re.compile(
    rf"\b(?:cancel\w*|anul\w*|desagend\w*|suspend\w*|dar de baja|(?:borr|elimin)\w* (?:el |mi |la )?{_NOUN}"
    rf"|borrar mi|eliminar mi|(?:remove|delete) (?:my |the |our )?(?:\w+ )?{_NOUN}"
    rf"|quit(?:a|ar|en|ame|enme)(?:la)? (?:mi |la |el )?{_NOUN}|sac(?:a|ar|en)me de la agenda"
    # "call off / scratch / drop my appointment", "cxl my appt", "take me off the list", "remove me from thursday"
    rf"|(?:call off|scratch|drop|kill|cxl) (?:my |the |our )?(?:\w+ )?(?:{_NOUN}|appt)"
    r"|take (?:me|us) off (?:the )?(?:list|schedule|diary|books)|remove (?:me|us) from)"
)
# "I can't make it": a cancellation when a conversation begins with it, a day that does not suit in the middle of one.
# "no llego el jueves", "no me da el tiempo", "no voy a estar": never "no llego tarde", "no me llegó el mensaje",
# "no me da el tiempo de leerlo" nor "no voy a estar tranquila" (also read by flow.py, at «¿Cancelo…?»)
NOT_GETTING_THERE = (
    r"(?:ya )?no (?:llego|llegamos|llegare|llegaremos)\b"
    r"(?! tarde| a tiempo| antes| hasta| despues| como| tipo| en \d| a \w+(?:ar|er|ir)\b)"  # "no llego antes de las 10"
    r"|no me (?:da|dara|alcanza|va a dar|va a alcanzar) (?:el )?tiempo\b"
    r"(?=\s*$|\s+(?:de|para) (?:ir|llegar|asistir)\b|\s+(?:el|este|ese|esta|la|manana|hoy|pasado|lunes|martes|miercoles"
    r"|jueves|viernes|sabado|domingo|y|pero|asi|entonces|porque|por)\b)"
    r"|(?:ya )?no (?:voy a estar|vamos a estar|estare|estaremos)\b"
    r"(?=\s*$|[\s,.!]+(?:ahi|alla|ese|el|este|esta|la|los|manana|hoy|pasado|lunes|martes|miercoles|jueves|viernes"
    r"|sabado|domingo|disponible|porque|pero|asi)\b)"
)
_CANT_GO = re.compile(
    r"\b(?:(?:ya )?no (?:voy a|vamos a|podre|podremos|puedo|podemos|alcanzo a) (?:poder |alcanzar a )?"
    r"(?:ir|asistir|llegar)"
    # "mi hijo no puede ir", "mis papás no van a poder asistir": the one whose appointment it is, said first (never
    # "¿no puede ir mi esposo en mi lugar?")
    r"|(?:mi|mis|nuestr[oa]s?|su|sus|el|ella|ellos|ellas) (?:\w+ ){0,3}?(?:ya )?no (?:puede|pueden|podra|podran"
    r"|va a poder|van a poder"
    r"|alcanza a) (?:ir|asistir|llegar)\b(?! (?:\w+ ){0,3}?(?:en (?:mi|su) lugar|por mi|por el|por ella))"
    r"|ya no (?:necesito|quiero) (?:la|mi) (?:hora|cita|turno)"
    # "no iré", "no asistiré", "no creo que pueda ir", "me enfermé, no voy" (never "sin la dra soto no voy")
    r"|(?:no (?:ire|asistire|iremos|asistiremos)|no creo que (?:pueda|podamos|alcance) (?:ir|asistir|llegar))\b"
    r"(?! (?:en|a las?|antes|despues|hasta|temprano|tarde)\b)"
    r"|(?:enferm[eoa]\w*|resfri\w*|engrip\w*|sick) (?:y |and )?no voy\b"
    rf"|{NOT_GETTING_THERE}"
    r"|can ?t make it|cannot make it|won ?t make it|can ?t come|cannot come|won ?t be able to (?:come|make it)"
    # "I won't be coming", "I'm not going to make it", "I can't attend", "I'll have to miss my appointment" (never
    # "…in the morning", "…before 3": a part of the day that does not suit)
    r"|(?:won ?t be coming|(?:not|never) (?:going to|gonna) (?:make it|come|be able to (?:come|make it))"
    r"|(?:can ?t|cannot|won ?t be able to|unable to) attend)(?! (?:in|at|before|after|until|till|by|early|late)\b)"
    r"|(?:have to|will|ll) miss (?:my|the|our) appointment"
    r"|(?:no longer|don ?t|won ?t) need (?:the|my|this) (?:appointment|booking)|no longer need it"
    # "I'm feeling better, no need for the appointment", "not coming thursday", "count me out", "desisto de la hora",
    # "ya no la voy a ocupar", "no la necesito"
    r"|no need for (?:the|my|this) (?:appointment|booking)"
    r"|(?:^|\b(?:i m|im|i am|we re|we are) )not coming\b(?! (?:in|at|before|after|until|early|late|with|alone|by)\b)"
    r"|count (?:me|us) out|desist\w* de (?:la|mi) (?:hora|cita|consulta|reserva)"
    r"|(?:ya )?no la (?:voy a (?:ocupar|usar|necesitar)|necesito|ocupo|uso)\b)"
)
# At «¿Cancelo tu hora…?», besides _CANT_GO: "no voy a poder", "no puedo ese día", "ya no la necesito"
_CANT_GO_THEN = re.compile(
    r"\b(?:no (?:voy a|vamos a) poder|no (?:puedo|podre|podemos) (?:ese|el|este) dia|no (?:puedo|podre) ir"
    r"|(?:ya )?no la (?:voy a )?necesit\w*|ya no (?:la )?(?:necesito|quiero)|no ire\b|no iremos\b"
    # "I don't want it anymore", "I don't need it" (never "I don't want it cancelled", "…moved")
    r"|(?:don ?t|do not|no longer) (?:want|need) it(?: anymore| any more)?\b"
    r"(?! (?:cancel\w*|to\b|gone|remov\w*|delet\w*|mov\w*|chang\w*|resched\w*)))"
)


# "no puedo ir el jueves": the day they cannot come, never one asked for — beside "cancela mi hora" a cancellation
# ("cancela mi hora, no puedo ir el jueves", "no puedo ir el jueves, cancélala"); "…, ¿puedo ir el lunes?" moves it
_NOT_ABLE = re.compile(r"\bno (?:puedo|podria|podemos|podriamos|puede|pueden|podra|podre|podremos)\b")


# Beside "no puedo ir": "¿se puede cambiar?", "¿la pueden mover?", "¿me la puedes correr?": a move, no day said
_MOVE_ASKED = re.compile(r"\b(?:se|la|lo|me la|me lo) (?:puede|podria|pueden|podrian|puedes|podrias|podemos|puedo"
                         r"|podre) (?:cambiar|mover|correr|pasar|postergar|reagendar|reprogramar)\b"
                         r"|\b(?:can|could) (?:it|that|this) be (?:change|move|reschedule)d?\b")
# "no puedo ir sola", "mi hija no puede ir sola, ¿puedo acompañarla?": how they come, never that they will not
_NOT_ALONE = re.compile(r"\b(?:ir|asistir|llegar) (?:sol[oa]s?|sin (?:compan\w*|acompan\w*|alguien)|en ayunas)\b"
                        r"|\b(?:come|go|make it) alone\b")


def comes_another_day(norm: str) -> bool:
    """ "¿Puedo ir el lunes?", "¿puede ser mañana?", "can I come monday?": a day asked for, to come then."""
    return _COME_ANOTHER_DAY.search(norm) is not None


def cannot_come(norm: str) -> bool:
    """ "No puedo ir", "no voy a poder", "ya no la necesito", "can't make it": the patient will not come."""
    return _CANT_GO.search(norm) is not None or _CANT_GO_THEN.search(norm) is not None


# An appointment said to still stand: a question about one the patient has, never a request for a new one.
_STILL_ON = (
    r"(?:sigue|siga|seguira|continua|esta|estara|queda|quedo|ya esta)\s+(?:todavia\s+|aun\s+|bien\s+)?"
    r"(?:en pie|vigente|valida|activa|confirm|agendad|reservad|registrad|anotad)"
)
# "necesito hora para el viernes", "quiero una cita el lunes": a new one asked for a day (beside "no puedo ir": a move)
_NEW_ONE_FOR = re.compile(r"\b(?:necesito|quiero|quisiera|dame|deme|me das|me da) (?:una )?(?:hora|cita|turno|consulta)"
                          r" (?:para|el)\b")
_OTHER_DAY = re.compile(r"\b(?:otro dia|otra fecha|otro horario|otra hora|another (?:day|time|date)"
                        r"|(?:any|some) other (?:day|time|date))\b")
# Coming on a day asked for: "¿puedo ir el lunes?", "¿puede ser el lunes?", "can I come monday instead?", "could we do
# tuesday", "what about next week" (beside "no puedo ir el jueves": a move there)
_WEEKDAY_OR_SOON = (r"(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|manana|pasado manana|monday|tuesday"
                    r"|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|(?:the )?following week"
                    r"|the week after(?! next)|(?:la )?(?:otra|proxima|siguiente) semana"
                    r"|(?:la )?semana (?:que viene|proxima|siguiente|entrante))")
_COME_ANOTHER_DAY = re.compile(
    r"\b(?:(?:puedo|podria|podemos|podriamos|puedes|podrias|puede|podra) (?:ir|venir|asistir|pasar|atenderme|agendar"
    r"|cambiarla|moverla|pasarla|dejarla)|(?:puede|podria|podra) ser|se puede|(?:tienen|tiene|hay) (?:algo|hora|horas"
    r"|cupo|disponib\w*)|(?:can|could|may) (?:i|we) (?:come|go|make it|do|have|get|book|switch|move|change)"
    r"|(?:can|could) (?:you|it be)|how about|what about|(?:is|are) (?:there|you open))"
    rf"(?: \w+){{0,3}}? (?:el |la |on |for |this |next |the |in )?{_WEEKDAY_OR_SOON}\b"
    # the day first: "…, la otra semana puede ser?", "…, el lunes se puede?", "…, next week maybe?" (never "el jueves
    # no puede ser")
    rf"|\b{_WEEKDAY_OR_SOON}(?: (?!no\b|tampoco\b|not\b|either\b)\w+){{0,4}}? (?:puede ser|podria ser|pudiera ser"
    r"|se puede|se podria|sirve|serviria|me sirve|te sirve|le sirve|esta bien|estaria bien|would work|works|maybe"
    r"|perhaps|instead|is that ok|possible)\b"
)
_LEAD_IN = r"(?:y |entonces |oye |hola )?"  # words before a short question
_MY_BOOKINGS = re.compile(
    rf"\b(?:mis {_NOUN}|(?:cuando|a que hora|que dia|que hora|cual) (?:es|era|tengo|tenia|quedo|queda) (?:mi|la|el)"
    rf" (?:proxim[oa] )?{_NOUN}|a que hora (?:tengo que|debo) (?:ir|venir|llegar)"
    rf"|(?:tengo|tenia|tendre) (?:alguna |una )?{_NOUN} (?:agendad|reservad|tomad|pendiente|para)\w*"
    rf"|(?:tengo|tenia) (?:alguna |una )?{_NOUN}(?: o no)?\s*$"
    # "¿tengo dos horas (agendadas)?": how many they have (never "tengo dos horas para almorzar": time free)
    rf"|(?:tengo|tenia) (?:dos|2|tres|3) {_NOUN}(?: (?:agendad|reservad|tomad|pendiente)\w*)?(?: o no)?\s*$"
    rf"|confirm\w* (?:mi|la|el) {_NOUN}|ver mi {_NOUN}|recordar mi {_NOUN}"
    # "¿me agendaron hora con el doctor?", "no me acuerdo si me dieron hora": whether someone booked one for them
    rf"|\b(?:me|nos|le) (?:agendaron|reservaron|dieron|tomaron|anotaron|agendaste|reservaste|diste)"
    rf" (?:la |una |mi |alguna )?{_NOUN}\b|\bsi me (?:agendaron|reservaron|dieron|anotaron)\b"
    rf"|(?:la|el|mi) {_NOUN} que (?:tengo|tenia|pedi|tome|agende|reserve)"
    rf"|(?:mi|la) {_NOUN} (?:es|era|quedo) (?:el|para|a)"
    # "¿quedó mi hora?", "¿mi hora quedó reservada?", "¿se reservó mi hora o no?": whether they have it, asked
    rf"|^{_LEAD_IN}(?:quedo|se (?:reservo|agendo|tomo)) (?:mi|la) {_NOUN}"
    rf"(?: (?:o no|reservad\w*|agendad\w*|lista|listo))?\s*$"
    rf"|^{_LEAD_IN}(?:mi|la) {_NOUN} (?:quedo|esta) (?:reservad|agendad|tomad|confirmad)\w*(?: o no)?\s*$"
    rf"|my (?:upcoming |next |existing )?{_NOUN}|when is my|do i have (?:an?|any) {_NOUN}|what time is my"
    # (never "let me check my calendar": their own diary, a wait)
    rf"|check my(?! (?:calendar|schedule|diary|agenda|planner|availability|work|shifts?)\b)|have i got an? {_NOUN}"
    r"|(?:cuando|que dia|a que hora) (?:\w+ )?(?:quede|quedo|estoy|estaba|estare) (?:agendad|reservad|anotad|citad)\w*"
    rf"|(?:tengo|tenia|tendre|do i have|have i got) (?:algun[oa]?s? |una |un |any |an? |anything |something )?"
    rf"(?:{_NOUN} )?(?:agendad|reservad|sacad|tomad|pendiente|confirmad|booked|scheduled|coming up)\w*"
    r"|when am i (?:booked|scheduled|coming|due|seeing)|what (?:day|time) am i (?:booked|scheduled|coming)"
    # "¿mi hora del martes a las 10 sigue en pie?", "¿sigue vigente mi cita?", "¿está confirmada la hora de mi hija?"
    rf"|{_NOUN}\b[^?.!]{{0,50}}?\b{_STILL_ON}|{_STILL_ON}\w*\s+(?:mi|la|el|su)\s+{_NOUN}"
    # "¿sigue en pie lo del miércoles?", "¿la del martes sigue vigente?" (the appointment named by its day alone)
    rf"|{_STILL_ON}\w*\s+(?:lo|la|el)\s+(?:del?|de la)\b|\b(?:lo|la|el)\s+(?:del?|de la)\s+[^?.!]{{0,30}}?{_STILL_ON}"
    # "¿tengo hora con el traumatólogo? no me acuerdo cuándo era", "quería saber si ya tengo hora"
    r"|(?:no (?:me )?(?:acuerdo|recuerdo)|se me olvido|olvide|i (?:forgot|don t remember|can t remember))"
    r" (?:de |bien )?(?:cuando|que dia|a que hora|la hora|la fecha|el dia|si (?:tengo|tenia)|when|what (?:day|time)"
    r"|if i have)"
    rf"|(?:saber|ver|revisar|confirmar|consultar|preguntar|averiguar) si (?:ya )?(?:tengo|tenia|quedo|quede)"
    rf" (?:alguna |una |mi )?{_NOUN}"
    rf"|(?:a que hora|que dia|cuando|para cuando) me toca|(?:que|cuales|cuantas|cuantos) {_NOUN} tengo"
    rf"|(?:what|which|how many) {_NOUN} (?:do|did) i (?:have|book)|(?:list|show)(?: me)? (?:all )?my {_NOUN}"
    rf"|recuerd\w* (?:\w+ ){{0,4}}(?:mi|mis|my) {_NOUN}|remind me (?:\w+ ){{0,4}}(?:my|the) {_NOUN})"
)
# "¿tengo hora con el dr rojas?", "tengo hora el viernes?" (the "?" is gone once normalized): an appointment the
# patient has, asked about — unless the message goes on to ask for one ("ya tengo hora con rojas, necesito otra").
# "confirmo mi asistencia", "ahí estaré el jueves", "I'll be there": the patient confirms they will come.
_ATTENDANCE = re.compile(
    r"\b(?:confirm\w* (?:mi |la |nuestra )?asistencia|(?:ahi|alli|aca|alla) (?:estare|estaremos|voy a estar|nos vemos)"
    r"|(?:estoy|estare|estaremos|voy a estar) (?:ahi|alli|aca|alla)\b"
    r"|i ?(?:ll| will) be there|confirm\w* (?:my |our )?attendance"
    # "gracias, nos vemos el jueves a las 9", "see you on friday": the day or time they believe they have
    r"|nos vemos (?:el|este|esta|hoy|manana|pasado|a las|a la|en la|the|on|at)\b|see you (?:on|at|tomorrow)\b"
    r"|\b(?:gracias|chao|chau|adios|bye|thanks)\b.{0,20}\bhasta (?:el|la|este|esta|manana|pasado)\b"
    # "confirmo la hora del miércoles", "quería confirmar mi hora", "confirmar que vamos a ir" (not "…si tengo hora")
    r"|confirm\w* (?:mi|la|el|mis|las|nuestra|nuestras|my|our|the) (?:hora|horas|cita|citas|consulta|turno|appointment)"
    r"|confirm\w* (?:que )?(?:voy|vamos|vas|va|iremos|ire|asistire|asistiremos|llegare|i ll come|we ll come)\b"
    r"|confirm\w* (?:la|el|las|los) (?:de|del)\b)\b"
)


# "no nada, solo eso gracias", "no, eso es todo", "solo quería saber": at a menu of choices, none is wanted
_NOTHING_ELSE = re.compile(
    r"^(?:(?:no+|mejor|ya) )?(?:nada(?: mas)?|no gracias|eso es todo|eso seria todo|eso era todo|solo eso|era solo eso"
    r"|era eso|solo (?:queria|quiero|necesitaba) (?:saber|confirmar|preguntar)|nothing(?: else)?|that s all"
    r"|(?:i )?just wanted to (?:know|confirm|check|ask)|no+|nop|nope|nah|ninguna|ninguno|none|neither"
    # "no por ahora", "not now", "no, later", "ninguna otra", "otro día te escribo": nothing now
    r"|por ahora(?: no| nada)?|nada por ahora|not (?:right )?now|not for now|maybe later|(?<=no )later"
    r"|ningun[ao] (?:otr[ao]|mas)|no other|(?:otro dia|mas tarde|despues|luego) te (?:escribo|aviso)"
    r"|te (?:escribo|aviso) (?:otro dia|despues|luego|mas tarde)|i ll (?:write|text|message) (?:you )?(?:later"
    r"|another day|tomorrow))"
    r"(?: (?:nomas|no mas|mas|gracias|muchas gracias|solo eso|eso|thanks|thank you|po|pues|nada mas))*$"
)


def nothing_else(norm: str) -> bool:
    return bool(_NOTHING_ELSE.match(norm))


def confirms_attendance(norm: str) -> bool:
    return bool(_ATTENDANCE.search(norm))


def without_attendance(norm: str) -> str:
    """The message with its "ahí estaré" (or "confirmo mi asistencia", "nos vemos el …") taken out."""
    return " ".join(_ATTENDANCE.sub(" ", norm).split())


def attendance_aside(norm: str) -> str | None:
    """What a message saying the patient will come says besides ("ahí estaré, pero ¿tengo que ir en ayunas?": "pero
    tengo que ir en ayunas"): the words left once the attendance, a yes, a day or time and courtesy are taken out;
    "" nothing else; None: no word of coming."""
    found = _ATTENDANCE.search(norm)
    if found is None:
        return None
    rest = f"{norm[: found.start()]} {norm[found.end():]}"
    return " ".join(w for w in rest.split() if w not in _ATTENDING_FILLERS and not w[:1].isdigit())


# Words around "ahí estaré" that add nothing: a yes, thanks, a day or time of the appointment proposed, "sin falta"
_ATTENDING_FILLERS = frozenset(
    """
    si sii sip ok okay oka okey dale ya claro perfecto listo bueno genial excelente super bacan buenisimo yes sure
    gracias muchas mil muchisimas thanks thank you ty entonces pues po nomas no mas sin falta puntual puntualmente
    el la las los a de del este esta hoy manana pasado lunes martes miercoles jueves viernes sabado domingo at on the
    then see you hrs hr horas am pm y e and nos vemos alli ahi
    """.split()
)


# "¿sigo teniendo la hora del martes, cierto?", "¿todavía tengo hora el lunes?": whether it still stands, asked
_STILL_HAVE = re.compile(rf"\b(?:sigo|seguimos|continuo) (?:teniendo|con) (?:la |mi |una |el )?{_NOUN}\b"
                         rf"|\b(?:todavia|aun) (?:tengo|tenemos) (?:la |mi |una |el )?{_NOUN}\b"
                         # "mañana voy igual, ¿está todo bien con mi hora?", "¿mi hora sigue bien?"
                         rf"|\btodo (?:bien|ok|en orden) con (?:mi|la|el) {_NOUN}\b"
                         rf"|\b(?:mi|la) {_NOUN} (?:esta|sigue|quedo) (?:bien|ok|en orden)\b")
_ASKS_STILL_ON = re.compile(rf"\b{_STILL_ON}|{_STILL_HAVE.pattern}")


def asks_if_still_on(norm: str) -> bool:
    """"¿Sigue en pie…?", "¿está confirmada…?": whether an appointment the patient has still stands."""
    return bool(_ASKS_STILL_ON.search(norm))


def asks_if_confirmed(folded: str) -> bool:
    """"¿Está confirmada?", "confirmada?", "¿me la confirmas?", "is it confirmed?": whether it is (or asking the bot to
    confirm), never a yes — at «¿Cancelo tu hora…?» it cancelled it. On the message as written, lower case without
    accents (``fold``): asked ("?"), or in words only a question uses ("me confirmas", "is it confirmed")."""
    return bool(_ASKS_TO_CONFIRM.search(folded)) or "?" in folded and bool(_ASKS_IF_CONFIRMED.search(folded.strip()))


_ASKS_TO_CONFIRM = re.compile(r"\b(?:me |nos )?(?:la |lo |las |los )?confi+rmas\b"
                              r"|\b(?:is|was) (?:it|that|this|my appointment) (?:still )?confirmed\b")


_ASKS_IF_CONFIRMED = re.compile(
    r"\b(?:esta|estan|sigue|siguen|queda|quedo|quedaria|es|fue|ya|seguro|segura) (?:confirmad|agendad|reservad)[ao]s?\b"
    r"|^[¿\s]*(?:ya )?(?:confirmad|agendad|reservad)[ao]s?\b"
    r"|\bconfirma(?:s|ria|rias)? (?:la|mi|tu) (?:hora|cita)\b"
    r"|\b(?:is|was|are|has) (?:it|that|this|my appointment|the appointment|everything|all)? ?(?:still |been |all )?"
    r"(?:confirmed|booked|set|on)\b|^[¿\s]*(?:confirmed|booked)\b"
)


def asks_if_cancelled(folded: str) -> bool:
    """"¿Se canceló la hora de mi hijo?", "¿quedó cancelada?", "¿me la cancelaron?", "was it cancelled?": whether an
    appointment was cancelled, asked (or said). Read on the message as written, lower case without accents (``fold``):
    the spelling pass makes "se canceló" and "se cancela" (a cancel asked for) the same words."""
    return "?" in folded and bool(_ASKS_IF_CANCELLED.search(folded)) and not _CANCEL_ASKED.search(folded)


_ASKS_IF_CANCELLED = re.compile(
    r"\bse (?:me |le |nos |les )?(?:cancelo|anulo|cancelaron|anularon)\b"
    r"|\b(?:fue|fueron|quedo|quedaron|esta|estan|ha sido|han sido) (?:cancelad|anulad)[ao]s?\b"
    r"|\b(?:cancelaron|cancelaste|anularon|anulaste)\b"
    r"|\b(?:was|is|has been|got|been) (?:it |that |my |the |his |her |our )?[\w' ]{0,30}?cancel+ed\b"
    r"|\bdid (?:you|they) cancel\b"
)
# A cancel asked for beside it ("¿se canceló? si no, cancélala", "my flight was cancelled, can you cancel it?"): not
# only a question (nor "se me canceló el viaje, cancela mi hora")
_CANCEL_ASKED = re.compile(
    r"\b(?:cancela|cancelala|cancelalo|cancelame|cancelen|cancelar|cancelarla|cancelarlo|anula|anulala|anular"
    r"|anularla|anulen|cancelas|anulas|quiero|quisiera|necesito|puedes|podrias|puede|podria|puedo|por favor|porfa"
    r"|si no|viaje|vuelo|please|possible|can you|could you|can i|keep|want|need|have it|if not"
    r"|cancel (?:it|my|the|that|this|\w+day))\b"
)


def asks_about_the_one_done(norm: str) -> bool:
    """Right after a booking: "¿a qué hora era?", "¿quedó?", "¿confirmado?", "¿con quién me tocó?", "what time was
    it?": how the appointment just booked stands (or "¿está confirmada?", "¿quedó agendada?": ``asks_if_still_on``)."""
    return bool(_ASKS_ABOUT_IT.search(norm)) or asks_if_still_on(norm)


_ASKS_ABOUT_IT = re.compile(
    r"\b(?:a )?que (?:hora|dia|fecha) (?:era|quedo|quedamos|quedaria|me (?:dieron|diste|dio|dejaste|toco|quedo"
    r"|agendaste|agendaron|reservaste|reservaron))\b"
    r"|\b(?:a que hora|que dia|cuando|para cuando|con quien) (?:es|era|seria|quedo) (?:mi|la) (?:hora|cita|consulta"
    r"|reserva)\b(?! (?:con|para|de) )"
    r"|^(?:y |entonces |ok |ya )?(?:a que hora|que dia|cuando|para cuando|con quien) (?:es|era|seria)$"
    r"|^(?:y |entonces |ok |ya )?con quien me (?:toca|atiendo|atiende)$"
    r"|\ba que hora (?:tengo|hay) que (?:llegar|estar)\b"
    r"|\b(?:para )?cuando (?:era|quedo|quedamos)\b"
    r"|\bcon quien (?:era|quedo|quedamos|me toco)\b"
    r"|\b(?:quedo|quedaria|esta|estaria) (?:la |mi )?(?:hora |cita |reserva )?"
    r"(?:agendad|reservad|confirmad|tomad|list)[oa]\b"
    r"|^(?:y |entonces |ya |ok |pero |oye |perdon )*(?:quedo|quedamos|confirmad[oa]|reservad[oa]|agendad[oa])"
    r"(?: entonces| cierto| verdad| po| ya)?$"
    r"|^(?:y |entonces |ya |ok |pero |oye |perdon )*(?:quedo|quedamos) (?:para|el|a las|con)\b"
    r"|\bse (?:agendo|reservo|confirmo|pudo (?:agendar|reservar))\b"
    r"|\bme (?:lo |la )?(?:puedes |podrias |puede |podria )?confirma[snr]?$"
    r"|\bwhat (?:time|day) was it\b|^(?:so )?(?:what time|what day|when) is it(?: again)?$"
    r"|^(?:so )?(?:who is it with|who s it with|who am i seeing)(?: again)?$|\bis it (?:confirmed|booked|done)\b"
    r"|^(?:so |and )?is it still (?:on|booked|happening)$"
    r"|\bwhat time (?:should|do|must) (?:i|we) (?:arrive|be there|get there|come)\b"
    r"|\bdid it go through\b|^(?:so )?(?:confirmed|booked)$"
)


_HAVE_ONE = re.compile(
    rf"\b(?:tengo|tenia|tendre|tenemos|tiene) (?:alguna |una |mi |la )?{_NOUN} (?:con|el|la|para el|para la|para el dia"
    r"|para manana|manana|hoy|pasado|este|esta|en la|a las)\b"
)
_ASKS_NEW = re.compile(
    r"\b(?:quiero|quisiera|necesito|necesitaria|otra|otro|pedir|agendar|reservar|sacar|tomar|dame|deme|hay|tienen"
    r"|tiene[ns]? (?:hora|horas|cupo|disponib)|puedo|podria|se puede|que (?:tengo|debo) (?:que )?(?:pedir|sacar))\b"
)
_PERSON = re.compile(
    r"\b(?:recepcion\w*|(?<!para )(?<!pa )(?:una|alguna|otra) persona|persona real"
    r"|hablar con (?:alguien|una persona|ustedes)"
    r"|humano|ejecutiv[oa]|operador\w*|secretari[ao]|(?:la|el|una|un) secre|asesor\w*|atencion al cliente"
    r"|llam(?:en|eme|enme|arme|ame|an)|(?:que|q) me llame|me llame (?:alguien|alguna|una|un|usted|ustedes)"
    r"|alguien (?:me|nos) (?:llame|contacte|escriba|atienda|responda)"
    # "que alguien de la clínica me llame", "que una persona me contacte"
    r"|(?:que|q) (?:\w+ ){1,5}(?:me|nos) (?:llame|llamen|contacte|contacten)\b"
    r"|llamarme|me (?:\w+ )?llamar|pas\w* con alguien|con alguien de|escribanme|que me escriban"
    r"|reception(?:ist)?|front desk|human|real person"
    r"|(?:talk|speak) (?:to|with) (?:someone|somebody|a person|a human|staff)"
    r"|call me|phone me|(?:a person|someone|somebody) i can (?:talk|speak) to"
    r"|(?:is |hay )?(?:anyone|anybody|someone|somebody|alguien) (?:there|here|ahi|alli)|hay alguien(?! que)"
    r"|(?:comunic|contact|conect)\w* (?:con|with|to) (?:alguien|alguno|una persona|someone|somebody)"
    r"|agent|agente|representative|operator|live (?:person|chat|agent)|customer service|atencion humana)\b"
)
# "quiero hablar con la doctora", "¿puedo hablar con el doctor?", "can I talk to the doctor?": a message for the
# clinic's people, not an appointment (unless one is asked for beside it: "una hora para hablar con la doctora")
_TALK_TO_THE_DOCTOR = re.compile(
    r"\b(?:hablar|conversar|comunicarme|comunicar) con (?:el|la|mi) (?:doctor|doctora|dr|dra|medic[oa]|doc)\b"
    r"|\b(?:talk|speak) (?:to|with) (?:the|my) (?:doctor|dr|physician)\b"
)
_BOOK = re.compile(
    rf"\b(?:{_NOUN}|turnito|horita|citita|agend\w*|reserv\w*|pedir|sacar|tomar|atender\w*|atiende\w*|disponib\w*|libres?|cupos?"
    r"|sobrecupos?|(?:que|cuales|what|which) (?:dias|horas|horarios|days|times|slots)"
    r"|(?:do you have|have you got|tienen|tiene|tenes|hay) (?:anything|something|algo)"
    r"|book\w*|schedule|slots?|available|availability|free|see (?:the |a )?doctor|ver (?:al|a la) (?:doctor|doctora)"
    r"|control|chequeo|check ?up)\b"
)
_STOP_START = re.compile(r"^(?:no gracias|no thanks|no thank you|no nada|nada|chao|chau|adios|bye|goodbye)\b")
_STOP = re.compile(
    r"^(?:salir|salgo|no gracias|ya no|no quiero|nada|exit|quit|stop|no thanks|chao|chau|adios|bye|goodbye"
    r"|olvidalo|olvidelo|deja|dejalo|dejelo|no deja|forget it|never ?mind)(?: gracias| thanks| thank you)?$"
)
# "STOP", "baja", "no me escriban más", "dejen de escribirme", "no quiero recibir mensajes", "unsubscribe", "número
# equivocado", "wrong number": no messages wanted (nothing to book, nothing to ask)
_OPTS_OUT = re.compile(
    r"^(?:(?:por favor|porfa|please) )?(?:stop|basta|baja|unsubscribe|desuscribir(?:me)?|(?:dar|darme|denme) de baja"
    r"|no (?:me )?(?:escriban|escribas|escriba|envien|manden|molesten)(?: mas)?(?: (?:mensajes|por aqui|por aca))?"
    r"|dejen de (?:escribirme|escribir|enviarme mensajes|mandarme mensajes|molestar|molestarme)"
    r"|no quiero (?:recibir )?(?:mas )?mensajes|no me interesa|numero equivocado|(?:se )?equivocaron de numero"
    r"|wrong number|stop (?:messaging|texting) me|don t (?:message|text|write to) me(?: again| anymore)?)"
    r"(?: (?:gracias|por favor|porfa|please|thanks))?$"
)


def opts_out(text: str) -> bool:
    """The whole message (normalized) asks for no more messages: "STOP", "baja", "no me escriban más", "número
    equivocado" — never a menu or a question in answer."""
    return bool(_OPTS_OUT.match(text.strip()))


_EARLIEST = re.compile(
    r"\b(?:lo (?:mas|antes) (?:pronto|antes|temprano|rapido|cercano)|lo antes posible|cuanto antes|a la brevedad"
    r"|(?<!mi )(?<!tu )(?<!a )(?:la )?(?:primera|proxima) (?:hora|cita|fecha|turno|disponib\w*|libre)(?! semana)"
    r"|lo primero (?:que|disponible)"
    r"|(?:el|la) (?:primer|primera) (?:turno|hora|cita)"
    r"|mas (?:cercan[oa]|proxim[oa]|pronto|tempran[oa](?! (?:de|que) (?:las? )?\d)|cerca)\b"
    r"|at once|right away|de inmediato|inmediatamente|cuando antes|lo antes que (?:se )?(?:pued|pod)\w*|para ya"
    r"|lo mas rapido|(?:el|la) primer[oa]? \w+ disponible|(?:el|la|lo) primer[oa]? (?:disponible|libre)"
    r"|apenas (?:se pueda|haya|puedan)|lo mas luego|earliest|as soon as possible|asap|soonest|(?:first|next) available"
    r"|(?:first|next) (?:free|open) (?:slot|time|appointment)|as early as possible|urgente|urgent\w*"
    # "anything earlier?", "is there something sooner?", "¿hay algo antes?" (never "algo antes de las 10": a bound)
    r"|(?:anything|something|any|one|time|slot|appointment)s? (?:a bit |a little |any )?(?:earlier|sooner)"
    r"|^(?:earlier|sooner)$|(?:hay )?(?:algo|alguna|nada) (?:un poco )?antes(?! de| del| que))\b"
)
_LATEST = re.compile(
    r"\b(?:lo mas tarde (?:posible|que (?:se )?(?:pued|pod|hay)\w*)"
    r"|lo (?:mas )?ultimo (?:posible|que (?:haya|tengan|tenga)|del dia)"
    r"|(?:la )?ultima hora(?: (?:del dia|disponible|libre|que (?:haya|tengan|tenga)))?|as late as possible"
    r"|la ultima (?:que (?:haya|tengan|tenga|quede|queda)|del dia|disponible|libre)"
    r"|(?:the )?latest (?:time|slot|appointment|possible|one)|last (?:time|slot|appointment) (?:of|in) the day)\b"
)
_ANY_TIME = re.compile(
    r"\b(?:(?:a )?cualquier (?:hora|horario|momento|dia)|(?:a )?la hora que sea|el dia que sea|cuando sea"
    r"|da igual(?! (?:con )?quien| (?:el|la) (?:medic|doctor|profesional))|me da lo mismo"
    r"|no importa (?:la hora|el horario|el dia|cuando)|any ?time|whenever|any (?:hour|day)"
    r"|cuando (?:(?:ustedes|usted|uds|ud|vos|ellos) )?(?:haya|hayan|tengan|tenga|puedan|pueda|quieran|quiera|digan)"
    r"|lo que (?:sea|tengan|haya)|whatever works"
    r"|either (?:one |day |time )?(?:is fine|works)|free all day|(?:libre|disponible) todo el dia"
    r"|(?:i'?m|im) flexible|flexible)\b"
)
_ANY_PROFESSIONAL = re.compile(
    r"\b(?:cualquier (?:profesional|doctor|doctora|medic[oa]|especialista)|con cualquiera|cualquiera"
    r"|quien sea|(?:da igual|no importa) (?:con )?quien|(?:el|la) (?:doctor|doctora|profesional|medic[oa])"
    r" que (?:este|haya|tenga)|(?:da igual|no importa) (?:el|la) (?:medic[oa]|doctora?|profesional)"
    r"|sin preferencia|anyone|anybody|any (?:doctor|professional)"
    r"|whoever|no preference)\b"
)
# "seguro" is the word for an insurance where it begins what is said or follows a word that goes with one ("con
# seguro", "tengo seguro", "¿aceptan seguro?") or a kind follows ("seguro complementario"); after another word it is
# a surname ("perdón, es Tomás Seguro", "Ana Pérez Seguro")
_BEFORE_AN_INSURANCE = """
    con sin tengo tiene tienen tenemos tenga tengan mi mis tu su sus el los un una algun ningun del de por para y o e
    u al es son ese este esta otro otra que cual cuales aceptan acepta aceptas reciben recibe cubre cubren trabajan
    trabaja atienden atiende toman toma usar uso usa uso pagar pago paga pagan via sirve valida vale hay the my your
    our with a an any by no
    """.split()
_SEGURO = (r"(?=seguro)(?:(?<![a-z] )|" + "|".join(sorted({rf"(?<=\b{word} )" for word in _BEFORE_AN_INSURANCE}))
           + r")seguro|seguro(?= (?:complementario|de salud|de vida|medico|catastrofico|escolar|privado|social"
           r"|internacional|dental|de accidentes|colectivo|obligatorio|cae|ges)\b)")
# A health insurer, or the word for one (a patient's previsión): "Isapre Colmena", "Fonasa", "Cruz Blanca"
INSURER = (r"(?:isapres?|fonasa|colmena|golden cross|cruz blanca|banmedica|consalud|vida tres|nueva masvida|masvida"
           rf"|prevision|{_SEGURO})")
# Questions about the clinic, not a request for a time: "cuánto sale la consulta?", "atienden por OSDE?".
# "can I come 15 min early?", "¿puedo llegar un poco antes?": when to arrive for the appointment (a question for
# reception), never a part of the day wanted
ARRIVING_EARLY = (r"(?:(?:\d+|a few|a couple of|some|unos|un par de|cinco|diez|quince|five|ten|fifteen)\s*"
                  r"(?:min|mins|minutes|minutos)\s+(?:early|earlier|before|antes)"
                  r"|(?:arrive|get there|be there|llegar|estar ahi) (?:a (?:bit|little) |un poco |algo |un rato )?"
                  r"(?:early|earlier|antes)(?! (?:de|del|than|that)\b))")
_WHAT_IF_LATE = r"(?:(?:y |pero )?(?:que pasa |que hago )?si llego tarde|what (?:happens )?if i m late)"
# "¿dónde queda?", "¿dónde es?", "what's the address?": where the clinic is
_WHERE_WORDS = (r"donde (?:queda|quedan|estan|esta|es|sera|se ubica\w*)|direccion|ubicad\w*|where (?:is|are|s)|wheres"
                r"|address|located")
_INFO = re.compile(
    r"\b(?:cuanto (?:sale|cuesta|vale|cobran|es|seria|saldria|salen|cuestan|demora|tarda|dura|se demora)|how long"
    r"|precios?|valor(?:es)?|arancel\w*|tarifas?"
    r"|how much|prices?|costs?|fees?|atienden (?:por|con)|aceptan|acepta|reciben|cubren?|trabajan con|convenio"
    rf"|{INSURER}|obra social|prepaga|insurance|do you (?:take|accept)"
    rf"|{_WHERE_WORDS}|parking|{ARRIVING_EARLY}|{_WHAT_IF_LATE}"
    # "¿se puede pagar con tarjeta?", "can I pay by card?", "will you send a reminder?"
    r"|pagar con (?:tarjeta|debito|credito|transferencia)|pay (?:by|with) card|card payment|recordatorio|reminder"
    r"|estacionamiento|(?:que|cual es (?:el|su)) horario (?:de atencion|tienen)|opening hours|open hours"
    r"|a que hora (?:abren|cierran)|what time do you (?:open|close)"
    # how the visit is: in person or online, who is seen, what to bring, how to prepare
    r"|(?:es|sera|son|seria) (?:presencial|online|virtual|en linea|por video\w*)|telemedicina|teleconsulta"
    r"|is it (?:in person|online)|video (?:call|consultation)"
    r"|atiende\w* (?:a )?(?:ninos|guaguas|bebes|menores|adultos mayores|embarazadas)|(?:see|treat) (?:children|kids)"
    r"|(?:que|q) (?:tengo|hay|debo|necesito) (?:que )?(?:llevar|traer|presentar)|hay que (?:llevar|ir en ayunas)"
    r"|(?:tengo|debo|necesito|hay) (?:que )?(?:llevar|traer) (?:algo|algun\w*|document\w*|examen\w*|orden\w*)"
    r"|en ayunas|what (?:should|do) i (?:bring|need to bring)|(?:do|should) i (?:need to )?bring"
    # what the visit includes: "¿la consulta incluye exámenes?", "¿viene con ecografía?", "does it include an X-ray?"
    r"|inclu(?:ye|yen|ido|ida|idos|idas|ir)|viene con|trae (?:el|la|los|las)|does (?:it|the \w+) include|included)\b"
)
_BOOKING_VERB = re.compile(
    r"\b(?:agend\w*|reserv\w*|pedir|sacar|tomar (?:una )?hora|book\w*|make an appointment|schedule)\b"
)

_ANOTHER = re.compile(r"\b(?:otr[oa]s?|another|other|different|distint[oa])\b")

# Closing a chat: a message made only of these, thanks and fillers ("eso sería todo, gracias", "thanks, bye").
_CLOSING = re.compile(
    r"\b(?:chao|chau|chaito|chaucito|adios|bye(?: bye)?|goodbye|hasta (?:luego|pronto|manana)|nos vemos"
    r"|see (?:you|ya)|cya"
    r"|(?:eso )?(?:seria|es|era|fue) todo|nada mas|ya esta"
    r"|that ?s everything|that is everything|that ?s (?:all|it)|that is (?:all|it)|nothing else|nada"
    r"|deja(?:lo)?|dejelo|olvidalo|olvidelo|no importa|forget it|never ?mind)\b"
)
_CLOSING_REST = frozenset(
    """
    gracias muchas mil muy amable thanks thank you so much ok okay vale bueno listo ya entonces then igual
    saludos por favor no todo
    """.split()
)

# Indifference and what it is about: "me da lo mismo el doctor" (anyone), "no importa la hora" (any time).
_INDIFFERENT = re.compile(
    r"\b(?:(?:me )?da (?:igual|lo mismo)|no importa|me es indiferente|sin preferencia|no tengo preferencia"
    r"|(?:i )?(?:don ?t|do not) (?:mind|care)|doesn ?t matter|does not matter|no preference)\b"
)
_WHICHEVER = re.compile(
    r"\b(?:(?:el|la) )?(\w+)? ?que (?:sea|usted (?:diga|quiera|prefiera)|ud (?:diga|quiera)|diga|quiera|prefiera"
    r"|le (?:acomode|sirva)|este (?:disponible|libre)|haya|hayan|tenga|tengan|pueda|puedan|atienda|toque)\b"
)
_PROFESSIONAL_WORDS = frozenset(
    "doctor doctora dr dra medico medica profesional especialista quien who whom whoever doc el la".split()
)
_TIME_WORDS = frozenset("hora horario horas dia fecha momento cuando time day date when hour".split())


def _indifference(text: str) -> tuple[bool, bool, str]:
    """(any time, any professional, the text without those phrases)."""
    any_time = any_professional = False
    for match in _INDIFFERENT.finditer(text):
        near = text[match.end():].split()[:3] + text[: match.start()].split()[-3:]
        if any(w in _PROFESSIONAL_WORDS - {"el", "la"} for w in near) and not any(w in _TIME_WORDS for w in near):
            any_professional = True
        else:
            any_time = True
    for match in _WHICHEVER.finditer(text):
        noun = match.group(1) or ""
        if noun in _TIME_WORDS:
            any_time = True
        elif noun in _PROFESSIONAL_WORDS or not noun or match.group(0).startswith(("el que", "la que")):
            any_professional = True
    return any_time, any_professional, _WHICHEVER.sub(" ", _INDIFFERENT.sub(" ", text))


_YES = frozenset(
    """
    si sii siii sip sipi ok oka okay okey oki dale ya listo perfecto confirmo confirmar confirmado correcto bueno
    claro yes yep yeah yup sure confirm confirmed correct great perfect fine genial excelente buenisimo
    awesome excellent absolutely sipo sipi simon obvio afirmativo reservala reservalo agendala agendalo tomala tomalo
    agendamela reservamela tomo yea certainly definitely obviously hagale bacan filete joya okis chevere lovely
    brilliant cool alright aye yessir yas yah okie aight
    """.split()
) | {
    "de acuerdo", "esta bien", "si por favor", "si confirmo", "te confirmo", "si te confirmo", "le confirmo",
    "si le confirmo", "si gracias", "si dale", "si esa", "si perfecto",
    "ok gracias", "dale gracias", "yes please", "sounds good", "that s fine", "thats fine", "ok thanks",
    "yes thanks", "si porfa", "si confirmar", "por favor", "si claro", "claro que si", "ya po", "dale po",
    "bueno ya", "ya gracias", "si po", "sale", "va", "vale", "orale", "sip gracias", "yes confirm", "ok perfecto",
    "como no", "why not", "por supuesto", "of course", "oki doki", "la raja", "al tiro", "all right", "works",
    "okie dokie", "for sure", "you bet",
}
_NO = frozenset(
    """
    no nop nope nah naa naah nones nopo nica nay negative negativo otra otro nono noo nel not
    """.split()
) | {
    "otra hora", "otro horario", "otra fecha", "no esa no", "esa no", "no me sirve", "no puedo a esa hora",
    "another time", "other time", "different time", "not that one", "no thanks", "no gracias", "otro dia",
    "mejor otra", "prefiero otra", "another one",
    # a no said strongly ("claro que no" is no yes: its first words are)
    "claro que no", "obvio que no", "por supuesto que no", "of course not", "absolutely not", "definitely not",
    "certainly not", "no way", "ni hablar", "ni loco", "ni loca", "ni de broma", "ni en broma", "neta no", "hell no",
    "not really", "not at all", "nuh uh",
    # "don't", "please don't": a no the whole message says (never "I don't know")
    "don t", "dont", "do not", "please don t", "please dont", "please do not",
}


_YES_WORDS = frozenset(w for w in _YES if " " not in w) | {"va", "sale", "vale", "orale", "andale"}
_NO_PHRASES = re.compile(
    r"\b(?:no me (?:sirve|va|viene|queda|acomoda|conviene|resulta)(?: bien)?|para nada|doesn ?t work|does not work"
    r"|won ?t work|not for me|asi (?:esta|estoy) bien|(?:esta|estoy) bien asi|don ?t do it|do not do it"
    # "está bien así", "it's fine as it is": leave it as it stands
    r"|(?:it s|its|it is|that s|thats|all) (?:fine|good|ok|okay) (?:as it is|as is|the way it is))\b"
)
_YES_PHRASES = re.compile(
    r"\b(?:de acuerdo|de una|esta bien|sounds good|sure thing|that works|works for me|of course|go ahead|book it"
    r"|please do|(?:claro|obvio|por supuesto) que si|por supuesto|sounds great|(?:that )?suits me|fine by me"
    r"|book me in|that ?ll do|(?<!don t )(?<!dont )(?<!not )(?:do it|go for it|proceed)"
    r"|(?<!no )(?:hazlo|hagalo|proceda)"
    r"|me (?:sirve|va|viene|queda|acomoda|parece)"
    r"(?: bien| perfecto)?)\b"
)
_NO_WORDS = frozenset(w for w in _NO if " " not in w)
_POLITE = frozenset({
    "gracias", "thanks", "thank", "you", "por", "favor", "please", "porfa", "muchas", "muchisimas", "mil",
    # what a patient calls the bot in passing: "sí, perfecto, gracias guapo"
    "guapo", "guapa", "lindo", "linda", "amable", "mijo", "mija", "amigo", "amiga", "senorita", "joven", "crack",
    "genio", "dear", "mate",
})
_FILLER = frozenset({
    "esa", "ese", "esta", "bien", "that", "thats", "s", "works", "one", "it", "is", "good", "fine", "entonces",
    "po", "pues", "nomas", "mejor", "asi", "ya esta", "this", "igual", "eh", "ehh", "em", "emm", "mm", "mmm", "ah",
    "ahh", "oh", "este", "oye", "mira", "um", "uh", "altiro", "ps", "pos", "neta",
    # "sí puedo", "ya, puedo! confirmo", "la tomo": a yes in other words
    "puedo", "podemos", "puede", "la", "me", "can", "do", "i", "will", "take",
})
_SOFT_YES = frozenset({"vale", "ok", "bueno", "okay", "ya", "esta", "bien", "listo"})  # "no, vale, gracias": still a no
_OTHER = frozenset({
    "another", "other", "time", "hora", "horario", "dia", "fecha", "mejor", "prefiero", "prefer", "i", "d", "rather",
    "una", "quiero", "ver",
})


@dataclass(frozen=True)
class Wishes:
    intent: str = "none"
    answer: str = ""  # "yes" / "no": the whole message answers a yes/no question
    tentative: bool = False  # the intent rests on "no puedo ir" alone (see _CANT_GO)
    earliest: bool = False
    any_time: bool = False
    any_professional: bool = False
    latest: bool = False


# "ya no la necesito cambiar", "no quiero cancelarla", "no hace falta moverla": a change NOT wanted (never a move or a
# cancellation asked for)
_NO_CHANGE = re.compile(
    # ("no quiero cambiarla" opening a message may be "no, quiero cambiarla": only "ya no…" or mid-sentence)
    r"(?:\bya |(?<=\w )(?<!\bya ))no (?:la |lo |las |los )?(?:quiero|quisiera|necesito|voy a|vamos a|tengo que)"
    r" (?:cambiar|mover|cancelar|anular|reagendar|reprogramar|correr)(?:la|lo|las|los)?\b"
    # "no quiero cancelar ninguna", "no quiero cambiar nada": opening a message too (never "no, quiero…" typed fast)
    r"|\bno (?:quiero|quisiera|necesito|voy a|tengo que) (?:cambiar|mover|cancelar|anular|reagendar|reprogramar"
    r"|correr) (?:ninguna|ninguno|nada)\b"
    r"|\bno no (?:cancelar|anular|cambiar|mover)(?:la|lo|las|los)?\b"  # "no, no cancelar"
    # "no canceles la otra", "no me cambien la hora" (never "no cancelé", I did not)
    r"|\bno (?:me |nos )?(?:canceles|cancelen|anules|anulen|borres|borren|cambies|cambien|muevas|muevan)\b"
    r"|\b(?:ya )?no (?:es necesario|hace falta|hay que|me interesa)(?: que)?"
    r" (?:cambiar|mover|cancelar|anular|reagendar|reprogramar|correr)(?:la|lo|las|los)?\b"
    # "no me la cancelen", "no la cambie", "no la cancelo" (any person: the typo pass may have made it "cancel")
    r"|\bno (?:me |nos )?(?:la|lo|las|los) (?:cancel|cambi|muev|anul)\w*"
    r"|\b(?:don ?t|do not|no need to) (?:want to |need to )?(?:change|move|cancel|reschedule)\b"
    # "I don't want it cancelled", "I don't need it moved"
    r"|\b(?:don ?t|do not) (?:want|need) (?:it|that|this|(?:my|the) appointment) (?:to be )?"
    r"(?:changed|moved|cancell?ed|rescheduled)\b"
)


def refuses_the_change(text: str) -> bool:
    """"no, no quiero cancelar nada", "I don't want to cancel it", "ya no quiero cambiarla": a cancellation or a move
    said only to refuse it (never "no quiero cancelarla" opening a message: "no, quiero cancelarla" typed fast)."""
    return bool(_NO_CHANGE.search(text)) and detect(text).answer == "no"


def says_no_change(text: str) -> bool:
    """A change refused somewhere in the message ("no me cambien la hora", "agéndala pero no canceles la otra"),
    whatever else it asks for."""
    return _NO_CHANGE.search(text) is not None


_OPENING_NO_CHANGE = re.compile(
    r"^\s*no (?:la |lo )?(?:quiero|quisiera|necesito|voy a|tengo que) (?:cambiar|mover|cancelar|anular|reagendar"
    r"|reprogramar|correr)(?:la|lo|las|los)?\b"
)
# After a refused change, the other one said with a bare verb ("no quiero cancelar, solo cambiar"): keyed by the refused
_CHANGE_VERB = {
    "cancel": re.compile(r"\b(?:cambiar|mover|reagendar|reprogramar|correr)(?:la|lo|las|los)?\b"),
    "reschedule": re.compile(r"\b(?:cancelar|anular)(?:la|lo|las|los)?\b"),
}
_ANOTHER_ONE_OF_THEM = re.compile(r"\b(?:la|el|the) (?:de|del|otra|otro|other|one)\b|\bmy \w+ s\b")


def detect(text: str, found_something: bool = False) -> Wishes:
    """The intent of a normalized message; ``found_something``: it names a day, time, professional or specialty."""
    if not _NO_CHANGE.search(text):
        opening = _OPENING_NO_CHANGE.match(text)
        if opening is not None:  # "no quiero cancelar, solo cambiar": the other change is the one wanted
            rest = text[opening.end():]
            after = _detect(rest, found_something)
            refused = "cancel" if re.search(r"cancel|anul", opening.group(0)) else "reschedule"
            if after.intent == "none" and _CHANGE_VERB[refused].search(rest):
                after = replace(after, intent="reschedule" if refused == "cancel" else "cancel")
            if after.intent in ("cancel", "reschedule") and after.intent != refused:
                return after
        return _detect(text, found_something)
    # What is left once the changes not wanted are taken out (then "no quiero cancelarla" opening it too); a day
    # said was the appointment's ("no la cancelen, el jueves voy")
    rest = _OPENING_NO_CHANGE.sub(" ", _NO_CHANGE.sub(" ", text))
    kept = _detect(rest)
    if kept.intent not in ("none", "stop") or kept.answer == "no":
        return kept  # (a "yes" left over is the refusal's own: "ok, no me la cancelen", "dale, no la cambien")
    if _ANOTHER_ONE_OF_THEM.search(rest):  # "no quiero cancelar la mía, solo la de mi esposo": that one's
        return _detect(re.sub(r"\bno (?:la |lo )?(?:quiero|necesito) ", " ", text), found_something)
    return replace(kept, intent="none", answer="no")  # "no, ya no la necesito cambiar": it stays


def _detect(text: str, found_something: bool = False) -> Wishes:
    short = " ".join(text.strip(" .!?").split())
    short = re.sub(r"\b(?:por favor|porfa|please|pls)$", "", short).strip() or short
    answer = "yes" if short in _YES else "no" if short in _NO else ""
    listed = _YES_PHRASES.sub("si", _NO_PHRASES.sub("no", short)).split()
    words = set(listed)
    if not answer and words and words - _POLITE:
        if words <= _YES_WORDS | _POLITE | _FILLER and words & _YES_WORDS:
            answer = "yes"
        elif words <= _NO_WORDS | _POLITE | _FILLER | _OTHER and words & _NO_WORDS:
            answer = "no"
        elif listed[0] in _NO_WORDS and words <= _NO_WORDS | _POLITE | _FILLER | _SOFT_YES:
            answer = "no"
    latest = bool(_LATEST.search(text))
    earliest = not latest and bool(_EARLIEST.search(text))
    time_words, professional_words, plain = _indifference(text)
    any_time = bool(_ANY_TIME.search(plain)) or time_words
    any_professional = bool(_ANY_PROFESSIONAL.search(plain)) or professional_words
    closing = _closing(short)
    tentative = False
    if (_PERSON.search(_NO_CALL.sub(" ", text)) or _CANT_TAKE_A_CALL.search(text)  # never "no me llamen, prefiero
            # por aquí"; "no me pueden llamar hoy, estoy trabajando": a person to write to them
            or (_TALK_TO_THE_DOCTOR.search(text) and not _BOOK.search(text) and not names_a_day(text))):
        # (never "hora para hablar con…", "¿puedo hablar con la doctora el jueves?": a booking)
        intent = "person"
        any_professional = False
    elif _RESCHEDULE.search(text) and not cancel_then_book_for_another(text):
        intent = "reschedule"
    elif (_CANT_GO.search(text) and (_OTHER_DAY.search(text) or _NEW_ONE_FOR.search(text)
                                     or (_MOVE_ASKED.search(text) and not _CANCEL.search(text))
                                     or _COME_ANOTHER_DAY.search(_NOT_ABLE.sub(" ", text) if _CANCEL.search(text)
                                                                 else text))
          and not new_one_for_another(text) and not _NOT_ALONE.search(text)):
        # "no voy a poder ir, ¿para otro día?", "necesito hora para el viernes, el jueves no puedo ir", "I can't make
        # it thursday, can I come monday instead?": a move
        intent = "reschedule"
    elif _CANCEL.search(text):
        intent = "cancel"
    elif _CANT_GO.search(text) and not new_one_for_another(text) and not _NOT_ALONE.search(text):
        intent, tentative = "cancel", True
    elif _MY_BOOKINGS.search(_INFO.sub(" ", text)):  # "¿cuál es el horario de atención?" asks about the clinic
        intent = "my_bookings"
    elif _HAVE_ONE.search(text) and not _ASKS_NEW.search(text):  # "¿tengo hora con el dr rojas?"
        intent = "my_bookings"
    elif _STILL_HAVE.search(text):  # "¿sigo teniendo la hora del martes, cierto?"
        intent = "my_bookings"
    elif _ATTENDANCE.search(text):  # "confirmo mi asistencia para el jueves": what they have, thanked
        intent = "my_bookings"
    elif (_STOP.match(short) or opts_out(short)
          or (_STOP_START.match(short) and not found_something and not _BOOK.search(text))
          or (closing and not found_something) or (answer == "no" and words & {"gracias", "thanks", "thank"})):
        intent = "stop"
        earliest = any_time = any_professional = latest = False
    elif found_something or earliest or any_time or any_professional or latest:
        intent = "book"
    elif (_BOOK.search(text) and not (_INFO.search(text) and not _BOOKING_VERB.search(text))
          and not (answer and not _ANOTHER.search(text))):  # "no, esa hora no" answers; "otra hora" asks
        intent = "book"
    else:
        intent = "none"
    if intent in ("book", "my_bookings", "none") and _CORRECTION.search(text):
        intent = "reschedule"  # "me confundí, la hora era para el traumatólogo": the appointment made, moved
    return Wishes(intent, answer, tentative, earliest, any_time, any_professional, latest)


_WHERE = re.compile(rf"\b(?:{_WHERE_WORDS})\b")


_REPEAT = re.compile(
    r"\b(?:repet\w*|repit\w*|repeat|again|de nuevo|otra vez|cuales (?:eran|son)|which (?:were|are) (?:they|the)"
    r"|no (?:me )?(?:llego|llegaron|aparece\w*|veo|vi|se ve\w*)|show (?:me )?(?:them|the \w+) again)\b"
)


# A word said before a relative that keeps them one ("my older brother", "my 5 year old son", "mi ex esposo")
_AGE_NUMBER = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"  # "a 5 / five year old"
_KIN_MODIFIER = (
    r"(?:(?:older|younger|elder|big|little|baby|elderly|old|sick|teenage|disabled|dear|new|only|adult|twin|foster"
    rf"|adopted|adoptive|ex|querid[oa]|pobre|ancian[oa]|{_AGE_NUMBER}[ -](?:years?|months?|weeks?)[ -]old)[ -])?"
)
# Who an appointment may be for besides the patient writing: "para mi mamá", "mi hijo necesita hora".
RELATIVE = (
    rf"{_KIN_MODIFIER}"
    r"(?:mama|mami|mamita|madre|papa|papi|papito|padre|h?ij[oa]s?|hijit[oa]s?|hj[oa]s?|nin[oa]s?|guagua|bebe"
    r"|guaguita|nene|nena|chiquit[oa]|chiquitin|peque|ninit[oa]|regalon|regalona|cabr[oa] chic[oa]"
    # "mi pequeño" is a child; "una pequeña consulta" is no one
    r"|pequen[oa](?! (?:duda|consulta|cirugia|procedimiento|problema|pregunta|cambio|detalle|molestia|dolor|herida"
    r"|examen|control|favor|lesion|operacion|intervencion|atraso))"
    r"|cri[oa]|chamac[oa]|escuincle|pib[ea]|familiar|compadre|comadre|padrino|madrina|mellizos|mellizas|gemel[oa]s"
    r"|hermanit[oa]|primit[oa]|sobrinit[oa]|nietecit[oa]|nietit[oa]|taita"
    r"|esposo|esposa|marido|mujer|senora|senor|pareja|polol[oa]|novi[oa]|conviviente|conyuge|companer[oa]"
    r"|abuel[oa]|abuelit[oa]|bisabuel[oa]|tata|nono|nona|viej[oa]|vieji?t[oa]|herman[oa]|ti[oa]|suegr[oa]|nuera"
    r"|yerno|cunad[oa]|hijastr[oa]|padrastro|madrastra|ahijad[oa]|amig[oa]|vecin[oa]|sobrin[oa]|prim[oa]|niet[oa]"
    r"|bisniet[oa]|mom|mum|mommy|mummy|momma|mother|dad|daddy|father|son|daughter|kid|child|baby|husband|wife"
    r"|partner|spouse|boyfriend|girlfriend|fiancee?|grandma|grandmother|granny|grannie|nan|nana|nanna|grandpa"
    r"|grandad|granddad|grandfather|grandson|granddaughter|grandchild|grandkid|brother|sister|aunt|auntie|uncle"
    r"|niece|nephew|cousin|step[ -]?(?:son|daughter|child|kid|mother|mom|mum|father|dad)|friend|neighbou?r"
    r"|boy|girl|little one|kiddo|toddler|infant|newborn|youngest|eldest|oldest|lad|missus|missis|hubby|wifey"
    r"|other half|bf|gf|god(?:son|daughter|child|mother|father)|flatmate|roommate|housemate|colleague|co-?worker"
    rf"|twins|mam|pops|grandmum|grandmom|old (?:man|lady)|{_AGE_NUMBER}[ -](?:years?|months?)[ -]old"
    r"|(?:grand)?(?:children|parents))(?:e?s)?"  # and their plurals: "my cousins", "mis abuelos", "mis papás"
)
# Whose relative ("mi / nuestra / su hija", "my / our / his / her son"); FOR_WHOSE: whose relative an appointment
# is for, with "para la hija", "for the kid" too — never the writer's own appointment; OURS: the writer's own
# relatives ("mi hijo", "our son", "nuestra hija")
WHOSE = r"(?:mi|mis|my|our|nuestr[oa]s?|su|sus|his|her|their)"
FOR_WHOSE = rf"(?:{WHOSE}|el|la|los|las|the)"
OURS = r"(?:mi|my|our|nuestr[oa]s?)"
# A relative named, whoever's: "la de mi hijo", "our mom's", "su mamá" (never "la hija", "the kids")
A_RELATIVE = re.compile(rf"\b{WHOSE} {RELATIVE}\b")
# "mi amiga me recomendó", "my friend told me about you": who sent the writer, not whom the appointment is for
_NOT_WHO_TOLD = (r"(?! (?:me |te |les? )?(?:recomend\w*|recommend\w*|(?:conto|hablo) de|paso (?:el|tu|su)"
                 r" (?:dato|numero|contacto)|told me about|referred|mentioned)\b)")
# "para ella", "for her", "es para él" (said last): someone else, named by a pronoun (never "for her son": a relative;
# "para el viernes": a day)
_FOR_A_PRONOUN = (r"(?:para|pa|for) (?:ella|ellas|ellos|her|him|them)\b(?! s\b| own\b)"
                  r"|\b(?:es|is) (?:para|pa) el$"
                  # "hora para él el viernes", "para él a las 10", "para él también" (never "para el viernes", "para
                  # el que esté libre": the article)
                  r"|\b(?:para|pa) el (?:el|la|los|las|a las|en la|tambien|porfa|por favor)\b")
_SOMEONE_ELSE = re.compile(
    rf"\b(?:(?:para|pa|for) {FOR_WHOSE}(?: (?:dos|tres|2|3|two|three))? {RELATIVE}"
    rf"|(?:agend\w*|reserv\w*|anot\w*|inscrib\w*|hora|horas|cita|citas|book) (?:a|pa|for) {FOR_WHOSE}"
    rf"(?: (?:dos|tres|2|3|two|three))? {RELATIVE}"
    rf"|{OURS} {RELATIVE}\b{_NOT_WHO_TOLD}|(?:el|ella|que|he|she) se llama|(?:his|her) name is"
    r"|(?:no es|not) (?:para mi|for me)|para otra persona|for someone else|for another person"
    rf"|{_FOR_A_PRONOUN}"
    # "para alguien más", "para un familiar", "para una amiga", "for a friend": someone else, with no "mi"
    r"|(?:para|pa) alguien (?:mas|distinto|de mi familia)|for (?:somebody|anyone) else"
    rf"|(?:para|pa|for) (?:un|una|a|an|otro|otra|another) (?:{RELATIVE}|familiar|pariente|conocid[oa]|tercero"
    r"|relative|family member))\b"
)

# An appointment asked for someone else: "quiero hora para mi hijo el viernes", "mi mamá necesita hora"
_NEW_FOR_ANOTHER = re.compile(
    rf"\b(?:{_NOUN}|agend\w*|reserv\w*|book)\b[^,.;:!?]*?\b(?:para|pa|a|for) {FOR_WHOSE}"
    rf"(?: (?:dos|tres|2|3|two|three))? {RELATIVE}\b"
    rf"|\b{OURS} {RELATIVE} (?:necesita|requiere|needs)\b"
)


def new_one_for_another(norm: str) -> bool:
    """A new appointment asked for someone else, with no word of the writer's own ("quiero hora para mi hijo el
    viernes, el jueves no puedo ir": Thursday does not suit for his; never a move of the writer's Thursday)."""
    return _NEW_FOR_ANOTHER.search(norm) is not None and not names_own_booking(norm) and not _I_HAVE_ONE.search(norm)


# "tengo hora el jueves pero no puedo ir, …": the writer's own, said so
_I_HAVE_ONE = re.compile(rf"\b(?:tengo|tenia|tenemos|i have|i had) (?:una |un |mi )?{_NOUN}\b")


_YES_THEN_WHOM = re.compile(
    rf"^(?:si+|ok(?:ay)?|dale|ya|claro|perfecto|bueno|listo|yes|sure)\b.*(?:\b(?:(?:para|pa|for|a) {FOR_WHOSE}"
    rf" {RELATIVE}|{OURS} {RELATIVE}|{_FOR_A_PRONOUN}|a nombre de|se llama|(?:(?:his|her|the) )?name is"
    r"|para otra persona"
    # "sí, al / con el / bajo el nombre de …", "yes, under (the name) …", "in the name of …", "el paciente es …"
    r"|(?:al|con el|bajo el|en el) nombre de|under|in the name of"
    r"|(?:el|la|the) (?:paciente|persona|patient|person|nombre) (?:es|sera|is|will be)"
    r"|quien (?:va|viene|se atiende|se atendera|asiste|ira) (?:es|sera)|the one coming is)\b"
    r"|\b(?:nombre|name) ?:)"  # "sí, nombre: Juan Pérez"
)


_ANOTHER_ONE = re.compile(
    rf"\b(?:otr[ao]s? {_NOUN} (?:mas|adicional|aparte)|una {_NOUN} mas|otra mas|(?:tambien|ademas)"
    rf" (?:necesito|quiero|quisiera|queria|me gustaria)|(?:one more|a second|an extra) {_NOUN}|(?:also|too) need"
    # "y otra para mí", "ahora necesito otra con la kine": one more, the one they have stays
    rf"|otr[ao] (?:{_NOUN} )?(?:para|pa) mi|(?:necesito|quiero|quisiera|dame|agendame) otr[ao] (?:{_NOUN} )?con"
    # "¿me podrían agendar también el jueves?", "también una hora con la kine": one more, beside the one they have
    rf"|(?:agend|reserv|dar|sac|ped)\w* tambien|tambien (?:una|otra) {_NOUN})\b"
)
_OTHER_NOUN = re.compile(rf"\b(?:otr[ao]s?|another) {_NOUN}\b")


def wants_another(text: str) -> bool:
    """A patient who already has an appointment asks for one more in so many words ("también quiero kine", "otra
    hora para mi hijo"): booked without asking "¿otra, cambiarla o cancelarla?" first. "Quiero otra hora" alone
    may mean a different time for the one they have: asked."""
    return bool(_ANOTHER_ONE.search(text) or (_OTHER_NOUN.search(text) and for_someone_else(text))
                or one_more_besides(text))  # "y una más para mí el viernes", "y mi esposo también necesita hora"


# The writer and a relative: "mi hijo y yo", "yo y mi esposa", "my son and I", "me and my daughter", "we both"
_WRITER_AND_A_RELATIVE = (rf"{OURS} {RELATIVE} (?:y|and) (?:yo|me|i)"
                          rf"|(?:yo|me|i) (?:y|and) {OURS} {RELATIVE}|we both|both of us")
_SEVERAL_PEOPLE = re.compile(
    rf"\b(?:(?<!en )(?<!dentro de )(?<!las )(?<!mis )(?<!my )(?:dos|tres|2|3|two|three)"
    rf" (?:horas|citas|consultas|appointments)"
    rf"|(?:mis|my|los|las) (?:dos|tres|2|3|two|three) {RELATIVE}|(?:mis|my) (?:hijos|hijas|ninos|ninas|guaguas|papas"
    rf"|padres|abuelos|hermanos|hermanas|kids|children|parents|sons|daughters)"
    rf"|(?:para|pa|for) (?:mi|me)(?: mism[oa])? (?:y|and) (?:para |pa |for )?{FOR_WHOSE} {RELATIVE}"
    rf"|{OURS} {RELATIVE} (?:y|and) (?:(?:para|pa|for) )?(?:yo|mi|my|me|i|el|la)\b"
    rf"|{_WRITER_AND_A_RELATIVE}"  # "yo y mi hijo", "me and my son", "we both"
    # "para mi esposa María López y para mí": her name between
    rf"|(?:para|pa|for) {FOR_WHOSE} {RELATIVE}(?: [a-z]+){{1,3}} (?:y|and) (?:para|pa|for) (?:mi|me)\b(?! {RELATIVE})"
    rf"|(?:una|one) (?:para|pa|for) (?:cada uno|cada una|each)|(?:para|pa|for) (?:los dos|las dos|ambos|ambas|both))\b"
)


# "dos horas: una con kine y otra con medicina general": two appointments of one person, each its own kind
_EACH_ITS_KIND = re.compile(r"\b(?:una|uno|one) (?:con|de|en|a|para|pa|with|for) (?:el |la )?(?P<one>\w+(?: \w+)?).*\b"
                            r"(?:otra|otro|another|the other) (?:con|de|en|a|para|pa|with|for) (?:el |la )?"
                            r"(?P<other>\w+(?: \w+)?)")


def two_of_a_kind_each(text: str) -> bool:
    """"Dos horas: una con kine y otra con medicina general", "una para traumatología y la otra para kine": two
    appointments of one person, one of each specialty (never "una para mi hijo y otra para mí")."""
    each = _EACH_ITS_KIND.search(text)
    return (each is not None and not for_someone_else(text) and bool(find_specialty(each.group("one"))[0])
            and bool(find_specialty(each.group("other"))[0]))


@lru_cache(maxsize=4096)  # asked of most messages
def wants_several(text: str) -> bool:
    """One message asks for appointments for more than one person ("para mí y mi hijo", "mis dos hijas", "dos
    horas, una para cada uno"): one is booked at a time, and the confirmation says how to ask for the next."""
    found = _SEVERAL_PEOPLE.search(text)
    if found is None:
        return False
    counted = found.group(0).split()[-1] in ("horas", "citas", "consultas", "appointments")  # "dos horas": whose?
    return not (counted and two_of_a_kind_each(text))


# "…, y también una con medicina general para mi hija", "y otra para mi esposa": one more appointment, for someone else
_AND_ONE_FOR = re.compile(
    rf"\b(?:y|e|and)\s+(?:(?:tambien|tb|tmb|ademas|also)\s+)?(?:una|uno|otra|otro|another|one)\b(?:\s+\S+){{0,6}}?"
    rf"\s+(?:para|pa|for)\s+{FOR_WHOSE}\s+{RELATIVE}"
)


def and_one_more_for_another(text: str) -> bool:
    """A first message that asks, after its own appointment, for one more for someone else ("quiero hora con la kine
    el martes, y también una con medicina general para mi hija"): the second is asked for once the first is done."""
    found = _AND_ONE_FOR.search(text)
    return found is not None and not _LEAD_ONLY.fullmatch(text[:found.start()])


def one_more_for_another_only(text: str) -> bool:
    """A message that starts with "y una para mi hijo…" ("ah, y una para mi hijo con traumatología" after «¡Listo!»):
    one more beside the appointment they have, and this one is the other person's (nothing asked for before it)."""
    found = _AND_ONE_FOR.search(text)
    return found is not None and bool(_LEAD_ONLY.fullmatch(text[:found.start()]))


# What may come before "y una para mi hijo" for it to open the message
_LEAD_ONLY = re.compile(r"\s*(?:(?:ah+|oh+|ok|oka|okay|oye|hola|ya|gracias|perfecto|listo|genial|bueno|ahh|and|now"
                        r"|ahora|thanks|great)\s+){0,3}")


_YES_AND = re.compile(
    r"^(?:(?:si+|sip|ok|oka|okay|okey|dale|ya|claro|perfecto|listo|confirmo|yes|sure|bueno|de una|genial|excelente"
    r"|va|vale|correcto)\s+)+(?:(?:por favor|porfa|please|gracias|thanks|thank you|confirmo|confirmala|puedo"
    r"|la tomo|esa|esa hora|agendala|agendamela|reservala|reservamela|tomala|dale|perfecto|po|la mia|el mio"
    r"|para mi|a mi nombre)\s+)*"
    r"(?P<and>y|e|and|tambien|ademas|aparte|also|plus)\s+(?P<rest>\S.*)$"
)
# What says the rest asks for one more appointment, not whom this one is for: "y otra para mi hija", "and one for
# my son too", "also my daughter needs one"
_ANOTHER_MARK = re.compile(
    r"\b(?:otr[ao]s?|another|one more|una mas|uno mas|tambien|tb|tmb|ademas|also|too|as well|igual|aparte|extra"
    r"|needs? one|necesita una|necesita hora)\b|\b(?:una|uno|one)\b.*\b(?:para|pa|for)\b"
)
_MY_RELATIVE = re.compile(rf"\b{WHOSE} {RELATIVE}")


def one_more_besides(text: str) -> str:
    """At «¿Confirmo…?» before any yes, a message that opens with "y …" and asks for one more appointment beside the
    one proposed ("y una más para mí el viernes", "and one more for friday", "y otra para mi hijo", "y mi esposo
    también necesita hora"): "others" (someone else's), "more" (one more of the writer's), "" when it does not.
    Never "y otra hora el viernes" (the «Otra hora» button's words: this one elsewhere) or "y es para mi hijo"
    (whom this one is for)."""
    found = _AND_OPENING.match(text)
    if found is None or asks_about_clinic(text) or _NOT_ONE_MORE.search(text):
        return ""  # "y otra más: ¿dónde queda?", "y una más tarde?", "and one more thing"
    rest = found.group("rest")
    if another_person_too(rest):
        return "others"
    more = _ONE_MORE.search(rest)  # and what follows says when or with whom, or nothing ("y otra más"): never "y una
    return "more" if more and _WHEN_OR_NOTHING.match(rest[more.end():]) else ""  # más, se puede pagar con tarjeta?"


_AND_OPENING = re.compile(r"^(?:(?:ah+|oh+|ok|oka|okay|oye|ya|bueno|ahh|a)\s+){0,3}(?:y|e|and|plus)\s+(?P<rest>\S.*)$")
_ONE_MORE = re.compile(
    r"\b(?:un[ao]|otr[ao]) mas\b|\bone more\b|\banother (?:one|appointment)\b"
    r"|\b(?:tambien|tb|tmb|ademas|also)\b(?: (?:quiero|necesito|quisiera|dame|agendame|reservame|pideme|want|need))?"
    r" (?:una|otra|one|another)(?: (?:hora|cita|consulta|appointment|mas))?(?= (?:para|pa|for|el|la|este|esta|on"
    r"|this|next|con|with)\b| *$)"
)
_WHEN_OR_NOTHING = re.compile(
    r" *$| *(?:para|pa|for|el|la|los|las|este|esta|on|this|next|con|with|de|del|a las|at|en la|in the|hora|cita"
    r"|consulta|appointment|porfa|por favor|please|tambien|too|igual|mas|manana|pasado|tomorrow|lunes|martes|miercoles"
    r"|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
# What "y una más…" is not: another time instead ("y una más tarde?"), a question ("y otra cosa", "one more thing")
_NOT_ONE_MORE = re.compile(
    r"\b(?:un[ao]|otr[ao]|one|another)(?: mas)? (?:mas )?(?:tarde|temprano|tardecito|tempranito|later|earlier"
    r"|cosa|pregunta|duda|consulta\b(?= *[,:?])|thing|question)\b"
)


def yes_and_more(text: str) -> str | None:
    """At a confirmation, "sí, y …" / "dale, y también …": the rest of the message after the yes (the yes is acted on
    first), or None when the message is not a yes followed by more. "Sí, y es para mi hijo Tomás" (whom *this* one is
    for) is not: it is ``yes_for_someone``."""
    match = _YES_AND.match(text)
    if match is None:
        return None
    rest = match.group("rest")
    if yes_for_someone(text) and not (match.group("and") != "y" and match.group("and") != "and"
                                       or _ANOTHER_MARK.search(rest)):
        return None
    return rest


def another_person_too(rest: str) -> bool:
    """What follows "sí, y …" asks for someone else's appointment ("tb una para mi hijo Diego", "one for my son
    too", "my daughter needs one")."""
    person = for_someone_else(rest) or _MY_RELATIVE.search(rest) is not None
    return wants_several(rest) or (person and _ANOTHER_MARK.search(rest) is not None)


_MORE_WANTED = re.compile(
    r"\b(?:otr[ao]|another|one more)\s+(?:hora|cita|consulta|turno|reserva|appointment)\b"
    r"|\b(?:tambien|tb|tmb|ademas|also|aparte|de paso)\b.*\b(?:quiero|queria|necesito|need|want|tienen|hay|pidame"
    r"|pideme|agendame|reservame)\b"
)


def asked_besides(text: str) -> dict[str, bool]:
    """While a booking, cancel or move is awaited ("¿cómo quedó? y necesito otra para mi hijo"): what the message
    asks for besides the news, as the state's flags, said once the outcome is told (outcomes.rest_asked_for)."""
    if _PERSON.search(text):  # "¿quedó? quiero hablar con una persona": handed to reception once it is told
        return {"person_wanted": True}
    if another_person_too(text):
        return {"others_to_book": True}
    return {"more_asked": True} if _MORE_WANTED.search(text) else {}


def yes_for_someone(text: str) -> bool:
    """At "¿Confirmo …?": yes, and whom it is for ("sí, es para mi hijo Tomás Vega", "ok, a nombre de Rosa Díaz")."""
    return bool(_YES_THEN_WHOM.search(text))


_FOR_ME = re.compile(rf"\b(?:para mi(?: mism[oa])?|for me|for myself|(?:es|sera) mia)\b(?! {RELATIVE})")


def self_among(text: str) -> bool:
    """The writer is among those the message asks appointments for ("para mí y para mi esposa", "para mi hijo y para
    mí"), whoever else it names."""
    return bool(_FOR_ME.search(text) or _ME_AND_THEM.search(text))


# The writer is one of them (never only a relative: "mi hijo y mi hija")
_ME_AND_THEM = re.compile(rf"\b(?:{_WRITER_AND_A_RELATIVE})\b")


def for_me(text: str) -> bool:
    """The appointment is for the patient writing ("una para mí", "for myself"), whatever else the phone books."""
    return bool(_FOR_ME.search(text)) and not for_someone_else(text)


@lru_cache(maxsize=4096)  # asked of most messages
def for_someone_else(text: str) -> bool:
    """The appointment is for someone else ("para mi mamá", "mi hijo necesita hora"): ask whose name it goes under."""
    return bool(_SOMEONE_ELSE.search(text))


# "le pregunto a mi marido", "lo consulto con mi señora", "déjame ver con mi jefe", "let me ask my wife": someone
# the writer will ask before saying yes (``asks_to_wait``), not whom the appointment is for
_ASKING_A_RELATIVE = re.compile(
    # (never "consultar a mi hijo", "llevarlo a consultar": the son seen; nor "ask my son's appointment")
    rf"\b(?:(?:le |lo )?pregunt\w*(?: a| al)?|(?:lo |la )?consult(?:o|arlo|arla|are|amos) con|hablo con|hablarlo con"
    rf"|converso con|conversarlo con|coordino con|coordinarlo con|(?:lo )?(?:ver|veo|chequeo|reviso) con|ask"
    rf"|check with|talk (?:to|with)|speak (?:to|with)) {OURS} (?:{RELATIVE}|jefe|jefa|boss|pareja|partner)\b"
    r"(?!\s*'?s\b)"
)


_GREETING_WORDS = frozenset(
    "hola ola holi holis buenas buenos buena dias dia tardes noches hello hi hey alo saludos que tal como esta estas"
    " good morning afternoon evening".split()
)


_CALL = re.compile(
    r"\b(?:llam(?:en|eme|enme|arme|ame)|(?:que|q) (?:\w+ ){0,5}(?:me|nos) (?:llame|llamen)"
    r"|me (?:\w+ )?llam(?:e|en|ar|aran?)\b|llamarme|llamarnos|llamada|por telefono"
    r"|call me|phone me|(?:a|phone) call|by phone|ring me)\b"
)


def asks_for_call(norm: str) -> bool:
    """ "que me llamen", "¿me pueden llamar?", "call me": a person asked for, on the phone (reception is told so);
    never "no me pueden llamar, escríbanme" (to be written to)."""
    return bool(_CALL.search(_NO_CALL.sub(" ", norm))) and not _WRITE_TO_ME.search(norm)


# "no me pueden llamar hoy, estoy trabajando", "ahora no me pueden llamar": a statement with its reason (the question
# "¿no me pueden llamar?" asks for a call)
_CANT_TAKE_A_CALL_WORDS = (
    r"(?:ahora |hoy )?no (?:me |nos )?(?:pueden|puede|podran|podrian|podria) llamar\w* (?:hoy|ahora|porque|por que"
    r"|ya que|estoy|ando|no puedo|en este momento)|ahora no (?:me |nos )?(?:pueden|puede) llamar"
)
_CANT_TAKE_A_CALL = re.compile(rf"\b(?:{_CANT_TAKE_A_CALL_WORDS})")
_WRITE_TO_ME = re.compile(r"\b(?:escribanme|escribame|escribeme|que me escriban|por escrito|write to me|text me)\b")


# "no me llamen", "que no me llamen", "no quiero que me llamen", "don't call me": a call refused, never asked for
_NO_CALL = re.compile(
    r"\b(?:no (?:quiero|quisiera|necesito) (?:que )?(?:me |nos )?(?:llamen|llame|llamada\w*|llamar\w*)"
    r"|(?:que )?no (?:me |nos )?(?:llamen|llame|llames)\b|sin llamad\w*|(?:don t|do not|please don t) call"
    rf"(?: me)?|no phone calls?|{_CANT_TAKE_A_CALL_WORDS})\b"
)


def greeting_only(text: str) -> bool:
    """A message that only greets ("hola", "buenas tardes", "hi there" is not: "there" is more)."""
    words = set(text.split())
    return bool(words) and words <= _GREETING_WORDS


_WAIT = re.compile(
    r"\b(?:espera|esperame|espere|esperen|aguarda|aguarde|un momento|un momentito|un segundo|un seg|un minuto"
    r"|dame un (?:momento|segundo|minuto)"
    r"|deja(?:me)? (?:ver|verlo|revisar\w*|pensar\w*|consultar\w*|preguntar\w*)|lo pienso"
    r"|wait|hold on|one moment|one sec|one second|just a (?:moment|sec|second|minute)|let me (?:check|think|see|ask)"
    r"(?: about it| it over)?)\b"
)
_WAIT_REST = re.compile(
    r"\b(?:un poco|porfa|por favor|please|que|voy|ya vuelvo|ahora|po|pues|reviso|veo|mi agenda|mi calendario"
    r"|con mi (?:esposa|esposo|marido|mujer|jefe|mama|papa)|my (?:calendar|diary|schedule)|ok|okay|ya|si|bueno|a|y"
    r"|sure|yes|yeah|(?:checking|revisando|viendo) (?:my|mi) (?:calendar|diary|schedule|agenda|calendario)"
    r"|(?:y )?(?:te|le) (?:aviso|confirmo|digo|escribo)|let me|dejame|deja)\b"
)


def asks_to_wait(text: str) -> bool:
    """"Espera", "un momento", "espera, déjame ver mi agenda": the patient will answer, the menu stays as it is."""
    if not _WAIT.search(text):
        return False
    # ("espera que le pregunto a mi marido y te aviso", "let me ask my wife": someone asked first, then the answer)
    return not _WAIT_REST.sub(" ", _WAIT.sub(" ", _ASKING_A_RELATIVE.sub(" ", text))).split()


def asks_to_repeat(text: str) -> bool:
    """"¿Me repites las horas?", "no me llegaron las opciones": the same menu again, without a reproach."""
    return bool(_REPEAT.search(text))


def asks_where(text: str) -> bool:
    """A question about where the clinic is ("¿dónde queda?", "what's the address?")."""
    return bool(_WHERE.search(text))


_HOW_LONG = re.compile(r"\b(?:cuanto (?:dura|demora|tarda|se demora)|duracion|how long (?:is|does|will|are))\b")
_PRICE = re.compile(r"\b(?:cuanto (?:sale|cuesta|vale|cobran)|precio|valor|arancel|how much|price|cost|fee)")


def asks_price(text: str) -> bool:
    """"¿Cuánto sale la consulta?", "¿qué valor tiene?": a price, which reception answers."""
    return bool(_PRICE.search(text))


def asks_how_long(text: str) -> bool:
    """"¿Cuánto dura la consulta?" (and not also its price)."""
    return bool(_HOW_LONG.search(text)) and not _PRICE.search(text)


@lru_cache(maxsize=4096)  # asked of most messages
def asks_about_clinic(text: str) -> bool:
    """A question about the clinic (price, insurance, address, hours), with no word asking to book."""
    return bool(_INFO.search(text)) and not _BOOKING_VERB.search(text)


_THANKS = frozenset("gracias thanks thank thx ty agradezco agradecido agradecida".split())
_FAREWELL = frozenset("chao chau chaito chaucito adios bye goodbye vemos luego pronto cya".split())
_COURTESY_REST = _CLOSING_REST | frozenset(
    """
    perfecto perfect genial great excelente super buenisimo nice cool entendido de nada igualmente a usted ustedes
    nos hasta see ya bye okey oki oks lot mas doctor doctora senorita buenas buenos buen tardes noches dias dia que
    tenga tengas have nice good day muchisimas muchisimo quedo atento atenta atentos la su tu ayuda help for your
    bendiciones saludos abrazo besos cuidese cuidate po pue pues esten este estes bien ah ahh oh eh eso era es todo
    nada seria sería y e and si yes
    """.split()
)


_COURTESY_WORDS = _COURTESY_REST | _THANKS | _FAREWELL
# "nos vemos el viernes", "hasta el jueves a las 10": the appointment just booked (a farewell; "no puedo hasta el
# jueves" stays a wish: its other words are no courtesy)
_REPEATED_LAST = re.compile(r"(.)\1+$")  # "graciass", "chaooo": the last letter once
_SEE_YOU = re.compile(r"\b(?:nos vemos|see you|hasta (?:el|la|este|esta|manana|pasado|el dia))\b.*$")


@lru_cache(maxsize=4096)  # asked of most messages, at a conversation's start and after it
def courtesy(text: str) -> str:
    """What a message that is only courtesy says: "thanks" ("muchas gracias!", "ok gracias"), "bye" ("chao, nos
    vemos") or "" (anything else: a wish, a question, a bare "ok" or "sí", which may answer something)."""
    words = {_REPEATED_LAST.sub(r"\1", word) for word in _SEE_YOU.sub(" nos vemos", text).split()}  # "graciass"
    if not words or not words <= _COURTESY_WORDS:
        return ""
    return "thanks" if words & _THANKS else "bye" if words & _FAREWELL else ""


_ACKNOWLEDGING = frozenset(
    """
    ok oka okay okey oki oks vale perfecto perfect bueno listo entendido genial excelente super buenisimo dale ya great
    cool fine got it noted anotado gracias thanks po de acuerdo muy bien
    """.split()
)


def acknowledges(message: str, norm: str) -> bool:
    """"👍", "ok", "perfecto", "listo, gracias": a message that only says "understood" — to a question that asked for
    a choice ("¿cambiar o cancelar alguna, o pedir otra hora?") it chooses nothing. A bare "sí" is not one (it may
    mean one of the choices): it is asked again."""
    words = set(norm.split())
    if not words:
        return False
    if words <= {"si"}:  # an emoji the normalizer reads as "sí" (👍 👌 ✅), not the word itself
        return not any(ch.isalpha() for ch in message)
    return words <= _ACKNOWLEDGING


_THEN_NEW = re.compile(  # "cancela la del lunes | y pídeme otra con kine": where the request for a new one starts
    rf"\b(?:y|e|and|pero|luego|despues)\s+(?:me |tambien |ademas |then )?{_NEW_REQUEST}\b"
)
_MOVE_TARGET = re.compile(  # "cambia la del jueves | para el viernes": where a move's new day starts
    r"\b(?:para|al|a|pa|pal|hacia|prefiero|preferiria|mejor|mas bien|to|for|until|till)\s+(?:el |la |the |on |next"
    r" |este |esta |otro |otra |un |una"
    r" |proxim[oa] )?(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|manana|pasado|hoy|tomorrow|today|semana|week|next|proxim|dia|fecha|day|date|\d)"
    # "córrela para las 11:20", "más tarde el mismo día, tipo a las 6": a new time only (the day stays)
    r"|\b(?:para|pa) las \d|\b(?:tipo|como|onda) (?:a )?las \d|\b(?:para )?mas (?:tarde|temprano)\b"
    r"|\b(?:mejor|prefiero|preferiria|mas bien) (?:a las|a la|para las|pa las) \d"  # "me equivoqué, mejor a las 5"
    r"|\b(?:a|para|pa|en) (?:la )?misma hora\b|\b(?:al|para el) mismo horario\b"  # "… a la misma hora del viernes"
)


# "… el jueves a las 9 | y para mi hijo con el kine el viernes": where another person's own request starts
_SECOND_PERSON = re.compile(
    rf"\s(?:y|e|and)\s+(?:tambien\s+|ademas\s+|also\s+)?(?:otra\s+|una\s+|another\s+|one\s+)?(?:{_NOUN}\s+)?"
    rf"(?:para|pa|for)\s+(?:mi|el|la|my)\s+{RELATIVE}\b"
)


def second_persons_part(text: str) -> int | None:
    """Where a booking request for the writer ends and one for another person begins, each with its own day, time
    or professional ("hora para mí con la dra soto el jueves a las 9 y para mi hijo con el kine el viernes"): the
    index in ``text`` (folded, lower case, the message's own length) of " y para mi hijo…"; None: not two requests."""
    found = _SECOND_PERSON.search(text)
    if found is None or _SOMEONE_ELSE.search(text[: found.start()]):
        return None
    return found.start()


def sooner_or_later(norm: str) -> bool:
    """ "¿tienen algo más temprano?", "hay algo antes?", "is there anything earlier?": a time relative to one they
    may have (a move), or the first free one (a booking) — never taken as either on a bare "sí"."""
    return bool(_SOONER_OR_LATER.search(norm))


_SOONER_OR_LATER = re.compile(r"\b(?:(?:algo |hora |horas )?mas temprano|algo antes|mas antes|antes que eso"
                              r"|algo (?:mas tarde|despues)|anything (?:earlier|sooner|later)|earlier|sooner)\b")


def cancel_then_book_for_another(norm: str) -> bool:
    """ "cancela mi hora y agéndame una para mi mamá": a cancel, then a booking for another person (never a move of
    the writer's appointment into the other person's)."""
    then = _THEN_NEW.search(norm)
    return then is not None and bool(_SOMEONE_ELSE.search(norm[then.start():]))


def old_appointment_part(norm: str, moving: bool) -> str:
    """The part of a cancel's or a move's message that names the appointment it is about: "cancela la de las 16:00"
    of "… y pídeme una con la dra soto"; with ``moving``, "cambia la del jueves" of "… para el viernes", nothing of
    "cámbiala a las 11" (where it goes)."""
    then = _THEN_NEW.search(norm)
    part = norm[:then.start()] if then else norm
    if not moving:
        return part
    target = _MOVE_TARGET.search(part)
    if target is not None:
        return part[:target.start()]
    right_after = _AIM_RIGHT_AFTER_IT.search(part)
    return part[:right_after.start("aim")] if right_after else part


# "cámbiala a las 11", "muévela el lunes", "cambia mi hora con la dra soto", "la puedo cambiar a las 9", "move it to
# mon": the appointment named by a pronoun or "mi hora" alone, and right after it where the new one goes (never
# "cambia la del viernes a las 11", "cambia mi hora del jueves")
_AIM_RIGHT_AFTER_IT = re.compile(
    r"\b(?:(?:cambia|cambie|cambiar|mueve|mueva|mover|reagenda|reagende|reagendar|reprograma|reprograme|reprogramar"
    r"|pasa|pase|pasar|corre|corra|correr|pon|ponga|deja|deje|adelanta|adelante|atrasa|atrase|posterga|postergue)"
    r"(?:me|nos)?(?:la|lo)"
    r"|(?:cambia|cambie|cambiar|mueve|mueva|mover|reagenda|reagendar|reprograma|reprogramar|pasa|pasar|corre|correr)"
    r"(?: me)? (?:mi|la|tu) (?:hora|cita|consulta|reserva|atencion)"
    r"|(?:la|lo) (?:puedo|puedes|puede|podria|podrias|podemos|pueden) (?:cambiar|mover|pasar|correr|reagendar)"
    r"|(?:move|reschedule|resched|change|shift|push)(?: it| my appointment| my appt| the appointment| mine)?)"
    r"(?P<aim> (?:a las|a la) \d| el (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|\d)| con | with"
    r"| (?:manana|hoy|pasado manana)\b"
    r" | (?:to|on) (?:mon|tue|wed|thu|fri|sat|sun|\d))"
)


def move_aim_only(norm: str) -> str:
    """Where a move's message says the new time goes ("cambia la de las 10 | para el viernes"), "" when it says only
    which appointment ("cambia la de las 10": its 10 is the old one's)."""
    target = _MOVE_TARGET.search(norm)
    return norm[target.start():] if target else ""


def move_aim_part(norm: str) -> str:
    """The part of a move's message from where its new day starts ("no llego el jueves, cámbiala | pal viernes en
    la tarde"); all of it when no new day is said that way."""
    target = _MOVE_TARGET.search(norm)
    return norm[target.start():] if target else norm


_NONE_FITS = re.compile(
    r"^(?:(?:no|tampoco),? )?(?:ninguna|ninguno|ningun|none|neither)\b"
    r"|\bno me (?:sirve|sirven|acomoda|acomodan|queda|quedan|resulta|resultan|conviene|convienen|viene|vienen)\b"
    r"|\bno (?:puedo|quiero) (?:en )?(?:ninguna|ninguno|esos|esas|esa|ese)\b"
    r"|\b(?:none of (?:them|these|those)|(?:doesn|don) ?t (?:work|suit)|can ?t (?:make|do) (?:any|those|these))\b"
)


def none_fits(text: str) -> bool:
    """The patient says none of what was shown suits them: "ninguna me sirve", "no me acomoda", "none of them"."""
    return bool(_NONE_FITS.search(text))


_OWN_BOOKING = re.compile(
    rf"\b(?:mi|mis|my|our|nuestra|nuestras) {_NOUN}\b|\b(?:la|el|las|los|lo) que (?:ya )?(?:tengo|tenia|saque|tome"
    r"|reserve|agende|pedi|me dieron)\b|\bya tengo\b|\b(?:i|we) (?:have|had|booked)\b"
)


_KEEP_IT = re.compile(
    r"^(?:no|nah|nop|mejor no|no gracias|no mejor|olvidalo|olvidate|olvida|dejalo|dejala|dejemoslo|dejemosla)"
    r"(?: (?:asi|mas|nomas|como esta|como estaba|gracias|mejor|entonces|po|pues|igual|mejor no))*$"
    r"|\b(?:deja|dejala|dejalo|dejarla|dejarlo|dejemosla|dejemoslo|mantenla|mantenlo|mantener(?:la|lo)?)"
    r" (?:como|asi|igual|tal cual|donde)"
    r"|\bcomo estaba\b|\bno (?:la|lo|me la|me lo|quiero) (?:cambi|muev|mover)\w*"
    # "no, mejor la mantengo", "pido una nueva y mantengo la del jueves" (never "me la quedo": "I'll take it")
    r"|\b(?:mejor|no|prefiero) (?:la|lo) mantengo\b|^(?:la|lo) mantengo$"
    r"|\bmantengo (?:la|mi|el) (?:hora |cita )?(?:que tengo|que tenia|original|anterior"
    r"|mia|de antes)\b"
    # "…entonces no, déjala nomás", "no la canceles": said after a day or a reason, still a no
    r"|\b(?:dejala|dejalo|dejela|dejelo)(?: (?:nomas|no mas|mejor|entonces|po|pues|asi))*$"
    r"|\bno (?:la|lo|me la|me lo|se la) (?:cancel|anul)\w*"
    r"|\bmejor no (?:la |lo )?(?:cambi|muev)\w*"
    r"|\b(?:keep|leave) it\b|\bnever ?mind\b|\bforget it\b"
    # "keep my current one", "I'll keep the original appointment", "me quedo con la que tengo"
    r"|\bkeep (?:my|the) (?:current|existing|original|old|first) (?:one|appointment|booking|time)\b"
    r"|\bme quedo con (?:la|mi) (?:hora |cita )?(?:que tengo|que tenia|original|anterior|de antes)\b"
)


# "dejémoslo hasta aquí", "olvídalo", "no la reserves", "ya no quiero": the patient stops here, whatever was asked
_STOPS_HERE = re.compile(
    r"\b(?:dejemos\w*|dejal[ao]|dejalo|dejemoslo|(?:lo |la )?dejamos) (?:hasta aqui|hasta ahi|asi|ahi|para otro dia"
    r"|por ahora|nomas)\b"
    r"|\b(?:mejor )?no (?:agendo|reservo|tomo|saco|pido|voy a (?:agendar|reservar|tomar|sacar|pedir)) (?:nada|ninguna"
    r"|hora|la hora|por ahora)\b"
    r"|\b(?:olvidal[ao]|olvidate|olvidemos\w*)\b"
    r"|\bno (?:la |lo |me la |me lo )?(?:reserves|agendes|tomes|saques|anotes)\b"
    r"|\b(?:ya no|no) (?:la |lo )?quiero(?: (?:nada|ninguna|reservar|agendar|la hora))?\s*$"
    r"|\b(?:never ?mind|forget it|don ?t book(?: it)?)\b"
)


def stops_here(text: str) -> bool:
    """"Dejémoslo hasta aquí nomás", "olvídalo", "no la reserves": nothing more is wanted now."""
    return bool(_STOPS_HERE.search(text))


def calls_it_off(text: str) -> bool:
    """While a booking's outcome is not known: the patient no longer wants it ("no no espera, mejor no", "mejor no,
    cancela eso", "olvídalo"), to be asked "¿La cancelo?" once it turns out booked."""
    return bool(stops_here(text) or keeps_it(text) or re.search(r"\bmejor no\b", text))


def keeps_it(text: str) -> bool:
    """While a move is under way: the patient would rather keep the appointment as it was ("mejor no", "déjala como
    estaba", "no la cambies", "never mind")."""
    return bool(_KEEP_IT.search(text))


_OTHER_PROFESSIONAL = re.compile(
    r"\b(?:otr[oa]s?|distint[oa]s?|diferente) (?:doctor\w*|dr|dra|profesional\w*|medic[oa]s?|especialista\w*"
    r"|kinesiolog[oa]s?|kines?|kinesios?)\b"
    r"|\b(?:another|a different|other) (?:doctor|professional|physician|specialist|therapist)s?\b"
    # "mejor con otra persona", "with someone else" (never "es para otra persona", "for another person": whom it is for)
    r"|(?<!para )(?<!pa )\b(?:otr[oa]|distint[oa]) persona\b|(?<!for )\b(?:another|a different) person\b"
    r"|\b(?:with|see) (?:someone|somebody|anyone) else\b"
)


def asks_other_professional(text: str) -> bool:
    """"Mejor con otro doctor", "otra profesional", "another doctor": the "Otros profesionales" button, typed."""
    return bool(_OTHER_PROFESSIONAL.search(text))


_WANTS_IT_BACK = re.compile(
    r"\b(?:devuelv\w*|devolv\w*|me arrepenti\w*|arrepentid[oa]s?|recuperar\w*|deshac\w*|deshaz\w*|restablec\w*"
    r"|no (?:la |lo )?(?:queria|quise|quiero|era para|debia|tenia que) (?:cancel|anul)\w*"
    r"|no (?:la |lo )(?:cancel|anul)\w*"
    r"|(?:cancel|anul)\w* (?:por error|sin querer|por equivocacion)|sin querer|por error|me equivoque|me confundi"
    r"|(?:dej|manten|mantien)\w* (?:igual|como estaba|tal cual)|(?:esa|la) si la (?:necesito|quiero)"
    r"|(?:no|ay|ay no|noo+),? (?:mejor )?(?:dejala|dejalo|dejamela)|^(?:no,? )?mejor no$|^(?:mejor )?dejala$"
    r"|vuelv\w* a (?:dar|reserv|agend|pon|anot|tom|ped)\w*"
    r"|(?:dam|dem|reserv|agend|anot|pon|dej)\w* (?:de nuevo|otra vez|nuevamente|de vuelta)"
    r"|(?:la|lo) (?:quiero|necesito) (?:de nuevo|otra vez|nuevamente|de vuelta|igual)"
    r"|(?:undo|give (?:it|me it) back|(?:book|put) (?:it|me) (?:back|again)|changed my mind|did not mean to cancel"
    r"|didn t mean to cancel|cancel+ed (?:it )?by mistake))\b"
)


def wants_it_back(text: str) -> bool:
    """Right after a cancellation: the patient wants that appointment back ("me arrepentí, devuélvemela", "no
    quería cancelarla", "vuelve a dármela", "undo")."""
    return bool(_WANTS_IT_BACK.search(text))


_LEAVES_IT_FOR = re.compile(_LEAVES_IT)


def leaves_it_for(text: str) -> bool:
    """"Déjala para el viernes", "ponla el lunes", "pónmela para el martes": the appointment spoken of ("la") put on
    a day — theirs moved in a first message, the one being booked while its days are shown."""
    return _LEAVES_IT_FOR.search(text) is not None


def corrects_a_booking(text: str) -> bool:
    """"Me equivoqué, quería medicina general", "me confundí de especialidad": the appointment just made was not the
    one meant (moved, never a second one beside it)."""
    return bool(_CORRECTION.search(text))


def asks_to_book(text: str) -> bool:
    """The message asks for an appointment in so many words ("quiero agendar con la dra soto el lunes"), whatever
    else it asks."""
    return bool(_BOOKING_VERB.search(text))


def says_cancel(text: str) -> bool:
    """The message says "cancel" in so many words ("cancélala", "anular mi cita", "cancel it"), whatever else it says
    (never only "no puedo ir")."""
    return bool(_CANCEL.search(text))


def asks_to_move(text: str) -> bool:
    """The message asks in so many words to move an appointment ("cambiarla pal viernes", "la quiero cambiar"), not
    only corrects itself ("me equivoqué")."""
    return bool(_RESCHEDULE.search(text))


def names_own_booking(text: str) -> bool:
    """The message speaks of an appointment the patient already has ("mi hora", "la que tengo", "my appointment"),
    not of the time the bot is offering."""
    return bool(_OWN_BOOKING.search(text))


def _closing(short: str) -> bool:
    """The whole message closes the chat: farewells, "eso sería todo", thanks and fillers only."""
    if not _CLOSING.search(short):
        return False
    return set(_CLOSING.sub(" ", short).split()) <= _CLOSING_REST


_NAME_FIX = re.compile(
    r"\b(?:corregir|corrige|corrijan?|cambiar|cambia|cambien|arreglar|arregla|modificar|modifica|editar)\b"
    r"[^.?!]{0,30}\bnombre\b"
    r"|\bnombre\b[^.?!]{0,30}\b(?:mal|malo|equivocad[oa]|incorrecto|errado|erroneo)\b"
    r"|\b(?:mal|equivocad[oa]|incorrecto|errado)\b[^.?!]{0,20}\bnombre\b"
    r"|\bme (?:equivoque|confundi) (?:de|en el|con el|en|con) nombre\b"
    r"|\b(?:wrong|fix|correct|change)\b[^.?!]{0,20}\bname\b"
    r"|\bname\b[^.?!]{0,20}\b(?:is |was )?(?:wrong|incorrect|misspelled|mistaken)\b"
    # "no voy a poder ir, pero quiero que vaya mi hijo en mi lugar": the appointment kept, under another name
    r"|\b(?:vaya|va|ira|iria|asista|go|goes|will go)\b[^.?!]{0,30}\b(?:en (?:mi|su) lugar|en (?:vez|reemplazo)"
    r" (?:mio|mia|de mi)|in my place|instead of me)\b"
)


# "voy a llegar tarde a mi hora", "llego como 10 minutos tarde", "voy atrasada", "I'm running 15 minutes late":
# never "la tarde" (the afternoon: "llego en la tarde")
_LATE = re.compile(
    r"\b(?:(?:voy|vamos|va|van) a (?:llegar|estar) (?:\w+ ){0,4}?(?<!la )(?<!las )(?:tarde|atrasad[oa]s?|con atraso"
    r"|con retraso)\b"
    r"|(?:llego|llegare|llegaremos|llegamos|llega|(?<!no )(?:llegue|lleguemos|llegar|llegaria)) (?:\w+ ){0,4}?"
    r"(?<!la )(?<!las )(?:tarde|atrasad[oa]s?)\b"
    r"|(?:voy|vamos|va|van|ando|estoy) (?:un poco |algo |super |muy |medio )?(?:atrasad[oa]s?|con atraso|con retraso)\b"
    r"|me (?:voy a )?(?:atrase|atrasare|atrasar|retrase|retrasare|retrasar)\b"
    r"|(?:(?:i m|i am|im|we re|we are) (?:running |going to be |gonna be )?|(?:i ll|i will|ill|we ll|we will) be"
    r" |running )(?:a (?:bit|little) |(?:about |around |like )?\d+ (?:min|mins|minutes) )?late\b"
    # "llego tipo 11:15", "llego en 15 minutos", "voy en camino", "llego un poquito después de mi hora", "¿me esperan?"
    r"|(?:llego|llegare|llegamos|llegaremos) (?:\w+ ){0,2}?(?:tipo|como|a eso de|en|unos|unas|al rededor de)"
    r"(?: a las?)? \d"  # "llego como a las 10:20"
    r"|(?:voy|vamos|vengo|venimos|estoy|estamos) (?:\w+ )?en (?:camino|el taco|un taco|el trafico)"
    r"|(?:llego|llegare|llegamos) (?:\w+ ){0,3}?(?:despues|mas tarde) de (?:mi|la|nuestra) (?:hora|cita)"
    r"|igual me (?:pueden|puede|podran|podrian|podria) (?:atender|esperar)|me (?:pueden|puede|podrian) esperar"
    r"|on my way|be there in (?:\w+ )?\d|running (?:a (?:bit|little) )?behind|stuck in traffic"
    r"|\d+ (?:min|mins|minutes) (?:after|past) my appointment)"
)


@lru_cache(maxsize=4096)  # asked of nearly every message
def running_late(norm: str) -> bool:
    """The patient says they will be late for their appointment: reception is told (never a new booking's menus);
    never "¿y si llego tarde?", "what if I'm late?" (a question, for reception to answer)."""
    return (any(word in norm for word in _LATE_WORDS) and _LATE.search(norm) is not None
            and _WHAT_IF.search(norm) is None)


# "¿y si llego tarde?", "¿qué pasa si llego tarde?", "what if I'm late?", "what happens if I'm late?"
# (said first: "I'm running late, what if the doctor leaves?" is still a notice)
_WHAT_IF = re.compile(r"^(?:y |pero )?(?:que pasa |que hago )?si (?:llego|llegamos|me atraso)"
                      r"|^(?:and |but |so )?(?:what (?:happens )?if|if) (?:i m|i am|we re|i ll be|i will be|im)"
                      r" (?:\w+ )*?late\b")


_LATE_WORDS = ("tard", "atras", "retras", "late", "llego", "llegare", "llegamos", "camino", "esper", "atender", "way",
               "be there", "behind", "traffic", "after my")  # a cheap look first: most messages have none


@lru_cache(maxsize=4096)  # asked of most messages
def wants_name_fixed(norm: str) -> bool:
    """The patient asks to correct the name an appointment is under ("quedó mal el nombre", "cambiar el nombre de
    la reserva"): not a new booking."""
    return _NAME_FIX.search(norm) is not None


# "no, la hora es para mi hija Sofía, no para mí", "la cita que pedí era para mi mamá": the appointment they have is
# under the wrong person. Read only where their appointments are on the table ("Ya tienes hora…"): a first message
# "la hora es para mi hijo" is a booking for him.
# The same said so plainly it is never a new booking: "no es para mí, es para mi hija", "me equivoqué, era para mi
# hija", "that was for my daughter, not me" — read at any point, a new conversation included.
_SURELY_FOR_ANOTHER = re.compile(
    rf"\bno (?:es|era) (?:para|pa) mi\b.*\b(?:es|era) (?:para|pa) "
    rf"|\b(?:me equivoque|me confundi)\b.*\bera (?:para|pa) (?:mi |el |la )?{RELATIVE}\b"
    rf"|\b(?:la|esa|esta|mi) {_NOUN} (?:es|era) (?:para|pa) [^.?!]*\bno (?:para|pa) mi\b"
    # "oye pero era para mi hijo, no para mí", "ups era para mi hijo", "quería que fuera a nombre de mi hijo"
    rf"|\b(?:es|era) (?:para|pa) (?:mi |el |la )?{RELATIVE}\b[^.?!]*\bno (?:para|pa) mi\b"
    rf"|^(?:\w+ ){{0,3}}era (?:para|pa) (?:mi |el |la )?{RELATIVE}\b"
    r"|\b(?:queria|quise|pedi|necesitaba) que (?:fuera|quedara|estuviera|saliera) a nombre de\b"
    rf"|\b(?:that|it) was for my {RELATIVE}|\bit s for my {RELATIVE}[^.?!]*\bnot (?:for )?me\b"
    # "ponla a nombre de mi hija Sofía", "la reserva debe ir a nombre de…": the appointment made, under another name
    r"|\b(?:ponla|ponlo|pongala|pongalo|ponerla|cambiala|cambialo|cambiarla|pasala|pasarla|anotala"
    r"|debe ir|deberia ir|tiene que ir|tiene que estar|deberia estar|debe estar)\s+a nombre de\b"
    r"|\b(?:put|change) (?:it|the appointment|the booking) (?:under|to) (?:the name|my \w+|\w+ \w+)"
    rf"|\b(?:it s|its|is|was) for [a-z ]{{1,30}}? not (?!for\b|sure\b|today\b|tomorrow\b|tonight\b|this\b|next\b"
    r"|the\b|at\b|in\b|on\b|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morning|afternoon|evening"
    r"|\d)\w+"
)
_BOOKED_FOR_ANOTHER = re.compile(
    rf"\b(?:la|esa|esta|mi) (?:{_NOUN}) (?:que (?:pedi|reserve|tome|agende|saque|me dieron|acabo de \w+) )?"
    rf"(?:es|era|iba|seria) (?:para|pa|de) (?:mi |el |la )?{RELATIVE}"
    rf"|^no+ (?:(?:la|esa) (?:{_NOUN}) )?(?:es|era) (?:para|pa|de) (?:mi |el |la )?{RELATIVE}"
    rf"|\b(?:quedo|esta) a mi nombre\b.*\b(?:pero|y) (?:es|era) (?:para|pa|de)\b"
    rf"|\b(?:the|that|my) {_NOUN} (?:i (?:made|booked) )?(?:is|was) for my {RELATIVE}"
)


def booked_for_another(norm: str) -> bool:
    """Of an appointment already made: it is someone else's, not the writer's (its name must be corrected)."""
    return _BOOKED_FOR_ANOTHER.search(norm) is not None or surely_for_another(norm)


@lru_cache(maxsize=4096)  # asked of most messages
def surely_for_another(norm: str) -> bool:
    """``booked_for_another`` said so that it can only be of an appointment already made (any point, a first
    message included), unless the message also asks for one ("necesito hora, es para mi hijo, no para mí")."""
    return _SURELY_FOR_ANOTHER.search(norm) is not None and not _ASKS_NEW.search(norm)


# What sounds like an emergency (chest pain, not breathing, heavy bleeding, fainting, a stroke...): the patient is
# told, before anything else, not to wait for an appointment. "Urgente" alone is how many ask for a soon one.
_EMERGENCY = re.compile(
    r"\b(?:dolor (?:muy |fuerte |intenso )?(?:de|en el) pecho|(?:me|le) duele (?:mucho |harto |demasiado )?el pecho"
    r"|(?:no|casi no) (?:puedo|puede|podemos) respirar|(?:me|le) cuesta (?:mucho )?respirar|(?:me|le) falta el aire"
    r"|se (?:esta )?ahog\w*|me (?:estoy )?ahog\w*|desmay\w*|inconsciente|convulsi\w*|infarto|derrame cerebral|acv"
    r"|(?:sangr\w*|hemorragia) (?:mucho|harto|sin parar|abundante)|hemorragia|intoxicad\w*|envenen\w*|emergencia"
    r"|suicid\w*|quitarme la vida|quiero morir|me quiero matar"
    r"|chest pain|(?:can ?t|cannot|can not) breathe|short of breath|emergency|unconscious|seizure|fainted"
    r"|bleeding (?:heavily|a lot)|heart attack|stroke)\b"
)


@lru_cache(maxsize=16_384)  # every turn asks: a patient's few messages repeat
def sounds_like_an_emergency(norm: str) -> bool:
    """The message describes an emergency: an appointment in days is not the answer (said before the menus)."""
    return _EMERGENCY.search(norm) is not None


_EVERY_ONE = re.compile(
    rf"\b(?:las dos|los dos|las 2|los 2|ambas|ambos|las tres|los tres|todas|todos|todas mis {_NOUN}|both"
    rf"|all (?:of )?(?:my|our|the) {_NOUN}|all of them|all three)\b"
    # (never "las dos no, solo la del viernes", "not both, just friday's"; "las dos no puedo" is both)
    r"(?! no (?:solo|solamente|nomas|only|just|la|el|las|los)\b| no$)(?<!\bnot both)"
)


def means_every_one(norm: str) -> bool:
    """The patient means each of their appointments ("cancela las dos, la mía y la de mi mamá", "todas")."""
    return _EVERY_ONE.search(norm) is not None


_YOU_CHOOSE = re.compile(
    r"^(?:(?:ya|ok|bueno|si|pues|mmm|eh)\s+)*(?:cualquiera|cualquier (?:hora|dia)|la que sea|el que sea|la que tengas"
    r"|la que haya|el que tengas|me da igual|da igual|(?:me )?da lo mismo|lo que sea|cualquier especialidad"
    r"|cualquier profesional|cualquier doctor|whichever|any|any (?:one|time|day)|anyone|doesn t matter)"
    r"(?:\s+(?:esta bien|sirve|me sirve|no mas|nomas|porfa|por favor|please|is fine|works|la hora|el dia|de esas"
    r"|de esos|da igual))*$"
)


def whichever(norm: str) -> bool:
    """The whole message leaves the choice to the bot ("cualquiera está bien", "la que sea", "me da igual")."""
    return _YOU_CHOOSE.match(norm.strip(" .!,")) is not None


_TAKE_CANCEL_BACK = re.compile(
    r"\b(?:no (?:me |se |te )?(?:la |lo |las |los )?(?:cancel|anul|borr|elimin)\w*|no (?:la|lo) (?:quiero )?perder"
    r"|(?:la|lo) (?:necesito|voy a necesitar|quiero mantener|quiero conservar)|(?:mantener|conservar)(?:la|lo)"
    r"|(?:mejor )?(?:dejala|dejalo|dejemosla|dejemoslo)|me arrepenti|cambie de opinion|(?:don ?t|do not) cancel"
    r"|keep (?:it|my appointment)|changed my mind)\b"
)


def takes_cancel_back(norm: str) -> bool:
    """After a cancel the bot could not confirm: the patient no longer wants it ("no, no la canceles", "mejor
    déjala", "la necesito", "no")."""
    return keeps_it(norm) or bool(_TAKE_CANCEL_BACK.search(norm)) or norm.strip(" .!") in ("no", "nop", "nope")


_TAKE_MOVE_BACK = re.compile(
    r"\b(?:no (?:me |se |te )?(?:la |lo )?(?:cambi|muev|mov|corr|pas)\w*|(?:mejor )?no (?:la|lo) cambio"
    r"|me quedo con (?:la|mi|el) (?:hora |cita )?(?:original|anterior|primera|de antes|que tenia|mia)"
    r"|(?:me quedo|quedarme|me quedaria|prefiero quedarme|mejor me quedo) con (?:la|mi|el) (?:hora |cita )?"
    r"(?:que tenia|de antes|del?|de la|de las)\b"
    r"|(?:la|mi) (?:hora )?(?:original|anterior|de antes|que tenia)|como estaba|don ?t (?:move|change) it"
    r"|keep (?:the|my) (?:original|old|first) (?:one|appointment))\b"
)


def takes_move_back(norm: str) -> bool:
    """After a move the bot could not confirm: the patient wants the appointment they had ("no, mejor no la
    cambies", "me quedo con la original", "déjala como estaba"), or any of the cancel's take-backs."""
    return takes_cancel_back(norm) or bool(_TAKE_MOVE_BACK.search(norm)) or calls_it_off(norm)


# What a chat shows for a voice note, a photo or a file (the bot gets no text to read): said as such, never read as
# "0:32" o'clock.
_MEDIA_ONLY = re.compile(
    r"^(?:(?:nota|mensaje|audio) de voz|audio|voice (?:note|message)|(?:multimedia|imagen|image|video|archivo|audio"
    r"|sticker|documento|foto) omitid[oa]|media omitted|(?:foto|imagen|video|sticker|documento|archivo|image|photo"
    r"|file|document))(?:\s+\d{1,2}:\d{2})?$"
)


# A voice note, photo or file that arrives as its attachment's link alone (Kommo's amojo…/attachments/voice/….ogg;
# normalized, the dots are spaces)
_MEDIA_LINK = re.compile(
    r"^https?://[^ ]+(?: [^ ]+)*? (?:ogg|oga|opus|mp3|m4a|aac|wav|amr|weba|jpe?g|png|gif|webp|heic|mp4|mov|3gp|pdf"
    r"|docx?)$"
)


@lru_cache(maxsize=16_384)
def media_only(norm: str) -> bool:
    """The message is only a voice note's, a photo's or a file's placeholder (or its link)."""
    text = norm.strip(" .()[]<>")
    return _MEDIA_ONLY.match(text) is not None or _MEDIA_LINK.match(text) is not None

