"""The patient's own appointments: list them and cancel one, through an agent that can (and one that cannot)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conversation_kit import EN, ES, Chat, agenda, buttons, lines, slot, slots, texts

from wire.appointments import (
    CancelArgs,
    CancelResult,
    MyBookingsArgs,
    MyBookingsResult,
    RescheduleArgs,
    RescheduleResult,
    WireBooking,
)
from wire.messages import WireError

THU = WireBooking("bk-7", "2026-12-03T10:00:00-03:00", "2026-12-03T10:30:00-03:00", "Dra. Ana Soto")
FRI = WireBooking("bk-8", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dr. Juan Rojas")
PAST = WireBooking("bk-1", "2026-11-20T10:00:00-03:00", "2026-11-20T10:30:00-03:00", "Dra. Ana Soto")


class ClinicAgent:
    """Answers my_bookings with ``bookings`` and cancels once per key."""

    def __init__(self, *bookings: WireBooking, previous_cancelled: bool = True) -> None:
        self.bookings = list(bookings)
        self.cancelled: dict[str, str] = {}  # key -> booking id
        self.moved: dict[str, tuple[str, str]] = {}  # key -> (old booking id, new slot id)
        self.previous_cancelled = previous_cancelled

    def __call__(self, step):
        if isinstance(step.args, MyBookingsArgs):
            assert step.args.phone == "+56 9 1234 5678"
            return MyBookingsResult(tuple(self.bookings))
        if isinstance(step.args, RescheduleArgs):
            repeat = step.args.idempotency_key in self.moved
            self.moved[step.args.idempotency_key] = (step.args.booking_id, step.args.slot_id)
            slot = step.state.pending
            return RescheduleResult("bk-new", slot.start, slot.end, slot.professional, self.previous_cancelled, repeat)
        assert isinstance(step.args, CancelArgs)
        repeat = step.args.idempotency_key in self.cancelled
        self.cancelled[step.args.idempotency_key] = step.args.booking_id
        self.bookings = [b for b in self.bookings if b.booking_id != step.args.booking_id]
        return CancelResult(step.args.booking_id, repeat=repeat)


def test_a_first_message_asking_to_cancel_the_only_appointment_asks_to_confirm_then_cancels():
    agent = ClinicAgent(THU, PAST)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    reply = chat.say("necesito cancelar la hora que acabo de tomar")
    assert "¡Hola, Ana!" in texts(reply)
    assert "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    assert buttons(reply) == ["Sí, cancelar", "No"] and not agent.cancelled
    reply = chat.say("Sí, cancelar")
    assert reply.status == "cancelled" and reply.state is not None and reply.state.stage == "cancelled"
    assert "Listo, cancelé tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto." in texts(reply)
    assert list(agent.cancelled.values()) == ["bk-7"]


def test_several_appointments_are_listed_and_the_chosen_one_is_cancelled_by_its_number():
    agent = ClinicAgent(FRI, THU)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("hola")
    reply = chat.say("quiero anular una hora")
    assert lines(reply) == ["1. jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto",
                            "2. viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas"]
    assert "¿Cuál quieres cancelar?" in texts(reply)
    reply = chat.say("2")
    assert "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00" in texts(reply)
    assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-8"]


def test_the_appointment_to_cancel_is_named_by_its_time_or_day():
    same_day = WireBooking("bk-9", "2026-12-03T18:00:00-03:00", "2026-12-03T18:30:00-03:00", "Dr. Juan Rojas")
    for message, chosen in (("la de las 6", "a las 18:00"), ("18:00", "a las 18:00"),
                            ("la del viernes", "viernes 4 de diciembre")):
        agent = ClinicAgent(THU, same_day, FRI)
        chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
        chat.say("quiero cancelar mi hora")
        reply = chat.say(message)
        assert "¿Cancelo tu hora del" in texts(reply) and chosen in texts(reply), (message, texts(reply))
        assert not agent.cancelled
    agent = ClinicAgent(THU, same_day, FRI)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("quiero cancelar mi hora")
    reply = chat.say("la del jueves")  # two that Thursday: not one of them at random, and not a new booking
    assert "¿Cuál de tus horas?" in texts(reply) and len(lines(reply)) == 3 and "¿Cancelo" not in texts(reply)
    assert "¿Cancelo tu hora del jueves 3 de diciembre a las 18:00" in texts(chat.say("la de las 18"))


def test_no_keeps_the_appointment_and_offers_a_new_one():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("cancelar mi hora")
    reply = chat.say("no")
    assert "Entendido, tu hora sigue en pie." in texts(reply) and not agent.cancelled
    assert chat.say("Pedir otra hora").status == "choose_day"


def test_my_appointments_lists_them_and_can_go_on_to_cancel_or_book():
    agent = ClinicAgent(THU, FRI)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent, clinic=EN)
    reply = chat.say("when is my appointment?")
    assert "These are your upcoming appointments:" in texts(reply)
    assert lines(reply)[0] == "1. Thursday 3 December at 10:00 with Dra. Ana Soto"
    assert buttons(reply) == ["Change one", "Cancel one", "Book another"]
    reply = chat.say("Cancel one")
    assert "Which one do you want to cancel?" in texts(reply)
    reply = chat.say("Thu 3 Dec 10:00")
    assert buttons(reply) == ["Yes, cancel", "No, keep it"]


def test_nothing_found_says_so_and_offers_to_book():
    chat = Chat(agenda([2], [(9, 0)]), appointments=ClinicAgent(PAST))
    reply = chat.say("tengo hora?")
    assert "No encontré horas próximas con este número de teléfono." in texts(reply)
    assert buttons(reply) == ["Pedir una hora"]
    assert chat.say("Pedir una hora").status == "choose_day"


def test_an_agent_that_cannot_hands_off_and_a_failed_cancel_says_so():
    chat = Chat(agenda([2], [(9, 0)]))  # the default agent lacks the capability
    reply = chat.say("quiero cancelar mi hora")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "cancel_requested"
    assert "Para cancelar tu hora, una recepcionista te escribirá en breve." in texts(reply)
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2], [(9, 0)]), appointments=lambda step: agent(step) if isinstance(
        step.args, MyBookingsArgs) else WireError("portal_down", "down", nothing_written=True))
    chat.say("cancelar mi hora")
    reply = chat.say("Sí, cancelar")
    assert reply.status == "handoff" and "No pude cancelar tu hora en este momento: sigue reservada." in texts(reply)
    assert reply.continuation["data"]["booking_id"] == "bk-7"


def test_a_cancel_whose_outcome_never_came_back_is_asked_again_with_the_same_key():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("cancelar mi hora")
    step = chat.decide("Sí, cancelar")
    chat.state = step.state  # the relay stopped before the agent answered
    reply = chat.say("hola?")
    assert reply.status == "cancelled"
    assert chat.steps[-1].args.idempotency_key == step.args.idempotency_key


def test_cancelling_needs_no_free_slots():
    agent = ClinicAgent(THU)
    chat = Chat(slots(), appointments=agent)
    reply = chat.say("cancelar mi hora")
    assert buttons(reply) == ["Sí, cancelar", "No"]
    assert chat.say("Sí, cancelar").status == "cancelled"


def test_moving_the_only_appointment_goes_through_the_menus_and_books_the_new_time_first():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4], [(9, 0), (16, 0)], ("Dra. Ana Soto", "Dr. Juan Rojas")), appointments=agent)
    reply = chat.say("hola, necesito cambiar mi hora")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    assert buttons(reply) == ["Sí, cambiarla", "No"]
    reply = chat.say("Sí, cambiarla")
    assert "la del jueves 3 de diciembre a las 10:00 se cancelará cuando la nueva quede reservada" in texts(reply)
    assert reply.continuation["data"]["professional"] == "Dra. Ana Soto"  # the same professional first
    reply = chat.say("el viernes a las 4")
    assert ("¿Confirmo el viernes 4 de diciembre a las 16:00 con la Dra. Ana Soto, en vez de tu hora del jueves 3 de"
            " diciembre a las 10:00?") in texts(reply)  # which one goes, said before "sí"
    assert not agent.moved and not chat.books
    reply = chat.say("sí")
    assert reply.status == "booked" and reply.continuation["data"]["rescheduled_from"] == "bk-7"
    assert "¡Listo, Ana! Cambié tu hora del jueves 3 de diciembre a las 10:00 por esta:" in texts(reply)
    assert list(agent.moved.values()) == [("bk-7", chat.steps[-1].args.slot_id)] and not chat.books


def test_a_move_whose_old_appointment_could_not_be_cancelled_says_so_and_hands_off():
    agent = ClinicAgent(THU, previous_cancelled=False)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("quiero reagendar mi hora")
    chat.say("sí")
    reply = chat.say("Mié 2 dic")  # the only time that day: a tap on the day, then the time
    reply = chat.say(buttons(reply)[0])
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "previous_not_cancelled"
    assert "no pude cancelar la anterior (jueves 3 de diciembre a las 10:00)" in texts(reply)
    assert "Una recepcionista te escribirá en breve." in texts(reply)
    # Reception's task names the one to cancel — the old one — not only the new one (the one they would find)
    from relay.followup_texts import handoff_event, task_text

    event = handoff_event("fu-1", chat.turn("x"), reply, chat.replies[-2].state, chat.now, "")
    assert (event.about, event.chosen_start) == ("move_from", THU.start)
    assert f"Hora que pidió cambiar: jueves 3 de diciembre 10:00 {THU.professional}." in task_text(event, "es")


def test_a_move_the_agent_cannot_do_keeps_the_old_appointment_and_says_so():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2], [(9, 0)]), appointments=lambda step: WireError("bad_request", "no")
                if isinstance(step.args, RescheduleArgs) else agent(step))
    chat.say("quiero cambiar mi hora")
    chat.say("sí")
    chat.say("Mié 2 dic")
    reply = chat.say("09:00")
    assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "reschedule_requested"
    assert "la del jueves 3 de diciembre a las 10:00 sigue en pie" in texts(reply)


def test_a_move_that_says_when_goes_straight_to_that_day_once_confirmed():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4, 7], [(9, 0), (16, 0)]), appointments=agent)
    reply = chat.say("necesito cambiar la hora, mejor el lunes en la mañana")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)
    reply = chat.say("si")
    assert "se cancelará cuando la nueva quede reservada" in texts(reply)
    assert reply.continuation["data"].get("day_label") == "Lun 7 dic", texts(reply)
    assert buttons(reply)[0] == "09:00" and "16:00" not in buttons(reply)


def test_a_move_that_names_only_the_old_day_shows_the_days():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4, 7], [(9, 0), (16, 0)]), appointments=agent)
    chat.say("quiero cambiar mi hora del jueves")
    reply = chat.say("si")
    assert reply.status == "choose_day" and "se cancelará cuando la nueva quede reservada" in texts(reply)


def test_i_cannot_go_can_you_move_it_is_a_move_not_a_cancellation():
    for message in ("no voy a poder ir el jueves, la puedes mover para el viernes?",
                    "no alcanzo a llegar el jueves, se puede pasar al viernes?"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([2, 4, 7], [(9, 0), (16, 0)]), appointments=agent)
        reply = chat.say(message)
        assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(reply), (message, texts(reply))
        reply = chat.say("1")
        assert reply.continuation["data"].get("day_label") == "Vie 4 dic" and not agent.cancelled


def test_my_appointments_offer_a_change_and_one_named_there_goes_to_its_confirmation():
    agent = ClinicAgent(THU, FRI)
    chat = Chat(agenda([2, 7], [(9, 0)]), appointments=agent)
    reply = chat.say("cuáles son mis horas?")
    assert buttons(reply) == ["Cambiar una", "Cancelar una", "Pedir otra hora"]
    reply = chat.say("quiero cambiar la del viernes")
    assert "¿Cambio tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in texts(reply)
    reply = chat.say("Cambiar una")  # a tap on the old menu is no longer it: the buttons of this one
    chat = Chat(agenda([2, 7], [(9, 0)]), appointments=ClinicAgent(THU, FRI))
    chat.say("cuáles son mis horas?")
    reply = chat.say("Cambiar una")
    assert "¿Cuál quieres cambiar?" in texts(reply) and len(lines(reply)) == 2


def test_i_cannot_go_shall_we_move_it_to_another_day_is_a_move():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    reply = chat.say("no voy a poder ir, ¿la cambiamos para otro día?")
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(reply) and not agent.cancelled


def test_thanks_at_the_appointments_menus_closes_in_kind():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("cancelar mi hora")
    assert "Entendido, tu hora sigue en pie." in texts(chat.say("no"))
    reply = chat.say("gracias")
    assert reply.status == "closed" and texts(reply).startswith("¡De nada") and not agent.cancelled


def test_after_a_hand_off_for_a_move_a_yes_or_no_still_waits():
    chat = Chat(agenda([2], [(9, 0)]))  # an agent that cannot look appointments up: a person moves it
    assert chat.say("necesito cambiar mi hora").continuation["data"]["reason"] == "reschedule_requested"
    for message in ("dale", "mejor no", "hola"):
        reply = chat.say(message)
        assert reply.status == "closed" and "Ya le avisamos a recepción" in texts(reply), message


def test_a_patient_who_regrets_a_cancellation_is_offered_the_same_time_again():
    for regret in ("uy no, me arrepentí jaja, me puedes devolver esa misma hora?",
                   "ay no, no quería cancelar!! me la devuelves?", "ah no espera, vuelve a dármela igual porfa",
                   "cancelé sin querer", "oops, undo that please", "nooo no la canceles!!", "ay no, déjala",
                   "no, mejor no", "déjala"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0), (11, 0)]), appointments=agent)
        chat.say("necesito cancelar mi hora")
        assert chat.say("Sí, cancelar").status == "cancelled"
        reply = chat.say(regret)
        assert "¿Confirmo el jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply), regret
        assert "¡Hola" not in texts(reply)
        booked = chat.say("Sí")
        assert booked.status == "booked" and [b.slot.start for b in chat.books] == ["2026-12-03T10:00:00-03:00"]


def test_after_a_cancellation_the_same_time_another_day_or_a_taken_time_or_a_new_wish():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0), (11, 0)]), appointments=agent)
    chat.say("necesito cancelar mi hora")
    chat.say("Sí, cancelar")
    reply = chat.say("me arrepentí, mejor dame la misma hora pero el viernes")
    assert "¿Confirmo el viernes 4 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)

    taken = ClinicAgent(THU)
    chat = Chat(agenda([3, 4], [(9, 0), (11, 0)]), appointments=taken)  # someone else took 10:00 meanwhile
    chat.say("necesito cancelar mi hora")
    chat.say("Sí, cancelar")
    reply = chat.say("no quería cancelarla, devuélvemela porfa")
    assert "10:00" in texts(reply) and "09:00" in texts(reply) + " ".join(buttons(reply) + lines(reply))
    assert not chat.books

    other = ClinicAgent(THU)
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=other)
    chat.say("necesito cancelar mi hora")
    chat.say("Sí, cancelar")
    assert "¡Hola, Ana!" in texts(chat.say("hola, quiero pedir otra hora"))


def test_a_patient_who_does_not_remember_their_appointment_is_shown_it_not_the_booking_menus():
    for message in ("hola, tengo hora con el traumatólogo? no me acuerdo cuándo era",
                    "quería saber si ya tengo hora con la doctora Soto", "se me olvidó a qué hora era la kine"):
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=ClinicAgent(THU))
        reply = chat.say(message)
        assert lines(reply) == ["1. jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto"], message
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=ClinicAgent())
        assert "No encontré horas próximas con este número de teléfono." in texts(chat.say(message)), message


def test_no_to_the_new_time_of_a_move_shows_other_times_and_mejor_no_keeps_the_appointment():
    agent = ClinicAgent(THU)
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0), (11, 0)]), appointments=agent)
    chat.say("quiero cambiar mi hora para el viernes 4 a las 10")
    assert "¿Confirmo el viernes 4 de diciembre a las 10:00" in texts(chat.say("Sí, cambiarla"))
    reply = chat.say("no")
    assert buttons(reply)[:2] == ["09:00", "11:00"] and not agent.moved  # another time for the move
    moved = chat.say("11:00")
    assert moved.continuation["data"]["rescheduled_from"] == "bk-7"
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0), (11, 0)]), appointments=ClinicAgent(THU))
    chat.say("quiero cambiar mi hora para el viernes 4 a las 10")
    chat.say("Sí, cambiarla")
    reply = chat.say("mejor no")
    assert "Entendido, tu hora sigue en pie." in texts(reply) and "¿Quieres pedir una?" not in texts(reply)


KINE = WireBooking("bk-k", "2026-12-09T15:00:00-03:00", "2026-12-09T15:45:00-03:00", "Klga. Paula Méndez")
TRAUMA = WireBooking("bk-t", "2026-12-10T10:00:00-03:00", "2026-12-10T10:30:00-03:00", "Dr. Andrés Rojas")


def kine_and_trauma():
    """Klga. Méndez's kinesiology and Dr. Rojas's traumatology, both with free times, from an agent that lists a
    phone's appointments."""
    kine = [replace(slot(d, h, 0, "Klga. Paula Méndez"), specialty="Kinesiología") for d in (3, 4) for h in (9, 10)]
    trauma = [replace(slot(d, h, 0, "Dr. Andrés Rojas"), specialty="Traumatología") for d in (3, 4) for h in (11, 12)]
    return replace(slots(*kine, *trauma), finds_bookings=True)


