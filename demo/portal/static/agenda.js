// Agendamed agenda: one professional, one week, drawn from the site's own JSON calls.
(function () {
  "use strict";
  const PX_PER_MIN = 1.35;
  const DAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"];
  const DAYS_SHORT = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
  const MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre"];
  const MONTHS_SHORT = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"];
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const state = { professionals: [], professional: null, week: null, data: null, booking: null, detail: null, openCita: null };

  // --- dates as "YYYY-MM-DD" strings, computed in UTC so the browser's own zone never interferes ---
  const parseDay = (s) => { const [y, m, d] = s.split("-").map(Number); return new Date(Date.UTC(y, m - 1, d)); };
  const fmtDay = (d) => d.toISOString().slice(0, 10);
  const addDays = (s, n) => { const d = parseDay(s); d.setUTCDate(d.getUTCDate() + n); return fmtDay(d); };
  const monday = (s) => { const d = parseDay(s); return addDays(s, -((d.getUTCDay() + 6) % 7)); };
  const longDay = (s) => { const d = parseDay(s); return `${DAYS[(d.getUTCDay() + 6) % 7]} ${d.getUTCDate()} de ${MONTHS[d.getUTCMonth()]}`; };
  const shortDay = (s) => { const d = parseDay(s); return `${DAYS_SHORT[(d.getUTCDay() + 6) % 7]} ${d.getUTCDate()} ${MONTHS_SHORT[d.getUTCMonth()]}`; };
  const minutes = (hhmm) => { const [h, m] = hhmm.split(":").map(Number); return h * 60 + m; };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "style") node.style.cssText = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  async function api(url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options));
    if (response.status === 401) { window.location.href = "/login?expirada=1"; throw new Error("sesión expirada"); }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const error = new Error((body && body.mensaje) || `Error del servidor (${response.status})`);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function showBanner(message) {
    const banner = $("aviso");
    banner.replaceChildren(el("span", {}, message), el("button", { type: "button", class: "btn btn-light", onclick: load }, "Reintentar"));
    banner.hidden = false;
  }

  function syncUrl() {
    const params = new URLSearchParams({ profesional: state.professional, semana: state.week });
    history.replaceState(null, "", `/agenda?${params}`);
  }

  async function start() {
    const params = new URLSearchParams(location.search);
    try {
      const info = await api("/api/profesionales");
      state.professionals = info.profesionales;
      const select = $("profesional");
      select.replaceChildren(...info.profesionales.map((p) => el("option", { value: p.id }, `${p.nombre} — ${p.especialidad}`)));
      state.openCita = params.get("cita");  // a link to one appointment (?cita=N): its detail opens once drawn
      const wanted = params.get("profesional");
      state.professional = info.profesionales.some((p) => p.id === wanted) ? wanted : info.profesionales[0].id;
      select.value = state.professional;
      state.week = monday(params.get("semana") || info.hoy);
      state.today = info.hoy;
    } catch (error) {
      showBanner(`No se pudo cargar la agenda: ${error.message}`);
      return;
    }
    await load();
  }

  let loading = 0;  // only the latest request may draw: answers can arrive out of order

  async function load() {
    const calendar = $("agenda");
    const ticket = ++loading;
    calendar.setAttribute("aria-busy", "true");
    syncUrl();
    try {
      const data = await api(`/api/agenda?profesional=${encodeURIComponent(state.professional)}&semana=${state.week}`);
      if (ticket !== loading) return;
      state.data = data;
      state.today = data.hoy;
      $("aviso").hidden = true;
      render(data);
    } catch (error) {
      if (ticket === loading) showBanner(`No se pudo cargar la agenda: ${error.message}`);
    } finally {
      if (ticket === loading) calendar.setAttribute("aria-busy", "false");
    }
  }

  function render(data) {
    const first = data.semana, last = addDays(data.semana, 6);
    const a = parseDay(first), b = parseDay(last);
    $("titulo-semana").textContent = `${a.getUTCDate()} ${MONTHS_SHORT[a.getUTCMonth()]} – ${b.getUTCDate()} ${MONTHS_SHORT[b.getUTCMonth()]} ${b.getUTCFullYear()}`;
    $("ir-a-fecha").value = data.semana;
    let lo = 24 * 60, hi = 0;
    for (const day of data.dias) for (const block of day.bloques) { lo = Math.min(lo, minutes(block.inicio)); hi = Math.max(hi, minutes(block.fin)); }
    if (hi <= lo) { lo = 8 * 60; hi = 19 * 60; }
    lo = Math.floor(lo / 60) * 60; hi = Math.ceil(hi / 60) * 60;
    const height = (hi - lo) * PX_PER_MIN;
    const y = (hhmm) => (minutes(hhmm) - lo) * PX_PER_MIN;

    const head = el("div", { class: "cal-head" }, el("div", {}, ""));
    const body = el("div", { class: "cal-body", style: `height:${height}px` });
    const hours = el("div", { class: "hours" });
    for (let m = lo; m <= hi; m += 60) hours.append(el("span", { class: "hour-label", style: `top:${(m - lo) * PX_PER_MIN}px` }, `${String(m / 60).padStart(2, "0")}:00`));
    body.append(hours);

    data.dias.forEach((day, index) => {
      const isToday = day.fecha === data.hoy;
      const d = parseDay(day.fecha);
      head.append(el("div", { class: isToday ? "today" : "" }, DAYS_SHORT[index], el("span", { class: "day-num" }, String(d.getUTCDate()))));
      const column = el("div", { class: `day-col${isToday ? " today" : ""}${day.atiende ? "" : " off"}`, "data-fecha": day.fecha, "aria-label": longDay(day.fecha) });
      if (!day.atiende) {
        column.append(el("div", { class: "off-label" }, day.ausencia ? `No atiende · ${day.ausencia}` : "No atiende"));
      } else {
        for (let i = 1; i < day.bloques.length; i++) {
          const from = day.bloques[i - 1].fin, to = day.bloques[i].inicio;
          column.append(el("div", { class: "break", style: `top:${y(from)}px;height:${y(to) - y(from)}px` }, "Colación"));
        }
        for (const cell of day.celdas) {
          column.append(cellButton(day, cell, y));
          if (cell.cita && state.openCita !== null && String(cell.cita.id) === state.openCita) {
            state.openCita = null;
            setTimeout(() => openDetail(day, cell), 0);
          }
        }
      }
      if (isToday && data.ahora) {
        const now = data.ahora.slice(11, 16);
        if (minutes(now) >= lo && minutes(now) <= hi) column.append(el("div", { class: "now-line", style: `top:${y(now)}px` }));
      }
      body.append(column);
    });
    const calendar = $("agenda");
    calendar.replaceChildren(head, body);
    calendar.dataset.profesional = data.profesional.id;
    calendar.dataset.semana = data.semana;
  }

  function cellButton(day, cell, y) {
    const top = y(cell.inicio) + 1, h = y(cell.fin) - y(cell.inicio) - 2;
    const when = `${longDay(day.fecha)}, ${cell.inicio}`;
    const common = { type: "button", "data-inicio": `${day.fecha}T${cell.inicio}`, "data-fin": `${day.fecha}T${cell.fin}`, style: `top:${top}px;height:${h}px` };
    if (cell.estado === "libre") {
      return el("button", Object.assign({ class: "cell libre", "aria-label": `Disponible, ${when}`, onclick: () => openBooking(day, cell) }, common),
        el("span", { class: "t" }, cell.inicio), "Disponible");
    }
    if (cell.estado === "ocupado") {
      return el("button", Object.assign({ class: "cell ocupado", "aria-label": `Ocupado, ${when}: ${cell.cita.paciente}`, title: `${cell.inicio} ${cell.cita.paciente}`, onclick: () => openDetail(day, cell) }, common),
        el("span", { class: "t" }, cell.inicio), cell.cita.paciente);
    }
    return el("button", Object.assign({ class: "cell pasado", disabled: "", "aria-label": `Horario pasado, ${when}` }, common), el("span", { class: "t" }, cell.inicio));
  }

  function professional() { return state.professionals.find((p) => p.id === state.professional); }

  function openModal(id) { $(id).hidden = false; }
  function closeModals() { for (const id of ["modal-cita", "modal-detalle"]) $(id).hidden = true; state.booking = null; }

  function openBooking(day, cell) {
    state.booking = { fecha: day.fecha, inicio: cell.inicio, fin: cell.fin };
    $("form-cita").reset();
    $("modal-cita-error").hidden = true;
    $("guardar-cita").disabled = false;
    $("guardar-cita").textContent = "Guardar cita";
    $("modal-cita-resumen").textContent = `${professional().nombre} · ${longDay(day.fecha)} · ${cell.inicio}–${cell.fin}`;
    openModal("modal-cita");
    $("paciente-nombre").focus();
  }

  function openDetail(day, cell) {
    const c = cell.cita;
    const rows = [["Paciente", c.paciente], ["Teléfono", c.telefono], ["RUT / Documento", c.documento || "—"],
      ["Profesional", professional().nombre], ["Fecha", `${longDay(day.fecha)}, ${cell.inicio}–${cell.fin}`],
      ["Nota", c.nota || "—"], ["Agendada por", c.creada_por], ["N° de cita", c.id]];
    $("detalle-cita").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    state.detail = { id: c.id, paciente: c.paciente, fecha: day.fecha, inicio: cell.inicio };
    const button = $("anular-cita");
    button.disabled = false;
    button.classList.remove("armed");
    button.textContent = "Anular cita";
    $("modal-detalle-error").hidden = true;
    openModal("modal-detalle");
  }

  // Two clicks, in the modal itself (no browser dialog): "Anular cita", then "Confirmar anulación".
  async function cancelAppointment() {
    const detail = state.detail, button = $("anular-cita");
    if (!detail) return;
    if (!button.classList.contains("armed")) {
      button.classList.add("armed");
      button.textContent = "Confirmar anulación";
      return;
    }
    button.disabled = true;
    try {
      await api(`/api/citas/${encodeURIComponent(detail.id)}/anular`, {
        method: "POST", headers: { Accept: "application/json", "X-CSRF-Token": csrf },
      });
      closeModals();
      toast(`Cita anulada: ${detail.paciente}, ${shortDay(detail.fecha)} ${detail.inicio} (N° ${detail.id})`);
      await load();
    } catch (error) {
      button.disabled = false;
      const box = $("modal-detalle-error");
      box.textContent = error.status ? error.message : "No se pudo anular la cita: sin conexión con el servidor.";
      box.hidden = false;
      if (error.status === 404) load();
    }
  }

  function modalError(message) { const box = $("modal-cita-error"); box.textContent = message; box.hidden = false; }

  async function save(event) {
    event.preventDefault();
    const booking = state.booking;
    if (!booking) return;
    const form = new FormData($("form-cita"));
    const name = String(form.get("nombre")).trim(), phone = String(form.get("telefono")).trim();
    if (name.length < 3) return modalError("Ingrese el nombre del paciente.");
    if ((phone.match(/\d/g) || []).length < 8) return modalError("Ingrese un teléfono válido (al menos 8 dígitos).");
    const button = $("guardar-cita");
    button.disabled = true;
    button.textContent = "Guardando…";
    $("modal-cita-error").hidden = true;
    try {
      const result = await api("/api/citas", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ profesional: state.professional, inicio: `${booking.fecha}T${booking.inicio}`,
          paciente: { nombre: name, telefono: phone, documento: String(form.get("documento")).trim() },
          nota: String(form.get("nota")).trim() }),
      });
      closeModals();
      toast(`Cita agendada: ${result.cita.paciente}, ${shortDay(booking.fecha)} ${booking.inicio} con ${professional().nombre} (N° ${result.cita.id})`);
      await load();
    } catch (error) {
      button.disabled = false;
      button.textContent = "Guardar cita";
      if (error.status === 409) { modalError(error.message); load(); }
      else if (error.status === 422) modalError(error.message);
      else if (error.status) modalError(`No se pudo guardar la cita (error ${error.status}). Intente nuevamente.`);
      else modalError("No se pudo guardar la cita: sin conexión con el servidor.");
    }
  }

  function toast(message) {
    const item = el("div", { class: "toast" }, message);
    $("avisos").append(item);
    setTimeout(() => item.remove(), 8000);
  }

  $("profesional").addEventListener("change", (e) => { state.professional = e.target.value; load(); });
  $("semana-anterior").addEventListener("click", () => { state.week = addDays(state.week, -7); load(); });
  $("semana-siguiente").addEventListener("click", () => { state.week = addDays(state.week, 7); load(); });
  $("hoy").addEventListener("click", () => { state.week = monday(state.today); load(); });
  $("ir-a-fecha").addEventListener("change", (e) => { if (e.target.value) { state.week = monday(e.target.value); load(); } });
  $("form-cita").addEventListener("submit", save);
  $("anular-cita").addEventListener("click", cancelAppointment);
  document.querySelectorAll("[data-cerrar]").forEach((b) => b.addEventListener("click", closeModals));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeModals(); });
  start();
})();
