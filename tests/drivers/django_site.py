"""A throwaway Django project running django-appointment (from PyPI, unmodified) on SQLite, on 127.0.0.1.

``build_site(folder)`` writes the project (settings, URLs, manage.py), migrates and seeds it: a receptionist
superuser, two staff members with services of different lengths, working hours, days off, a break and existing
appointments, all relative to today in the clinic's time zone. ``running_site(folder)`` runs it with
``manage.py runserver`` on a free port. Nothing of the app is edited: the staff screens are its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.portal.base import days_window
from demo.serving import free_port

TIME_ZONE = "America/Santiago"
RECEPTION_USER = "recepcion"
STAFF_PASSWORD = "Clave-Django-7315"  # distinctive, so a leak is easy to find
SERVICES = {"Consulta general": 30, "Control": 15, "Evaluación kinésica": 60}

_SETTINGS = f'''
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "tests-only-not-a-secret"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles", "phonenumber_field", "appointment",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware", "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware", "clinic_site.second_factor.SecondFactor",
]
ROOT_URLCONF = "clinic_site.urls"
TEMPLATES = [{{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {{"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages"]}},
}}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "clinic.sqlite3"}}}}
LANGUAGE_CODE = "es"
TIME_ZONE = "{TIME_ZONE}"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/admin/login/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PHONENUMBER_DEFAULT_REGION = "CL"
APPOINTMENT_WEBSITE_NAME = "Centro Médico Los Aromos"
AUTH_PASSWORD_VALIDATORS = []
# django-appointment ships no migrations: they are made here, in the project, never in the installed package.
MIGRATION_MODULES = {{"appointment": "clinic_migrations"}}
'''

_URLS = '''
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from clinic_site.second_factor import verify

urlpatterns = [
    path("verificacion/", verify),
    path("admin/", admin.site.urls),
    path("appointment/", include("appointment.urls")),
    path("", RedirectView.as_view(url="/appointment/app-admin/appointments/")),
]
'''

# A second factor such as django-otp adds, switched on by a file (tests of a login a person must finish): while
# BASE_DIR/second_factor.on exists, a logged-in user must also type the code written in it, on /verificacion/.
_SECOND_FACTOR = '''
from pathlib import Path
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.html import escape
from django.middleware.csrf import get_token

FLAG = Path(__file__).resolve().parent.parent / "second_factor.on"
OPEN = ("/verificacion/", "/admin/login/", "/admin/logout/", "/static/")


class SecondFactor:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (FLAG.exists() and request.user.is_authenticated and not request.session.get("second_factor_ok")
                and not request.path.startswith(OPEN)):
            return redirect("/verificacion/")
        return self.get_response(request)


def verify(request):
    if not request.user.is_authenticated:
        return redirect("/admin/login/")
    error = ""
    if request.method == "POST":
        if FLAG.exists() and request.POST.get("otp_token", "").strip() == FLAG.read_text().strip():
            request.session["second_factor_ok"] = True
            return redirect("/appointment/app-admin/appointments/")
        error = '<p class="errornote">Token inválido.</p>'
    page = (
        "<!doctype html><html lang=es><head><meta charset=utf-8><title>Verificación</title></head><body>"
        "<h1>Verificación en dos pasos</h1>" + error +
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="' + escape(get_token(request)) +
        '"><label for="id_otp_token">Token:</label> <input id="id_otp_token" name="otp_token" '
        'autocomplete="one-time-code" inputmode="numeric" required> <button type="submit">Verificar</button>'
        "</form></body></html>"
    )
    return HttpResponse(page)
'''

_MANAGE = '''
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
'''

_SEED = f'''
import datetime, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from appointment.models import (Appointment, AppointmentRequest, Config, DayOff, Service, StaffMember,
                                Unavailability, WorkingHours)

User = get_user_model()
password = sys.stdin.readline().strip()
User.objects.create_superuser("{RECEPTION_USER}", "recepcion@aromos.example", password,
                              first_name="Recepción", last_name="Aromos")
Config.objects.create(slot_duration=30, lead_time=datetime.time(8), finish_time=datetime.time(19),
                      appointment_buffer_time=0, website_name="Centro Médico Los Aromos")
services = {{name: Service.objects.create(name=name, duration=datetime.timedelta(minutes=minutes), price=0)
            for name, minutes in {SERVICES!r}.items()}}

def staff(username, first, last, offered, hours, saturday=False):
    user = User.objects.create_user(username, f"{{username}}@aromos.example", password, first_name=first,
                                    last_name=last, is_staff=True)
    member = StaffMember.objects.create(user=user, work_on_saturday=saturday)
    member.services_offered.set([services[name] for name in offered])
    for day, start, end in hours:
        WorkingHours.objects.create(staff_member=member, day_of_week=day, start_time=datetime.time(*start),
                                    end_time=datetime.time(*end))
    return member

# day_of_week: 0 Sunday .. 6 Saturday (the app's own numbering)
soto = staff("csoto", "Camila", "Soto", ["Consulta general", "Control"],
             [(d, (9, 0), (13, 0)) for d in (1, 2, 3, 4, 5)])
rojas = staff("arojas", "Andrés", "Rojas", ["Consulta general", "Evaluación kinésica"],
              [(1, (14, 0), (18, 0)), (3, (14, 0), (18, 0)), (5, (14, 0), (18, 0)), (6, (9, 0), (12, 0))],
              saturday=True)

today = timezone.localdate()
def weekday_after(days, weekday):  # the first date >= today+days that is that Python weekday (0 Monday)
    day = today + datetime.timedelta(days=days)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day

# Days off: Dra. Soto takes a Thursday and Friday off; a break (unavailability) on a Tuesday.
thursday = weekday_after(3, 3)
DayOff.objects.create(staff_member=soto, start_date=thursday, end_date=thursday + datetime.timedelta(days=1),
                      description="Congreso")
Unavailability.objects.create(staff_member=soto, date=weekday_after(1, 1), start_time=datetime.time(11),
                              end_time=datetime.time(11, 45), description="Reunión")

client = User.objects.create_user("paciente1", "paciente1@aromos.example", password, first_name="Luis",
                                  last_name="Tapia")
def appointment(member, service, day, start):
    begin = datetime.datetime.combine(day, datetime.time(*start))
    request = AppointmentRequest.objects.create(date=day, start_time=begin.time(),
                                                end_time=(begin + services[service].duration).time(),
                                                service=services[service], staff_member=member)
    Appointment.objects.create(client=client, appointment_request=request, phone="+56911112222",
                               address="Santiago", additional_info="Paciente de siempre")

appointment(soto, "Consulta general", weekday_after(1, 0), (9, 30))
appointment(soto, "Control", weekday_after(1, 2), (10, 15))
appointment(rojas, "Evaluación kinésica", weekday_after(1, 0), (15, 0))
appointment(rojas, "Consulta general", weekday_after(1, 5), (10, 0))
print("seeded")
'''


@dataclass(frozen=True)
class Site:
    folder: Path


@dataclass(frozen=True)
class RunningSite:
    url: str
    folder: Path

    def staff(self) -> list[tuple[int, str, list[str]]]:
        """(staff id, name, services offered) from the site's database."""
        with sqlite3.connect(self.folder / "clinic.sqlite3") as db:
            rows = db.execute(
                "SELECT s.id, u.first_name || ' ' || u.last_name FROM appointment_staffmember s "
                "JOIN auth_user u ON u.id = s.user_id ORDER BY s.id").fetchall()
            offered = db.execute(
                "SELECT o.staffmember_id, v.name FROM appointment_staffmember_services_offered o "
                "JOIN appointment_service v ON v.id = o.service_id ORDER BY v.id").fetchall()
        return [(sid, name, [service for owner, service in offered if owner == sid]) for sid, name in rows]

    def service_id(self, name: str) -> int:
        with sqlite3.connect(self.folder / "clinic.sqlite3") as db:
            return db.execute("SELECT id FROM appointment_service WHERE name = ?", (name,)).fetchone()[0]

    def appointments(self) -> list[dict]:
        """Every appointment as the database holds it (what the staff calendar shows)."""
        with sqlite3.connect(self.folder / "clinic.sqlite3") as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute(
                "SELECT a.id, r.staff_member_id, r.service_id, r.date, r.start_time, r.end_time, a.additional_info, "
                "a.phone FROM appointment_appointment a "
                "JOIN appointment_appointmentrequest r ON r.id = a.appointment_request_id ORDER BY a.id")]

    def offered(self, staff_id: int, service_id: int, day: date) -> list[str]:
        """The app's own booking page answer for that day: free start times, "YYYY-MM-DDTHH:MM" local."""
        query = urllib.parse.urlencode({"selected_date": day.isoformat(), "staff_member": staff_id,
                                        "service_id": service_id})
        request = urllib.request.Request(f"{self.url}/appointment/ajax/available_slots/?{query}",
                                         headers={"X-Requested-With": "XMLHttpRequest"})
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            body = json.loads(answer.read())
        return [item[0][:16] for item in body.get("available_slots") or []]

    def truth(self, service: str, days: int, minutes: int, now: datetime) -> list[dict]:
        """The free slots of the next ``days`` days for that service, as the app's booking page offers them."""
        tz = ZoneInfo(TIME_ZONE)
        start, end = days_window(days, now, tz)
        service_id = self.service_id(service)
        out = []
        for staff_id, name, offered in self.staff():
            if service not in offered:
                continue
            day = start.date()
            while day < end.date():
                for local in self.offered(staff_id, service_id, day):
                    begin = datetime.fromisoformat(local).replace(tzinfo=tz)
                    if start <= begin < end:
                        out.append({"id": f"da.{staff_id}.{service_id}:{local}", "start": begin.isoformat(),
                                    "end": (begin + timedelta(minutes=minutes)).isoformat(), "professional": name,
                                    "service": service})
                day += timedelta(days=1)
        return sorted(out, key=lambda s: (s["start"], s["professional"]))