def test_an_appointment_is_named_by_its_specialty_or_professional_never_starting_a_new_booking():
    for first, then, confirmed in (("cuáles son mis horas?", "cancela la de kine porfa", "miércoles 9"),
                                   ("quiero cancelar una hora", "la de kine", "miércoles 9"),
                                   ("quiero cancelar una hora", "la del traumatólogo", "jueves 10"),
                                   ("quiero cambiar una hora", "la del Dr. Rojas", "jueves 10")):
        agent = ClinicAgent(KINE, TRAUMA)
        chat = Chat(kine_and_trauma(), appointments=agent)
        chat.say(first)
        reply = chat.say(then)
        assert f"tu hora del {confirmed} de diciembre" in texts(reply), (first, then)
        assert chat.books == [] and not agent.cancelled
    chat = Chat(kine_and_trauma(), appointments=ClinicAgent(KINE, TRAUMA))
    chat.say("quiero cancelar una hora")
    reply = chat.say("la de medicina general")  # neither: which one, again (not a new booking's menus)
    assert "¿Cuál quieres cancelar?" in texts(reply) and chat.books == []


MOM = WireBooking("bk-m", "2026-12-07T18:00:00-03:00", "2026-12-07T18:30:00-03:00", "Dr. Andrés Rojas",
                  patient="Rosa Muñoz")
