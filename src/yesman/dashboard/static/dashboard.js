// yesman dashboard: live updates over Server-Sent Events, held-dialog buttons, charts.
// No build step and no dependency but the vendored uPlot. The server renders every table; this
// script only swaps in fresh fragments when an event says something changed (no polling).
"use strict";

(() => {
  const live = document.body.dataset.live === "1";
  const conn = document.getElementById("conn");

  // ---------------------------------------------------------------- fragments

  // Reload the server-rendered fragments on this page (elements with data-fragment).
  const due = new Set();
  let soon = null;

  async function reload(el) {
    const extra = el.dataset.query ? "?" + el.dataset.query : "";
    const response = await fetch(el.dataset.fragment + extra, { credentials: "same-origin" });
    if (!response.ok) return;
    // Ticked boxes (an alert's label matchers) survive the swap.
    const kept = new Set([...el.querySelectorAll("input[data-keep]:checked")].map((i) => i.dataset.keep));
    el.innerHTML = await response.text();
    for (const input of el.querySelectorAll("input[data-keep]")) {
      if (kept.has(input.dataset.keep)) input.checked = true;
    }
    tick();
  }

  function reloadNow() {
    soon = null;
    const names = [...due];
    due.clear();
    for (const el of document.querySelectorAll("[data-fragment]")) {
      if (names.includes(el.id)) reload(el);
    }
    countHeld();
    if (names.includes("alerts")) countAlerts();
  }

  // Held dialogs are reloaded at once (someone is waiting); other changes are coalesced.
  function want(names, immediately) {
    for (const name of names) due.add(name);
    if (immediately) reloadNow();
    else if (soon === null) soon = setTimeout(reloadNow, 100);
  }

  async function countHeld() {
    const badge = document.getElementById("held-count");
    if (!badge || !live) return;
    const response = await fetch("/api/held", { credentials: "same-origin" });
    if (!response.ok) return;
    const n = (await response.json()).held.length;
    badge.textContent = n ? String(n) : "";
  }

  async function countAlerts() {
    const badge = document.getElementById("alert-count");
    if (!badge) return;
    const response = await fetch("/api/alerts?recent=1", { credentials: "same-origin" });
    if (!response.ok) return;
    const n = (await response.json()).active.filter((a) => a.state === "firing").length;
    badge.textContent = n ? String(n) : "";
  }

  // ---------------------------------------------------------------- "waiting for" clocks

  function age(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
    return Math.floor(s / 3600) + " h " + String(Math.floor(s / 60) % 60).padStart(2, "0") + " min";
  }

  function tick() {
    const now = Date.now() / 1000;
    for (const el of document.querySelectorAll("[data-since]")) {
      el.textContent = age(now - parseFloat(el.dataset.since));
    }
    for (const el of document.querySelectorAll("[data-until]")) {
      el.textContent = age(parseFloat(el.dataset.until) - now);
    }
  }
  setInterval(tick, 1000);
  tick();

  // ---------------------------------------------------------------- the event stream

  const PANE_EVENTS = new Set([
    "session.created", "session.stopped", "session.renamed", "claude.status_changed",
    "prompt.detected", "prompt.decided", "response.sent", "automation.context",
  ]);

  function handle(event) {
    if (event.type === "hello" || event.type === "resync") {
      want(["agents", "held", "alerts"], true); // catch up on what happened while not connected
    } else if (event.type === "alert") {
      want(["alerts", "agents"], false); // coalesced: a burst of changes is one reload
    } else if (event.type === "prompt.held") {
      want(["held", "agents"], true);
    } else if (PANE_EVENTS.has(event.type)) {
      want(["agents", "held"], false);
    } else if (event.type === "performance.metrics") {
      if (charts && charts.relative()) charts.load();
    }
    document.dispatchEvent(new CustomEvent("yesman:event", { detail: event }));
  }

  function connect() {
    const source = new EventSource("/api/events");
    source.onopen = () => { conn.classList.add("on"); conn.classList.remove("off"); };
    source.onerror = () => { conn.classList.add("off"); conn.classList.remove("on"); };
    source.onmessage = (message) => handle(JSON.parse(message.data));
  }

  // ---------------------------------------------------------------- held-dialog buttons

  function notice(text, ok) {
    let box = document.getElementById("notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "notice";
      box.setAttribute("role", "status");
      document.querySelector("main").prepend(box);
    }
    box.className = ok ? "ok" : "refused";
    box.textContent = text;
  }

  document.addEventListener("click", async (click) => {
    const button = click.target.closest(".held-card button[data-action]");
    if (!button) return;
    const card = button.closest(".held-card");
    const result = card.querySelector(".result");
    const body = { fingerprint: card.dataset.fingerprint };
    if (button.dataset.option) body.option = parseInt(button.dataset.option, 10);
    for (const b of card.querySelectorAll("button")) b.disabled = true;
    result.textContent = "sending…";
    const url = "/api/held/" + encodeURIComponent(card.dataset.id) + "/" + button.dataset.action;
    let data;
    let ok = false;
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      ok = response.ok;
      data = await response.json().catch(() => ({ error: response.status + " " + response.statusText }));
    } catch (err) {
      data = { error: "the dashboard did not answer: " + err };
    }
    const where = card.dataset.pane;
    const text = ok
      ? where + ": typed " + data.keys.join("+") + " (" + data.action + "); " +
        (data.verified ? "the dialog went away." : "it is not confirmed: look at the pane.")
      : where + ": " + data.error;
    result.textContent = text;
    notice(text, ok);
    card.classList.add(ok ? "done" : "refused");
    if (!ok) for (const b of card.querySelectorAll("button")) b.disabled = false;
    want(["held", "agents"], true);
  });

  // ---------------------------------------------------------------- alert buttons

  // A change through the API: {ok, data}, with data.error saying why when it was refused.
  async function call(method, url, body) {
    try {
      const response = await fetch(url, {
        method,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const data = await response.json().catch(() => ({ error: response.status + " " + response.statusText }));
      return { ok: response.ok, data };
    } catch (err) {
      return { ok: false, data: { error: "the dashboard did not answer: " + err } };
    }
  }

  function alertsChanged() {
    if (document.getElementById("alerts")) want(["alerts", "agents"], true);
    else location.reload(); // an alert's own page has no fragment to swap
  }

  function silenced(data) {
    const s = data.silence;
    const only = Object.entries(s.matchers).map(([k, v]) => k + "=" + v).join(" ");
    return "silenced " + s.rule + (only ? " where " + only : "") + " until " +
      new Date(s.until * 1000).toLocaleString() + " (silence " + s.id + ")";
  }

  document.addEventListener("click", async (click) => {
    const button = click.target.closest(".alert-card button[data-alert-action]");
    if (!button) return;
    const card = button.closest(".alert-card");
    const result = card.querySelector(".result");
    const ref = encodeURIComponent(card.dataset.ref);
    for (const b of card.querySelectorAll("button")) b.disabled = true;
    result.textContent = "sending…";
    let outcome;
    if (button.dataset.alertAction === "ack") {
      outcome = await call("POST", "/api/alerts/" + ref + "/ack", {});
    } else {
      const matchers = {};
      for (const box of card.querySelectorAll("input[data-key]:checked")) {
        matchers[box.dataset.key] = box.dataset.value;
      }
      outcome = await call("POST", "/api/silences", {
        rule: card.dataset.rule, seconds: parseInt(button.dataset.seconds, 10), matchers,
      });
    }
    const { ok, data } = outcome;
    const text = !ok ? data.error
      : data.alert ? "alert " + card.dataset.ref + " acknowledged: no more reminders"
      : silenced(data);
    result.textContent = text;
    notice(text, ok);
    if (!ok) for (const b of card.querySelectorAll("button")) b.disabled = false;
    alertsChanged();
  });

  document.addEventListener("click", async (click) => {
    const button = click.target.closest("button.expire[data-silence]");
    if (!button) return;
    button.disabled = true;
    const { ok, data } = await call("DELETE", "/api/silences/" + encodeURIComponent(button.dataset.silence));
    notice(ok ? "silence " + data.id + " expired" : data.error, ok);
    alertsChanged();
  });

  const silenceForm = document.getElementById("silence-form");
  if (silenceForm) {
    silenceForm.addEventListener("submit", async (submit) => {
      submit.preventDefault();
      const form = new FormData(silenceForm);
      const matchers = {};
      for (const pair of String(form.get("matchers") || "").split(/[\s,]+/)) {
        if (!pair) continue;
        const at = pair.indexOf("=");
        if (at < 1) {
          notice("matching: write label=value pairs, such as session=work pane=%3", false);
          return;
        }
        matchers[pair.slice(0, at)] = pair.slice(at + 1);
      }
      const { ok, data } = await call("POST", "/api/silences", {
        rule: String(form.get("rule") || ""),
        seconds: parseInt(String(form.get("seconds")), 10),
        matchers,
        comment: String(form.get("comment") || ""),
      });
      notice(ok ? silenced(data) : data.error, ok);
      if (ok) silenceForm.reset();
      alertsChanged();
    });
  }

  // ---------------------------------------------------------------- performance charts

  const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777",
    "#4b5563"];

  const charts = document.getElementById("charts") ? makeCharts() : null;

  function makeCharts() {
    const plots = {};
    const params = new URLSearchParams(location.search);
    let range = { since: params.get("since") || "1h", until: params.get("until") || "" };
    const isRelative = () => !range.until && !/^\d+(\.\d+)?$/.test(range.since);

    function plot(key, t, lines) {
      const el = document.getElementById("chart-" + key);
      if (!el) return;
      if (plots[key]) plots[key].destroy();
      let points = 0;
      for (const line of lines) for (const v of line.values) if (v !== null) points += 1;
      el.dataset.series = String(lines.length);
      el.dataset.points = String(points);
      const opts = {
        width: Math.max(320, el.clientWidth),
        height: 220,
        scales: { x: { time: true } },
        series: [{}].concat(lines.map((line, i) => ({
          label: line.label,
          stroke: COLORS[i % COLORS.length],
          width: 1.5,
          // Slices narrower than the report interval hold no report: join across them (the
          // points show where the reports are).
          spanGaps: true,
          points: { show: true, size: 3 },
        }))),
        cursor: { drag: { x: true, setScale: false } },
        hooks: {
          setSelect: [(u) => {
            if (u.select.width < 5) return;
            const from = u.posToVal(u.select.left, "x");
            const to = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, width: 0 }, false);
            setRange(String(Math.floor(from)), String(Math.ceil(to)));
          }],
        },
      };
      plots[key] = new uPlot(opts, [t].concat(lines.map((line) => line.values)), el);
    }

    function draw(d) {
      const names = Object.keys(d.components).sort();
      const per = (field) => names.map((n) => ({ label: n, values: d.components[n][field] }));
      plot("latency-p95", d.t, per("p95_ms"));
      plot("latency-p50", d.t, per("p50_ms"));
      plot("cpu", d.t, [{ label: "watcher process", values: d.process.cpu_percent }].concat(per("cpu_percent")));
      plot("memory", d.t, [{ label: "watcher process (peak)", values: d.process.memory_mb }].concat(per("memory_mb")));
      plot("io", d.t, per("bytes"));
      plot("bus", d.t, [
        { label: "max queue depth", values: d.bus.max_queue_depth },
        { label: "utilisation %", values: d.bus.utilization_percent },
        { label: "overflow", values: d.bus.overflow },
        { label: "dropped", values: d.bus.dropped },
      ]);
      plot("lag", d.t, [
        { label: "p99", values: d.process.lag_p99_ms },
        { label: "max", values: d.process.lag_max_ms },
      ]);
      plot("answers", d.t, [
        { label: "p50", values: d.answers.p50_ms },
        { label: "p95", values: d.answers.p95_ms },
      ]);
      const note = document.getElementById("range-note");
      const shown = new Date(d.since * 1000).toLocaleString() + " to " + new Date(d.until * 1000).toLocaleString();
      note.textContent = "Showing " + shown + (d.history
        ? "; the history holds " + new Date(d.history.start * 1000).toLocaleString() + " to " +
          new Date(d.history.end * 1000).toLocaleString() + "."
        : "; the history is empty.");
      document.getElementById("charts").dataset.loaded = String(Date.now());
    }

    async function load() {
      const q = new URLSearchParams({ since: range.since, points: "60" });
      if (range.until) q.set("until", range.until);
      const response = await fetch("/api/series?" + q, { credentials: "same-origin" });
      const data = await response.json();
      if (!response.ok) {
        document.getElementById("range-note").textContent = data.error;
        return;
      }
      draw(data);
      const components = document.getElementById("components");
      components.dataset.query = q.toString();
      reload(components);
    }

    function setRange(since, until) {
      range = { since, until: until || "" };
      for (const b of document.querySelectorAll("#range button[data-range]")) {
        b.classList.toggle("on", b.dataset.range === since && !until);
      }
      const q = new URLSearchParams({ since });
      if (until) q.set("until", until);
      history.replaceState(null, "", "?" + q);
      load();
    }

    document.getElementById("range").addEventListener("click", (click) => {
      const button = click.target.closest("button[data-range]");
      if (button) setRange(button.dataset.range, "");
    });
    document.getElementById("range-apply").addEventListener("click", () => {
      const from = document.getElementById("range-from").value;
      const to = document.getElementById("range-to").value;
      if (!from) return;
      const epoch = (value) => String(Math.floor(new Date(value).getTime() / 1000));
      setRange(epoch(from), to ? epoch(to) : "");
    });
    window.addEventListener("resize", () => {
      for (const [key, u] of Object.entries(plots)) {
        u.setSize({ width: Math.max(320, document.getElementById("chart-" + key).clientWidth), height: 220 });
      }
    });
    load();
    return { load, relative: isRelative };
  }

  if (live) connect();
  else conn.classList.add("history");
  countHeld();
  countAlerts();
})();