def build_site(folder: Path) -> Site:
    """Write, migrate and seed the project in ``folder`` (empty or missing)."""
    package = folder / "clinic_site"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "settings.py").write_text(textwrap.dedent(_SETTINGS), encoding="utf-8")
    (package / "urls.py").write_text(textwrap.dedent(_URLS), encoding="utf-8")
    (package / "second_factor.py").write_text(textwrap.dedent(_SECOND_FACTOR), encoding="utf-8")
    (folder / "manage.py").write_text(textwrap.dedent(_MANAGE), encoding="utf-8")
    (folder / "seed.py").write_text(textwrap.dedent(_SEED), encoding="utf-8")
    (folder / "clinic_migrations").mkdir(exist_ok=True)
    (folder / "clinic_migrations" / "__init__.py").write_text("", encoding="utf-8")
    _run(folder, "manage.py", "makemigrations", "appointment", "--noinput")
    _run(folder, "manage.py", "migrate", "--noinput")
    _run(folder, "seed.py", stdin=STAFF_PASSWORD + "\n")
    return Site(folder)


def _run(folder: Path, *args: str, stdin: str = "") -> None:
    done = subprocess.run([sys.executable, *args], cwd=folder, input=stdin, capture_output=True, text=True,
                          env=_env(folder), timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(folder), "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
            "PYTHONUNBUFFERED": "1"}


@contextlib.contextmanager
def running_site(site: Site) -> Iterator[str]:
    """``manage.py runserver`` on 127.0.0.1 and a free port; yields its base URL and stops it on exit."""
    port = free_port()
    log = (site.folder / "runserver.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=site.folder, env=_env(site.folder), stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"runserver exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/admin/login/", timeout=2):  # noqa: S310 - loopback
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"runserver did not answer at {url}")