SON = WireBooking("bk-s", "2026-12-15T11:00:00-03:00", "2026-12-15T11:20:00-03:00", "Dra. Camila Soto",
                  patient="Tomás Fuentes")


def test_a_family_phones_appointments_show_whose_they_are_and_are_named_by_the_person():
    family = replace(agenda([3, 4], [(9, 0), (10, 0)]), finds_bookings=True)
    chat = Chat(family, appointments=ClinicAgent(MOM, SON))
    reply = chat.say("cuáles son mis horas?")
    assert lines(reply) == ["1. lunes 7 de diciembre a las 18:00 con el Dr. Andrés Rojas (Rosa Muñoz)",
                            "2. martes 15 de diciembre a las 11:00 con la Dra. Camila Soto (Tomás Fuentes)"]
    agent = ClinicAgent(MOM, SON)
    chat = Chat(family, appointments=agent)
    reply = chat.say("hola, necesito cancelar la hora de mi mamá Rosa, no va a poder ir")
    assert "¿Cancelo la hora de Rosa Muñoz del lunes 7 de diciembre a las 18:00 con el Dr. Andrés Rojas?" in texts(reply)
    chat.say("Sí, cancelar")
    assert list(agent.cancelled.values()) == ["bk-m"]
    chat = Chat(family, appointments=ClinicAgent(MOM, SON))
    chat.say("quiero cancelar una hora")
    assert "martes 15 de diciembre" in texts(chat.say("la de Tomás"))
    chat = Chat(family, appointments=ClinicAgent(MOM, SON))
    chat.say("quiero cancelar una hora")
    again = chat.say("la de mi mamá")  # not a name: which one, again (it went to a new booking's menus)
    assert "¿Cuál quieres cancelar?" in texts(again) and chat.books == []
    assert "tus horas siguen en pie" in texts(chat.say("no"))  # no to "¿Cuál…?" of two: both stay


def test_a_phone_that_booked_for_others_is_asked_whose_the_next_one_is():
    family = replace(agenda([3, 4], [(9, 0), (10, 0)]), finds_bookings=True)
    chat = Chat(family, appointments=ClinicAgent(MOM))
    chat.say("hola, quiero una hora el viernes 4 a las 10")
    reply = chat.say("Otra hora")
    reply = chat.say("Sí") if "¿Confirmo" in texts(reply) else chat.say("10:00")
    assert "¿A nombre de quién reservo la hora?" in texts(reply) and chat.books == []
    assert chat.say("Pedro Ibáñez").status == "booked" and chat.books[0].state.patient_name == "Pedro Ibáñez"
    chat = Chat(family, appointments=ClinicAgent(MOM))
    chat.say("hola, quiero una hora para mí el viernes 4 a las 10")  # for herself: not asked whose
    reply = chat.say("Otra hora")
    reply = chat.say("Sí") if "¿Confirmo" in texts(reply) else chat.say("10:00")
    assert reply.status == "booked" and chat.books[0].state.patient_name == ""


def test_at_the_cancel_question_a_yes_or_no_with_more_words_is_read_and_anything_else_asks_it_again():
    for said, status in (("sí, cancélala porfa", "cancelled"), ("ya no, déjala", "choose_day"),
                         ("no, la hora está bien, solo hay que corregir el nombre", "handoff")):  # a person fixes it
        agent = ClinicAgent(THU)
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=agent)
        chat.say("quiero cancelar mi hora")
        reply = chat.say(said)
        assert reply.status == status, said
        assert bool(agent.cancelled) == (status == "cancelled")
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=ClinicAgent(THU))
    chat.say("quiero cambiar mi hora")
    reply = chat.say("mmm a ver")  # the same question, not "¿Qué especialidad necesitas?"
    assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(reply) and "especialidad" not in texts(reply)


def test_mine_is_the_phone_owners_and_a_family_members_cancelled_appointment_comes_back_under_their_name():
    family = replace(agenda([3, 4, 7], [(9, 0), (10, 0)]), finds_bookings=True)
    mine = WireBooking("bk-a", "2026-12-07T18:00:00-03:00", "2026-12-07T18:30:00-03:00", "Dr. Andrés Rojas",
                       patient="Ana Pérez")
    agent = ClinicAgent(mine, SON)
    chat = Chat(family, appointments=agent)
    reply = chat.say("la mía cancélala porfa, la de Tomás la dejamos")  # Tomás named, but to keep his
    assert "¿Cancelo tu hora del lunes 7 de diciembre a las 18:00" in texts(reply) and "(Ana Pérez)" in texts(reply)
    son = WireBooking("bk-s", "2026-12-04T10:00:00-03:00", "2026-12-04T10:20:00-03:00", "Dra. Ana Soto",
                      patient="Tomás Fuentes")
    chat = Chat(family, appointments=ClinicAgent(son))
    chat.say("cancela la hora de Tomás")
    chat.say("Sí, cancelar")
    chat.say("ay no, me devuelves la hora que le cancelé?")
    assert chat.say("Sí").status == "booked" and chat.books[0].state.patient_name == "Tomás Fuentes"


def test_the_one_to_keep_is_not_the_one_cancelled_and_the_list_answers_questions_and_lets_go():
    ana = WireBooking("bk-c", "2026-12-04T09:20:00-03:00", "2026-12-04T09:40:00-03:00", "Dra. Camila Soto",
                      patient="Ana Muñoz")
    rosa = WireBooking("bk-r", "2026-12-07T18:00:00-03:00", "2026-12-07T18:30:00-03:00", "Dr. Andrés Rojas",
                       patient="Rosa Muñoz")
    family = replace(agenda([3, 4, 7], [(9, 0), (10, 0)]), finds_bookings=True)
    rosas = "¿Cancelo la hora de Rosa Muñoz del"  # hers, never "tu hora"
    for message, which in (("buenas, la hora de mi mamá Rosa mejor cancélala, la mía la dejamos", rosas),
                           ("la mía cancélala, la de mi mamá la dejamos", "¿Cancelo tu hora del viernes 4"),
                           ("cancela la de Rosa Muñoz", rosas),  # a shared surname: the better match
                           ("cancela la de Rosa, no va a poder ir", rosas),  # "no va": not "keep it"
                           ("cancela la mía, la de Rosa no", "(Ana Muñoz)")):
        reply = Chat(family, appointments=ClinicAgent(ana, rosa)).say(message)
        assert which in texts(reply), message
    chat = Chat(family, appointments=ClinicAgent(ana, rosa))
    chat.say("quiero cancelar una hora")
    reply = chat.say("gracias! y cuánto dura la consulta?")
    assert "Cada hora dura 30 minutos." in texts(reply) and "¿Cuál quieres cancelar?" in texts(reply)
    assert chat.say("ya gracias, chao").status == "closed"


def test_one_appointment_under_another_name_is_listed_with_it_and_the_last_one_they_have_is_the_latest():
    son = WireBooking("bk-s", "2026-12-09T15:45:00-03:00", "2026-12-09T16:30:00-03:00", "Klga. Paula Méndez",
                      patient="Benjamín Soto")
    chat = Chat(replace(agenda([3, 4], [(9, 0), (13, 20)]), finds_bookings=True), appointments=ClinicAgent(son))
    reply = chat.say("hola, quería saber si ya tengo hora")
    assert lines(reply) == ["1. miércoles 9 de diciembre a las 15:45 con Klga. Paula Méndez (Benjamín Soto)"]  # 80 characters: no article
    reply = chat.say("ah ok, entonces quiero una para mí el viernes, la última que tengan")
    assert "¿Confirmo el viernes 4 de diciembre a las 13:20" in texts(reply)


def test_a_name_to_correct_on_a_booked_appointment_goes_to_reception_not_to_a_new_booking():
    for said in ("quedó mal el nombre de mi hora, es Diego Morales", "puedes cambiar el nombre de la reserva?",
                 "me equivoqué en el nombre de la hora"):
        chat = Chat(agenda([5], [(9, 0), (10, 30)]))
        chat.say("hora para el sábado 5 a las 10:30")
        assert chat.say("sí").status == "booked"
        reply = chat.say(said)
        assert reply.status == "handoff" and reply.continuation["data"]["reason"] == "name_correction", said
        assert "Para corregir el nombre de tu hora, una recepcionista te escribirá" in texts(reply)
        assert len(chat.books) == 1


def test_a_cancel_taken_back_for_a_move_in_the_same_message_asks_about_the_move_never_the_cancel():
    for said in ("cancélela... bueno no, mejor cámbiemela para mañana", "muévamela al viernes porfa",
                 "pásemela al lunes"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=agent)
        reply = chat.say(said)
        assert reply.continuation["data"].get("code") == "confirm_move", (said, texts(reply))
        assert "¿Cancelo" not in texts(reply) and not agent.cancelled


def test_a_brazilian_patient_asking_about_her_appointments_gets_them_listed():
    for said in ("Eu tenho uma consulta marcada?", "minhas consultas", "só quero saber se já tenho consulta"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=agent)
        reply = chat.say(said)
        assert "Estas son tus próximas horas: 1. jueves 3 de diciembre a las 10:00" in texts(reply), (said, texts(reply))


class GoneMidCancel(ClinicAgent):
    """Cancels, then its answer is lost (the agent went away after the web app wrote it); asked again, the
    appointment is no longer the phone's: the agent says so."""

    def __init__(self, *bookings: WireBooking) -> None:
        super().__init__(*bookings)
        self.lost_once = False

    def __call__(self, step):
        if isinstance(step.args, CancelArgs) and not self.lost_once:
            self.lost_once = True
            self.bookings = [b for b in self.bookings if b.booking_id != step.args.booking_id]
            return WireError("agent_offline", "")  # sent, never answered
        if isinstance(step.args, CancelArgs) and step.args.booking_id not in {b.booking_id for b in self.bookings}:
            return WireError("bad_request", "the appointment is not one of this phone's")
        return super().__call__(step)


def test_a_cancel_whose_answer_was_lost_is_never_told_as_failed_and_the_next_message_tells_the_truth():
    agent = GoneMidCancel(THU)
    chat = Chat(agenda([3, 4], [(9, 0), (10, 0)]), appointments=agent)
    chat.say("quiero cancelar mi hora")
    lost = chat.say("sí, cancélala")
    assert lost.status == "handoff" and lost.continuation["data"]["booking"] == "unconfirmed"
    assert "Aún no sé si tu hora del jueves 3 de diciembre" in texts(lost)
    assert "No pude cancelar" not in texts(lost)
    told = chat.say("hola, se canceló?")
    assert told.status == "cancelled", texts(told)
    assert "cancelé tu hora del jueves 3 de diciembre" in texts(told)


def test_cancel_while_booking_a_new_one_drops_the_new_one_and_never_the_appointment_the_patient_has():
    """A mother booking for her daughter writes "no mejor cancela, lo veo con el papá": nothing is booked, and her
    son's appointment (the one the phone has) is neither asked about nor cancelled."""
    week = replace(agenda(range(4, 15), [(9, 0), (10, 0), (15, 0)]), finds_bookings=True)
    for path in (["otra hora, el lunes", "no mejor cancela, lo veo con el papá"],
                 ["otra hora, el lunes", "a las 9", "no, mejor olvídalo, cancela"],
                 ["otra hora para mi hija el lunes a las 9", "sí", "mejor cancela"],
                 ["otra hora", "nah mejor cancela"]):
        agent = ClinicAgent(FRI)
        chat = Chat(week, appointments=agent)
        chat.say("hola")
        for message in path:
            reply = chat.say(message)
        assert reply.status == "handoff" and "no reservé nada" in texts(reply), (path, texts(reply))
        assert "«cancelar mi hora»" in texts(reply)
        assert "¿Cancelo" not in texts(reply) and not agent.cancelled, path

    agent = ClinicAgent(FRI)
    chat = Chat(week, appointments=agent)
    chat.say("hola")
    chat.say("otra hora, el lunes")
    reply = chat.say("no, mejor cancela mi hora del viernes")  # the one the phone has, named: asked, then cancelled
    assert "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in texts(reply)


def test_a_control_is_an_appointment_and_suspending_one_cancels_it():
    """Chilean patients call a follow-up visit their "control" and call off an appointment by "suspenderla": a move
    or a cancel of the one they have, never a second booking beside it."""
    week = replace(agenda(range(4, 15), [(9, 0), (10, 0)]), finds_bookings=True)
    for message in ("hola buenas, quiero cambiar mi control del viernes para el miércoles en la mañana",
                    "necesito mover el control de mi hijo", "cambiar la kine del viernes"):
        chat = Chat(week, appointments=ClinicAgent(FRI))
        reply = chat.say(message)
        assert "¿Cambio tu hora del viernes 4 de diciembre a las 16:00" in texts(reply), (message, texts(reply))
    for message in ("buenas, necesito suspender mi hora del viernes, tengo un viaje de trabajo", "suspendan mi cita"):
        agent = ClinicAgent(FRI)
        chat = Chat(week, appointments=agent)
        reply = chat.say(message)
        assert "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas?" in texts(reply), message
        chat.say("sí")
        assert list(agent.cancelled.values()) == ["bk-8"], message


def test_cancel_both_asks_about_each_appointment_in_turn_and_cancels_each():
    """ "Cancela las dos, la mía y la de mi mamá": both are cancelled, each confirmed, none left booked in silence."""
    mine = WireBooking("bk-8", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dr. Juan Rojas",
                       patient="Ana Pizarro")
    mums = WireBooking("bk-9", "2026-12-07T10:30:00-03:00", "2026-12-07T11:00:00-03:00", "Dr. Juan Rojas",
                       patient="Gladys Pizarro")
    week = replace(agenda(range(4, 15), [(9, 0)]), finds_bookings=True)
    for opening in (["hola, nos vamos de viaje, cancela las dos horas porfa, la mia y la de mi mama"],
                    ["quiero cancelar mi hora", "las dos"]):
        agent = ClinicAgent(mums, mine)
        chat = Chat(week, appointments=agent)
        for message in opening:
            reply = chat.say(message)
        assert "Tienes 2 horas: te pregunto por cada una." in texts(reply)
        assert "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00 con el Dr. Juan Rojas (Ana Pizarro)?" in texts(reply)
        reply = chat.say("sí")
        assert "Listo, cancelé tu hora del viernes 4 de diciembre" in texts(reply)
        assert "¿Cancelo la hora de Gladys Pizarro del lunes 7 de diciembre a las 10:30 con el Dr. Juan Rojas?" in texts(
            reply)
        reply = chat.say("sí")
        assert reply.status == "cancelled" and "Listo, cancelé la hora de Gladys Pizarro del lunes 7 de diciembre" in texts(
            reply)  # the mother's, said as hers
        assert sorted(agent.cancelled.values()) == ["bk-8", "bk-9"], opening
    agent = ClinicAgent(mums, mine)
    chat = Chat(week, appointments=agent)
    chat.say("cancela las dos")
    chat.say("sí")
    assert "Entendido, la hora de Gladys Pizarro sigue en pie." in texts(chat.say("no, esa no"))  # hers, kept
    assert list(agent.cancelled.values()) == ["bk-8"]


class SlowToCancel(ClinicAgent):
    """The first cancel's answer never comes back (``went``: whether the web app cancelled it all the same)."""

    def __init__(self, *bookings: WireBooking, went: bool) -> None:
        super().__init__(*bookings)
        self.went = went
        self.cancels = 0
        self.reads = 0

    def __call__(self, step):
        if isinstance(step.args, CancelArgs):
            self.cancels += 1
            if self.cancels == 1:
                if self.went:
                    self.bookings = [b for b in self.bookings if b.booking_id != step.args.booking_id]
                return WireError("timeout", "no answer in time")
        if isinstance(step.args, MyBookingsArgs):
            self.reads += 1
        return super().__call__(step)


def test_a_cancel_not_known_yet_that_the_patient_takes_back_is_never_carried_out():
    """ "Aún no sé si quedó cancelada" … "no, no la canceles, la necesito": the appointments are read, never cancelled
    again; the patient hears whether it is still there."""
    for went, said in ((False, "Entendido, no la cancelo: tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana"
                               " Soto sigue en pie."),
                       (True, "Tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto ya había quedado"
                              " cancelada antes de tu mensaje.")):
        for taken_back in ("no, no la canceles por favor, la necesito", "mejor no, déjala", "no"):
            agent = SlowToCancel(THU, went=went)
            chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
            chat.say("quiero cancelar mi hora")
            assert "Aún no sé si tu hora" in texts(chat.say("Sí, cancelar"))
            reply = chat.say(taken_back)
            assert said in texts(reply), (went, taken_back, texts(reply))
            assert agent.cancels == 1 and agent.reads >= 1, (went, taken_back)
            assert [b.booking_id for b in agent.bookings] == ([] if went else ["bk-7"])
    agent = SlowToCancel(THU, went=False)  # not taken back: asked again with the same key, and done
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("quiero cancelar mi hora")
    chat.say("Sí, cancelar")
    assert "Listo, cancelé tu hora" in texts(chat.say("¿y? ¿se canceló?")) and agent.bookings == []


def test_an_appointment_deleted_meanwhile_is_never_said_to_stand_and_a_move_onto_a_taken_time_offers_others():
    from wire.appointments import NOT_AMONG_THE_PHONES

    for op, start in ((RescheduleArgs, ["quiero cambiar mi hora", "sí", "Mié 2 dic", "09:00"]),
                      (CancelArgs, ["quiero cancelar mi hora", "Sí, cancelar"])):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([2], [(9, 0), (11, 0)]), appointments=lambda step, op=op, agent=agent: WireError(
            "bad_request", NOT_AMONG_THE_PHONES) if isinstance(step.args, op) else agent(step))
        for message in start:
            reply = chat.say(message)
        said = texts(reply)
        assert "No encontré tu hora del jueves 3 de diciembre a las 10:00" in said, (op, said)
        assert "sigue en pie" not in said and "No pude cancelar" not in said

    agent = ClinicAgent(THU)
    taken = WireError("slot_taken", "taken", (slot(2, 11, 0, "Dra. Ana Soto"),))
    chat = Chat(agenda([2], [(9, 0), (11, 0)]), appointments=lambda step: taken
                if isinstance(step.args, RescheduleArgs) and "T09:00" in step.state.pending.start else agent(step))
    for message in ("quiero cambiar mi hora", "sí", "Mié 2 dic"):
        chat.say(message)
    reply = chat.say("09:00")
    assert reply.status != "handoff" and "acaba de ser tomado" in texts(reply), texts(reply)
    assert "11:00" in buttons(reply)
    chat.say("11:00")  # the move goes on with the time offered instead
    assert [old for old, _slot in agent.moved.values()] == ["bk-7"]  # moved, onto the 11:00 offered


def test_the_same_day_in_a_move_is_the_old_appointments_day():
    week = replace(agenda(range(4, 15), [(9, 0), (9, 30), (17, 0)]), finds_bookings=True)
    chat = Chat(week, appointments=ClinicAgent(FRI))
    chat.say("quiero cambiar mi hora")
    chat.say("sí")
    reply = chat.say("el mismo día, a las 9 y media")
    assert "¿Confirmo el viernes 4 de diciembre a las 09:30" in texts(reply), texts(reply)


def test_a_move_never_asks_whose_name_and_keeping_it_as_it_was_at_a_question_keeps_it():
    """A move keeps the appointment's name: no "¿A nombre de quién…?" even for a WhatsApp name too short to book
    under; and "mejor no, déjala como estaba" at a question drops what was under way, never read as a name."""
    week = replace(agenda(range(4, 15), [(9, 0), (9, 30)]), finds_bookings=True)
    agent = ClinicAgent(FRI)
    chat = Chat(week, appointments=agent, name="Li")
    for message in ("quiero cambiar mi hora", "sí", "Lun 7 dic"):
        chat.say(message)
    reply = chat.say("09:00")
    assert reply.status == "booked" and "¿A nombre de quién" not in texts(reply) and len(agent.moved) == 1
    for answer in ("mejor no, déjala como estaba", "dejala como estaba", "no importa, olvídalo"):
        chat = Chat(week, name="yo")
        chat.say("hora para el lunes a las 9")
        assert "¿A nombre de quién" in texts(chat.say("sí"))
        reply = chat.say(answer)
        assert reply.status == "handoff" and "no reservé nada" in texts(reply) and chat.books == [], answer


def test_cancel_all_with_one_deleted_meanwhile_finishes_without_a_hand_off():
    from wire.appointments import NOT_AMONG_THE_PHONES

    mine = WireBooking("bk-8", "2026-12-04T16:00:00-03:00", "2026-12-04T16:30:00-03:00", "Dr. Juan Rojas")
    gone = WireBooking("bk-9", "2026-12-07T10:30:00-03:00", "2026-12-07T11:00:00-03:00", "Dr. Juan Rojas")
    agent = ClinicAgent(mine, gone)
    chat = Chat(replace(agenda(range(4, 15), [(9, 0)]), finds_bookings=True), appointments=lambda step: WireError(
        "bad_request", NOT_AMONG_THE_PHONES) if isinstance(step.args, CancelArgs) and step.args.booking_id == "bk-9"
        else agent(step))
    chat.say("cancela todas mis horas")
    chat.say("sí")
    reply = chat.say("sí")
    assert reply.status == "cancelled", texts(reply)  # the second went already: what was asked for is done


class SlowToMove(ClinicAgent):
    """A move's answer is lost (the web app was slow); ``booked_new`` / ``cancelled_old``: how far it got."""

    def __init__(self, *bookings: WireBooking, booked_new: bool, cancelled_old: bool) -> None:
        super().__init__(*bookings)
        self.booked_new, self.cancelled_old = booked_new, cancelled_old
        self.moves = 0

    def __call__(self, step):
        if isinstance(step.args, RescheduleArgs):
            self.moves += 1
            if self.moves == 1:
                slot = step.state.pending
                if self.booked_new:
                    self.bookings.append(WireBooking("bk-new", slot.start, slot.end, slot.professional))
                if self.cancelled_old:
                    self.bookings = [b for b in self.bookings if b.booking_id != step.args.booking_id]
                return WireError("timeout", "")
        return super().__call__(step)


def test_a_move_not_known_yet_that_the_patient_takes_back_is_never_finished_against_it():
    """ "Aún no sé si tu hora quedó cambiada" … "no, mejor no la cambies, me quedo con la original": the move was
    finished on that message and the original cancelled. Now the appointments are only read, and what is there
    decides: the original alone stands; both: "¿cancelo la nueva?"; the new one alone: said it went before."""
    for taken_back in ("no, mejor no la cambies, me quedo con la original", "déjala como estaba", "no",
                       "mejor no, prefiero quedarme con la del jueves", "uy no, mejor no"):
        agent = SlowToMove(THU, booked_new=False, cancelled_old=False)
        chat = Chat(agenda([2], [(9, 0), (11, 0)]), appointments=agent)
        for message in ("quiero cambiar mi hora", "sí", "Mié 2 dic"):
            chat.say(message)
        assert "Aún no sé si tu hora quedó cambiada" in texts(chat.say("09:00"))
        reply = chat.say(taken_back)
        assert ("Entendido, no la cambio: tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto sigue en"
                " pie.") in texts(reply), (taken_back, texts(reply))
        assert agent.moves == 1 and [b.booking_id for b in agent.bookings] == ["bk-7"]

    agent = SlowToMove(THU, booked_new=True, cancelled_old=False)  # half done: both are booked
    chat = Chat(agenda([2], [(9, 0), (11, 0)]), appointments=agent)
    for message in ("quiero cambiar mi hora", "sí", "Mié 2 dic", "09:00"):
        chat.say(message)
    reply = chat.say("no, mejor no la cambies, me quedo con la original")
    assert "La hora nueva del miércoles 2 de diciembre a las 09:00 alcanzó a quedar reservada" in texts(reply)
    assert "¿Cancelo tu hora del miércoles 2 de diciembre a las 09:00" in texts(reply) and agent.moves == 1
    assert chat.say("Sí, cancelar").status == "cancelled"
    assert [b.booking_id for b in agent.bookings] == ["bk-7"]  # the original kept, the new one cancelled

    agent = SlowToMove(THU, booked_new=True, cancelled_old=True)  # done before the message
    chat = Chat(agenda([2], [(9, 0), (11, 0)]), appointments=agent)
    for message in ("quiero cambiar mi hora", "sí", "Mié 2 dic", "09:00"):
        chat.say(message)
    reply = chat.say("me quedo con la original")
    assert "El cambio alcanzó a hacerse antes de tu mensaje" in texts(reply) and agent.moves == 1

    agent = SlowToMove(THU, booked_new=False, cancelled_old=False)  # not taken back: finished, same key
    chat = Chat(agenda([2], [(9, 0), (11, 0)]), appointments=agent)
    for message in ("quiero cambiar mi hora", "sí", "Mié 2 dic", "09:00"):
        chat.say(message)
    assert "Cambié tu hora" in texts(chat.say("¿y? ¿se cambió?")) and agent.moves == 2


def test_cancel_all_is_not_a_cancel_of_today():
    """'todas' was corrected to 'today': "cancela todas mis horas" said "No tienes hora el martes 1…" first."""
    chat = Chat(slots(), appointments=ClinicAgent(THU))
    reply = chat.say("cancela todas mis horas")
    assert "No tienes hora" not in texts(reply)
    assert "¿Cancelo tu hora del jueves 3 de diciembre a las 10:00 con la Dra. Ana Soto?" in texts(reply)


@pytest.mark.parametrize("message", [
    "hola, ¿mi hora del jueves a las 10 sigue en pie?",
    "¿sigue vigente mi cita del jueves?",
    "la hora que me dieron para el jueves está confirmada?",
    "mi control del jueves sigue agendado cierto?",
])
def test_asking_whether_an_appointment_still_stands_lists_it_and_books_nothing(message):
    """"¿mi hora del martes a las 10 sigue en pie?" was read as a booking: «¿Confirmo el martes … 10:00?», and a
    "sí" booked a second appointment at the time the patient already had."""
    chat = Chat(agenda([3], [(10, 0), (11, 0)]), appointments=ClinicAgent(THU))
    reply = chat.say(message)
    assert "jueves 3 de diciembre a las 10:00" in texts(reply) and "¿Confirmo" not in texts(reply)
    chat.say("sí")
    assert not chat.books


@pytest.mark.parametrize("message", ["Sí, cambiarla", "si pero cambiarla", "sí, mejor cámbiala",
                                     "no, mejor cámbiala para el viernes"])
def test_a_move_said_at_the_cancel_question_moves_it_and_never_cancels(message):
    """«¿Cancelo tu hora…?» — "Sí, cambiarla" (a stale button, or typed) cancelled it: the patient, who wanted it
    moved, was left with none."""
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4], [(9, 0), (16, 0)]), appointments=agent)
    assert "¿Cancelo tu hora del jueves 3" in texts(chat.say("quiero cancelar mi hora"))
    reply = chat.say(message)
    assert reply.status != "cancelled" and not agent.cancelled
    assert "se cancelará cuando la nueva quede reservada" in texts(reply)


MON_7 = WireBooking("bk-1", "2026-12-07T10:00:00-03:00", "2026-12-07T10:30:00-03:00", "Dr. Juan Rojas")
TUE_8 = WireBooking("bk-2", "2026-12-08T14:45:00-03:00", "2026-12-08T15:15:00-03:00", "Klga. Paula Méndez")
WED_9 = WireBooking("bk-3", "2026-12-09T11:20:00-03:00", "2026-12-09T11:50:00-03:00", "Dra. Ana Soto")


def with_appointments(*bookings: WireBooking) -> tuple[Chat, ClinicAgent]:
    """A chat whose agent lists the phone's appointments (``bookings``), and that agent."""
    agent = ClinicAgent(*bookings)
    return Chat(replace(agenda(range(4, 15), [(9, 0)]), finds_bookings=True), appointments=agent), agent


@pytest.mark.parametrize("message", [
    "quiero cancelar todas menos la del martes",
    "cancela todas mis horas excepto la del martes 8",
    "anula todas salvo la del dr rojas",
    "cancel all of them except tuesday's",
])
def test_cancel_all_but_one_never_asks_about_the_one_kept(message):
    """"Cancela todas menos la del martes" asked about Tuesday's too, "Sí, cancelar" first: a patient tapping 1 at
    each question lost the one she said to keep."""
    chat, agent = with_appointments(MON_7, TUE_8, WED_9)
    kept = "Dr. Juan Rojas" if "rojas" in message else "Klga. Paula Méndez"
    asked = [texts(chat.say(message))]
    while len(asked) < 4 and ("¿Cancelo" in asked[-1] or "Shall I cancel" in asked[-1]):
        assert kept not in asked[-1], asked
        asked.append(texts(chat.say("sí")))
    assert [b.professional for b in agent.bookings] == [kept], asked


def test_an_exception_that_names_none_of_them_cancels_nothing_but_asks_which():
    chat, _ = with_appointments(THU, FRI)
    reply = chat.say("cancela todas menos la del domingo")
    assert "¿Cuál quieres cancelar?" in texts(reply) and "¿Cancelo" not in texts(reply), texts(reply)


@pytest.mark.parametrize("message,which", [("la primera po", "jueves 10"), ("cancela la segunda", "viernes 11"),
                                           ("quiero cancelar la 3 porfa", "lunes 14"), ("la última nomás", "lunes 14")])
def test_one_of_the_list_named_by_its_place_in_it(message, which):
    """"la primera po" (Chile) at «¿Cuál quieres cancelar?» was not understood, twice."""
    chat, _ = with_appointments(
        WireBooking("bk-1", "2026-12-10T10:00:00-03:00", "2026-12-10T10:30:00-03:00", "Dr. Andrés Rojas"),
        WireBooking("bk-2", "2026-12-11T10:00:00-03:00", "2026-12-11T10:30:00-03:00", "Dra. Camila Soto"),
        WireBooking("bk-3", "2026-12-14T11:30:00-03:00", "2026-12-14T12:00:00-03:00", "Klga. Paula Méndez"),
    )
    assert "¿Cuál quieres cancelar?" in texts(chat.say("necesito cancelar una hora"))
    reply = chat.say(message)
    assert f"¿Cancelo tu hora del {which}" in texts(reply), texts(reply)


@pytest.mark.parametrize("question,which", [("oye sigue en pie lo del miercoles?", "miércoles 9 de diciembre a las 11:20"),
                                            ("la del martes sigue vigente?", "martes 8 de diciembre a las 14:45")])
def test_asking_at_the_list_whether_one_still_stands_answers_it_and_starts_no_booking(question, which):
    """At the patient's own appointments, "¿sigue en pie lo del miércoles?" started a booking for that Wednesday
    (even the wrong one: "El Mié 2 dic no tiene horas libres")."""
    chat, _ = with_appointments(MON_7, TUE_8, WED_9)
    assert "Estas son tus próximas horas" in texts(chat.say("q horas tengo??"))
    reply = chat.say(question)
    assert f"Sí: tu hora del {which}" in texts(reply) and "sigue en pie" in texts(reply), texts(reply)
    assert "¿Qué día" not in texts(reply) and "¿Qué hora" not in texts(reply) and chat.books == []


@pytest.mark.parametrize("message,answer,not_shown", [
    # the same day, after its time: not the days from today
    ("hola, la hora del jueves 10 puedes correrla para mas tarde?", "el Jue 10 dic", "09:00"),
    ("necesito cambiar la hora del viernes 4 con la dra soto, la misma hora pero el jueves 10",
     "¿Confirmo el jueves 10 de diciembre a las 10:00", ""),
    ("quiero cambiar mi hora del viernes 4, una semana despues", "¿Confirmo el viernes 11 de diciembre a las 10:00", ""),
])
def test_a_move_said_from_the_old_appointment_goes_there(message, answer, not_shown):
    """"Córrela para más tarde", "la misma hora pero el jueves", "una semana después": said with what to move, they
    were dropped, and the days from today listed."""
    thu = WireBooking("bk-1", "2026-12-10T10:00:00-03:00", "2026-12-10T10:30:00-03:00", "Dra. Ana Soto")
    fri = WireBooking("bk-2", "2026-12-04T10:00:00-03:00", "2026-12-04T10:30:00-03:00", "Dra. Ana Soto")
    chat = Chat(replace(agenda(range(2, 15), [(9, 0), (10, 0), (12, 0), (15, 0)]), finds_bookings=True),
                appointments=ClinicAgent(thu, fri) if "jueves 10 puedes" in message else ClinicAgent(fri))
    assert "¿Cambio tu hora del" in texts(chat.say(message))
    said = chat.say("sí")
    reply = texts(said)
    assert answer in reply and "Estos son los próximos días" not in reply, reply
    if not_shown:
        assert not_shown not in buttons(said) and "12:00" in buttons(said), buttons(said)


def test_a_cancel_of_a_day_with_none_of_several_says_there_is_none_that_day():
    """"cancela mi hora del sábado" with none that Saturday (of two): the list came back with no word of it — as if
    the Saturday one existed and was missing from the list."""
    chat, _ = with_appointments(THU, FRI)
    reply = texts(chat.say("hola, cancela mi hora del sabado porfa"))
    assert "No tienes hora el sábado 5 de diciembre." in reply and "¿Cuál quieres cancelar?" in reply, reply


def test_no_appointment_to_cancel_under_this_phone_gives_the_way_to_reception_and_reception_works_in_english():
    """Nothing under this phone to cancel (booked with another number?): only "Pedir una hora" was offered. And the
    English texts tell a patient to write "reception", which was not understood."""
    chat = Chat(replace(agenda(range(4, 15), [(9, 0)]), finds_bookings=True), appointments=ClinicAgent())
    reply = texts(chat.say("quiero cancelar mi hora del martes"))
    assert "No encontré horas próximas" in reply and "escribe «recepción»" in reply, reply
    assert chat.say("recepción").status == "handoff"
    english = Chat(replace(agenda(range(4, 15), [(9, 0)]), finds_bookings=True), appointments=ClinicAgent(),
                   clinic=EN)
    reply = texts(english.say("I need to cancel my appointment"))
    assert 'write "reception"' in reply, reply
    assert english.say("reception").status == "handoff"


def test_ok_to_your_appointment_still_stands_closes_and_si_takes_the_offer():
    """"ok gracias", "perfecto", "ya" to «Entendido, tu hora sigue en pie. Si quieres, puedes pedir otra hora» showed
    a new booking's days (a helper's walk)."""
    for message, status in (("ok gracias", "closed"), ("perfecto", "closed"), ("ok", "closed"), ("ya", "closed"),
                            ("sí", "choose_day"), ("dale", "choose_day")):
        chat = Chat(replace(agenda([2, 4], [(9, 0)]), finds_bookings=True), appointments=ClinicAgent(THU))
        chat.say("quiero cancelar mi hora")
        assert "sigue en pie" in texts(chat.say("no"))
        reply = chat.say(message)
        assert reply.status == status, message
        assert ("Estos son los próximos días" in texts(reply)) == (status == "choose_day"), message


def test_one_named_right_under_you_already_have_two_is_asked_about_never_the_list_again():
    """"cancela la 2" under «Ya tienes 2 horas reservadas: 1. … 2. …» listed them again (a helper's walk)."""
    for message, asked in (("cancela la 2", "¿Cancelo tu hora del viernes 4"),
                           ("cancelar la primera", "¿Cancelo tu hora del jueves 3"),
                           ("quiero cambiar la segunda", "¿Cambio tu hora del viernes 4"),
                           ("cancela la del viernes", "¿Cancelo tu hora del viernes 4"),
                           ("cambia la del viernes al lunes", "¿Cambio tu hora del viernes 4")):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(replace(agenda([2, 7], [(9, 0)]), finds_bookings=True), appointments=agent)
        assert "Ya tienes 2 horas reservadas" in texts(chat.say("hola"))
        assert asked in texts(chat.say(message)), message
        assert not agent.cancelled and not agent.moved
    chat = Chat(replace(agenda([2, 7], [(9, 0)]), finds_bookings=True), appointments=ClinicAgent(THU, FRI))
    chat.say("hola")
    chat.say("cambia la del viernes al lunes")
    assert "el Lun 7 dic" in texts(chat.say("sí"))  # the new day said with it is kept


def test_something_earlier_with_an_appointment_on_file_is_never_a_second_one_on_a_bare_yes():
    """"¿tienen algo más temprano?" … «Ya tienes hora… ¿Quieres una hora más, cambiarla o cancelarla?» … "sí" booked a
    second appointment and kept the first (the fourth walk): the yes is asked about; "adelántamela" is a move."""
    chat = Chat(replace(agenda([2, 3], [(9, 0)]), finds_bookings=True), appointments=ClinicAgent(THU))
    assert "Ya tienes hora el jueves 3" in texts(chat.say("¿tienen algo más temprano?"))
    reply = chat.say("sí")
    assert "Toca una de las opciones" in texts(reply) and reply.status == "choose_day" and not chat.books
    for message in ("adelántamela si hay algo antes", "la puedo adelantar media hora?"):
        chat = Chat(replace(agenda([2, 3], [(9, 0)]), finds_bookings=True), appointments=ClinicAgent(THU))
        assert "¿Cambio tu hora del jueves 3 de diciembre a las 10:00" in texts(chat.say(message)), message


def test_i_got_it_wrong_better_at_five_moves_the_one_they_have_never_says_they_have_none_like_that():
    """"me equivoqué, mejor a las 5" right after booking or moving said «No tienes una hora así» (the fourth walk):
    the 5 is where it goes, not which one it is."""
    chat = Chat(replace(agenda([3], [(15, 0), (17, 0)]), finds_bookings=True), appointments=ClinicAgent(THU))
    reply = chat.say("me equivoqué, mejor a las 5")
    assert "No tienes una hora así" not in texts(reply) and "¿Cambio tu hora del jueves 3" in texts(reply)


def test_bringing_an_appointment_forward_offers_the_earlier_times_of_its_day():
    """"adelántamela si hay algo antes" listed days after the appointment too (the fourth walk)."""
    chat = Chat(replace(agenda([3, 4], [(9, 0), (11, 0)]), finds_bookings=True), appointments=ClinicAgent(THU))
    assert "¿Cambio tu hora del jueves 3" in texts(chat.say("adelántamela si hay algo antes"))
    reply = chat.say("sí")
    assert buttons(reply)[0] == "09:00" and "11:00" not in buttons(reply) and "el Jue 3 dic" in texts(reply)


def test_later_on_is_never_bringing_it_forward_and_later_in_a_sentence_is_no_question_about_a_move():
    """The fifth walk: "¿me la pueden pasar para más adelante?" offered only earlier times; "necesito una hora para
    el viernes, más tarde paso a pagar" made a bare "sí" get asked again."""
    chat = Chat(replace(agenda([3, 4, 7], [(9, 0), (11, 0)]), finds_bookings=True), appointments=ClinicAgent(THU))
    chat.say("¿me la pueden pasar para más adelante?")
    reply = chat.say("sí")
    assert "el Jue 3 dic" not in texts(reply) or "11:00" in buttons(reply)
    chat = Chat(replace(agenda([3, 4], [(9, 0)]), finds_bookings=True), appointments=ClinicAgent(THU))
    chat.say("hola, necesito una hora para el viernes, más tarde paso a pagar")
    assert "Toca una de las opciones" not in texts(chat.say("sí"))
    reply = Chat(agenda([3], [(9, 0)])).say("no me pueden llamar, escríbanme")
    assert reply.continuation["data"]["reason"] == "asked_for_person"


def test_a_yes_asked_back_at_cancel_or_move_is_asked_again_and_nothing_is_undone():
    # "¿sí?" answers «¿Cancelo…?» with a question: an appointment is never cancelled (or moved) on it.
    for first, asked in (("necesito cancelar mi hora", "¿Cancelo tu hora"), ("quiero cambiar mi hora", "¿Cambio tu hora")):
        for message in ("¿sí?", "si??", "¿ok?", "¿Dale?"):
            agent = ClinicAgent(THU, PAST)
            chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
            chat.say(first)
            reply = chat.say(message)
            assert "Solo para estar seguros:" in texts(reply) and asked in texts(reply), (message, texts(reply))
            assert reply.status != "cancelled" and not agent.cancelled, message
            assert "Sí, cancelar" in buttons(reply) or "Sí, cambiarla" in buttons(reply)
            if first.startswith("necesito"):
                assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"]
    agent = ClinicAgent(THU, PAST)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("necesito cancelar mi hora")
    assert chat.say("sí, por favor").status == "cancelled"  # a plain yes still cancels at once


def test_the_appointment_a_yes_rules_out_is_never_the_one_cancelled_or_moved():
    # «¿Cancelo tu hora del jueves…?» → "sí pero no la del jueves" cancelled Thursday's, the one ruled out.
    for first, message in (("necesito cancelar la hora del jueves", "sí pero no la del jueves"),
                           ("necesito cancelar la hora del jueves", "ya pero no la de la dra soto"),
                           ("quiero cambiar la hora del jueves", "sí pero no la del jueves")):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
        chat.say(first)
        reply = chat.say(message)
        assert "tu hora del viernes 4 de diciembre a las 16:00" in texts(reply), (message, texts(reply))
        assert not agent.cancelled and not agent.moved and reply.status not in ("cancelled", "booked")
    for message in ("sí pero no la del viernes", "sí, no la de rojas"):  # the other one ruled out: a yes to this one
        agent = ClinicAgent(THU, FRI)
        chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
        chat.say("necesito cancelar la hora del jueves")
        assert chat.say(message).status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"], message
    agent = ClinicAgent(THU)  # the only one ruled out: asked again, never a new booking's times
    chat = Chat(agenda([2, 3], [(9, 0)]), appointments=agent)
    chat.say("necesito cancelar mi hora")
    reply = chat.say("sí pero no la del jueves")
    assert "¿Cancelo tu hora del jueves 3 de diciembre" in texts(reply) and not agent.cancelled
    assert buttons(reply) == ["Sí, cancelar", "No"]


def test_the_cancel_button_tapped_again_says_it_is_cancelled_and_never_cancels_the_next_one():
    # A slow phone sends «Sí, cancelar» twice more: the second asked about Friday's, the third cancelled it.
    agent = ClinicAgent(THU, FRI)
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("necesito cancelar la hora del jueves")
    assert chat.say("Sí, cancelar").status == "cancelled"
    for _ in range(2):
        reply = chat.say("Sí, cancelar")
        assert "cancelé tu hora del jueves 3 de diciembre a las 10:00" in texts(reply) and not buttons(reply)
        assert "viernes" not in texts(reply) and reply.status == "closed"
    assert list(agent.cancelled.values()) == ["bk-7"]


def test_at_the_cancel_question_i_cannot_go_is_the_yes_and_i_cannot_go_but_want_another_is_a_move():
    # "sí, no puedo ir" began a new booking (a second appointment two taps later); "no puedo ir", "ya no la
    # necesito" were «tu hora sigue en pie» to a patient who will not come.
    for message in ("sí, no puedo ir", "si no puedo ir", "si, no voy a poder", "sí, no voy a ir", "no puedo ir",
                    "ya no la necesito", "ya, no puedo ese dia", "no, sí, cancélala"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
        chat.say("necesito cancelar mi hora")
        reply = chat.say(message)
        assert reply.status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"], (message, texts(reply))
    for message in ("no puedo ir ese día, ¿tienen otro?", "no puedo ir, dame otra"):  # a move: nothing undone yet
        agent = ClinicAgent(THU)
        chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
        chat.say("necesito cancelar mi hora")
        reply = chat.say(message)
        assert "se cancelará cuando la nueva quede reservada" in texts(reply), (message, texts(reply))
        assert not agent.cancelled and not agent.moved
    agent = ClinicAgent(THU)  # a no first, then the reason: asked again
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    chat.say("necesito cancelar mi hora")
    reply = chat.say("No, no puedo ir")
    assert "Solo para estar seguros:" in texts(reply) and not agent.cancelled
    agent = ClinicAgent(THU)  # «¿Cambio…?» "no, cancélala": asked to cancel instead, nothing undone yet
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    chat.say("quiero cambiar mi hora")
    reply = chat.say("no, cancélala")
    assert "¿Cancelo tu hora del jueves 3 de diciembre" in texts(reply) and not agent.cancelled
    assert chat.say("sí").status == "cancelled" and list(agent.cancelled.values()) == ["bk-7"]


def test_at_the_move_question_the_day_it_goes_to_is_where_it_goes_unless_another_appointment_is_that_day():
    # «¿Cambio tu hora del jueves…?» "no, para el viernes": where it goes (Friday's times, Thursday's named as the one
    # that will be cancelled); with an appointment on Friday too, which one they mean is asked (never moved on it).
    for message in ("no, para el viernes", "no, pal viernes porfa", "no no, pásala al viernes"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([3, 4], [(9, 0)]), appointments=agent)
        chat.say("quiero cambiar la hora del jueves")
        reply = chat.say(message)
        assert "la del jueves 3 de diciembre a las 10:00 se cancelará" in texts(reply), (message, texts(reply))
        assert "Vie 4 dic" in texts(reply) and not agent.moved
    for message in ("no, para el viernes", "no, mi hora para el viernes", "no, la del viernes"):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(agenda([3, 4], [(9, 0)]), appointments=agent)
        chat.say("quiero cambiar la hora del jueves")
        reply = chat.say(message)
        assert "¿Cambio tu hora del viernes 4 de diciembre" in texts(reply), (message, texts(reply))
        assert not agent.moved


def test_cancelling_a_relatives_appointment_when_only_the_writers_own_is_found_says_so_first():
    # "cancelar la hora de mi mamá" asked «¿Cancelo tu hora…?» of the writer's own as if it were the one meant.
    for message in ("hola, necesito cancelar la hora de mi mamá, está hospitalizada", "quiero cambiar la hora de mi hijo"):
        agent = ClinicAgent(replace(THU, patient="Ana Pérez"))
        chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
        reply = chat.say(message)
        assert "No encontré una hora de esa persona; con este número tengo anotada solo esta:" in texts(reply), message
        assert "tu hora del jueves 3 de diciembre" in texts(reply) and not agent.cancelled
    agent = ClinicAgent(replace(THU, patient="Ana Pérez"))
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    assert "esa persona" not in texts(chat.say("necesito cancelar mi hora"))
    # In English too ("cancel my mum's appointment" asked «Shall I cancel your appointment…?» with nothing before it)
    for message in ("I need to cancel my mum's appointment", "cancel the one for my mother",
                    "please move my son's appointment"):
        agent = ClinicAgent(replace(THU, patient="Ana Pérez"))
        chat = Chat(agenda([2], [(9, 0)]), appointments=agent, clinic=EN)
        reply = chat.say(message)
        assert "I found no appointment of that person's; with this number I only have this one:" in texts(reply), message
        assert "your appointment on Thursday 3 December" in texts(reply) and not agent.cancelled, message
    chat = Chat(agenda([2], [(9, 0)]), appointments=ClinicAgent(replace(THU, patient="Ana Pérez")), clinic=EN)
    assert "that person" not in texts(chat.say("I need to cancel my appointment"))


def test_keeping_the_appointment_mid_move_drops_the_move_and_the_other_one_with_one_is_asked_again():
    # "no, mejor pido una nueva y mantengo la del jueves" at the move's times: one tap moved Thursday's anyway.
    for message in ("no, mejor pido una nueva y mantengo la del jueves", "no mejor la mantengo"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([2, 3], [(9, 0), (11, 0)]), appointments=agent)
        chat.say("quiero cambiar mi hora")
        chat.say("sí")
        chat.say("1")
        reply = chat.say(message)
        assert "tu hora sigue en pie" in texts(reply), (message, texts(reply))
        chat.say("1")
        assert not agent.moved and not agent.cancelled, message
    agent = ClinicAgent(THU)  # «¿Cancelo…?» "sí la otra" with one appointment cancelled it
    chat = Chat(agenda([2], [(9, 0)]), appointments=agent)
    chat.say("necesito cancelar mi hora")
    reply = chat.say("sí la otra")
    assert "¿Cancelo tu hora del jueves 3 de diciembre" in texts(reply) and not agent.cancelled


def test_near_misses_of_todays_rules_do_what_the_patient_meant():
    """A walk of phrasings near the new rules (the regressions it found, one line each)."""
    for message in ("ya no quiero cancelarla", "no la necesito cancelar, solo quería saber la hora",
                    "no puedo ir sola, ¿puedo ir con mi hija?", "si no puedo ir te aviso",
                    "no puedo ir en la tarde, por eso la tomé en la mañana", "no iré a ninguna otra"):
        agent = ClinicAgent(THU)
        chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
        chat.say("necesito cancelar mi hora")
        reply = chat.say(message)
        assert reply.status != "cancelled" and not agent.cancelled, (message, texts(reply))
    agent = ClinicAgent(THU)  # "me la quedo" mid-move is "I'll take it", never "keep the old one"
    chat = Chat(agenda([2, 4], [(9, 0), (11, 30)]), appointments=agent)
    chat.say("quiero cambiar mi hora")
    chat.say("sí")
    chat.say("viernes")
    assert "¿Confirmo el viernes 4 de diciembre a las 11:30" in texts(chat.say("la de las 11:30 me la quedo"))


@pytest.mark.parametrize("answer", ["no quiero cancelarla, ya no la necesito cambiar", "no, ya no necesito cambiarla",
                                    "no me la cambien", "I don't need to cancel it anymore"])
def test_a_change_not_wanted_at_the_cancel_question_keeps_the_appointment(answer: str) -> None:
    """"…ya no la necesito cambiar" started a move (the word "cambiar"); "I don't need to cancel it" asked again."""
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    chat.say("hola, necesito cancelar mi hora")
    reply = chat.say(answer)
    assert "sigue en pie" in texts(reply) or "stays" in texts(reply), answer
    assert not agent.cancelled and not agent.moved, answer


@pytest.mark.parametrize("message", ["no me la cancelen porfa", "no la cancelen, voy a ir",
                                     "al final si puedo ir, no la cancelen", "no la cancelo, al final si puedo ir",
                                     "no la cancelo, solo cambiar"])
def test_dont_cancel_it_as_a_first_message_never_asks_to_cancel_it(message: str) -> None:
    """"No me la cancelen" was read as a cancellation («¿Cancelo tu hora…?», and a "sí" cancelled it)."""
    agent = ClinicAgent(THU)
    chat = Chat(replace(agenda([2, 4], [(9, 0)]), finds_bookings=True), appointments=agent)
    reply = chat.say(message)
    assert "¿Cancelo" not in texts(reply), message
    chat.say("sí")
    assert not agent.cancelled, message


@pytest.mark.parametrize("answer", ["ok no me la cancelen", "dale, no la cancele", "si no me la cancelen",
                                    "bueno no hace falta cancelarla", "sure, no need to cancel", "great, dont cancel"])
def test_a_yes_word_before_dont_cancel_at_the_cancel_question_keeps_it(answer: str) -> None:
    """"ok no me la cancelen" at «¿Cancelo…?» cancelled at once: the refusal was taken out and its "ok" read as yes."""
    agent = ClinicAgent(THU)
    chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent)
    chat.say("hola, necesito cancelar mi hora")
    reply = chat.say(answer)
    assert not agent.cancelled and "cancelé" not in texts(reply), answer


def test_a_yes_word_before_dont_change_at_the_move_question_starts_no_move() -> None:
    for answer in ("ok no la cambien", "perfecto, no la cambien gracias", "sure, no need to reschedule"):
        chat = Chat(agenda([2, 4], [(9, 0)]), appointments=ClinicAgent(THU))
        chat.say("hola, quiero cambiar mi hora")
        assert "Elige la nueva hora" not in texts(chat.say(answer)), answer


def test_right_after_a_cancel_the_other_one_named_as_meant_is_asked_about_and_nothing_is_booked():
    """"no, era la del viernes", "me equivoqué, era la del viernes", "sorry, I meant the one on friday" right after
    «Listo, cancelé tu hora del jueves…» (with Friday's listed too) asked «¿Cambio tu hora del viernes…?», or showed
    Dra. Soto's Friday times (a tap booked one more): Friday's is asked about, Thursday's said gone."""
    for message, english in (("no, era la del viernes", False), ("me equivoqué, era la del viernes", False),
                             ("sorry, I meant the one on friday", True)):
        agent = ClinicAgent(THU, FRI)
        chat = Chat(agenda([2, 4], [(9, 0)]), appointments=agent, clinic=EN if english else ES)
        chat.say("cancel thursday's appointment" if english else "cancela la del jueves")
        chat.say("yes" if english else "sí")
        reply = texts(chat.say(message))
        assert reply.startswith("Note: the one on Thursday 3 December at 10:00 is cancelled already." if english
                                else "Ojo: la del jueves 3 de diciembre a las 10:00 ya quedó cancelada."), message
        assert ("Shall I cancel your appointment on Friday 4 December at 16:00" if english
                else "¿Cancelo tu hora del viernes 4 de diciembre a las 16:00") in reply, message
        assert list(agent.cancelled.values()) == ["bk-7"] and not chat.books, message
        assert chat.say("yes" if english else "sí").status == "cancelled", message
        assert list(agent.cancelled.values()) == ["bk-7", "bk-8"] and not chat.books, message
