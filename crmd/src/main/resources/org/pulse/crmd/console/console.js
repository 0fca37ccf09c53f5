// Pulse's web console: the cluster as /api/v1/status says, kept current by /api/v1/events
// (server-sent events), and the operator's actions as POSTs to the same API. Text is always set
// with textContent: nothing from the cluster is ever read as HTML.
"use strict";

const api = "api/v1/";
let stream = null;
let nodesNow = [];
let lastTransition = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

function fill(tableId, rows) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren(...rows);
}

async function call(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (method === "POST") {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body || {});
  }
  const r = await fetch(api + path, opts);
  let doc = {};
  try { doc = await r.json(); } catch (e) { /* empty answer */ }
  if (r.status === 401) { showLogin(doc.error ? doc.error.message : ""); throw new Error("not logged in"); }
  if (!r.ok) throw new Error(doc.error ? doc.error.message : ("HTTP " + r.status));
  return doc;
}

function message(text, isError) {
  const m = document.getElementById("message");
  m.textContent = text;
  m.className = isError ? "error" : "";
}

async function act(what, path, body) {
  message(what + " ...");
  try {
    await call("POST", path, body);
    message(what + ": done");
  } catch (e) {
    message(what + ": " + e.message, true);
  }
}

function showLogin(error) {
  if (stream) { stream.close(); stream = null; }
  document.getElementById("app").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("login-error").textContent = error || "";
  document.getElementById("who").textContent = "";
  setLive(false);
}

function setLive(on) {
  const l = document.getElementById("live");
  l.className = "live " + (on ? "on" : "off");
  l.textContent = on ? "live" : "offline";
}

function render(s) {
  nodesNow = s.nodes.map(n => n.name);
  document.getElementById("summary").textContent =
    "DC " + (s.dc || "none") + " · " + (s.quorate ? "quorate" : "NOT quorate") + " · CIB " + s.version;
  const dl = document.getElementById("cluster");
  const items = [["This node", s.node], ["DC", s.dc || "none"], ["Quorum", (s.quorate ? "yes" : "no") + " (" + (s.quorum || "") + ")"],
    ["Members", s.members.join(", ")], ["Transition", s.transition || "idle"], ["CIB version", s.version]];
  dl.replaceChildren(...items.flatMap(([k, v]) => [el("dt", {}, k), el("dd", { id: "cluster-" + k.toLowerCase().replace(/ /g, "-") }, v)]));

  fill("nodes", s.nodes.map(n => el("tr", { id: "node-" + n.name, "data-state": n.state },
    el("td", {}, n.name + (n.dc ? " (DC)" : "")),
    el("td", { class: "state state-" + n.state }, n.state),
    el("td", { class: "resources" }, n.resources.join(", ")),
    el("td", {},
      el("button", { class: "standby", onclick: () => act("standby " + n.name, "nodes/" + enc(n.name) + "/standby") }, "Standby"),
      el("button", { class: "online", onclick: () => act("online " + n.name, "nodes/" + enc(n.name) + "/online") }, "Online"),
      el("button", { class: "maintenance", onclick: () => act("maintenance " + n.name, "nodes/" + enc(n.name) + "/maintenance") }, "Maintenance"),
      el("button", { class: "ready", onclick: () => act("ready " + n.name, "nodes/" + enc(n.name) + "/ready") }, "Ready")))));

  fill("resources", s.resources.map(r => {
    const target = el("select", { class: "move-target", "aria-label": "move " + r.id + " to" },
      ...nodesNow.map(n => el("option", { value: n }, n)));
    const base = r.id.includes(":") ? r.id.slice(0, r.id.indexOf(":")) : r.id;
    const rsc = r.clone || r.group || base;
    return el("tr", { id: "rsc-" + r.id, "data-status": r.status },
      el("td", {}, r.id + (r.group ? " (group " + r.group + ")" : "") + (r.clone ? " (clone " + r.clone + ")" : "")),
      el("td", {}, r.agent),
      el("td", { class: "status status-" + r.status }, r.status + (r.managed ? "" : " (unmanaged)")),
      el("td", { class: "where" }, r.nodes.join(", ")),
      el("td", {},
        el("button", { class: "start", onclick: () => act("start " + rsc, "resources/" + enc(rsc) + "/start") }, "Start"),
        el("button", { class: "stop", onclick: () => act("stop " + rsc, "resources/" + enc(rsc) + "/stop") }, "Stop"),
        target,
        el("button", { class: "move", onclick: () => act("move " + rsc + " to " + target.value, "resources/" + enc(rsc) + "/move", { node: target.value }) }, "Move"),
        el("button", { class: "clear", onclick: () => act("clear " + rsc, "resources/" + enc(rsc) + "/clear") }, "Clear"),
        el("button", { class: "cleanup", onclick: () => act("cleanup " + rsc, "resources/" + enc(rsc) + "/cleanup") }, "Cleanup")));
  }));

  fill("constraints", s.constraints.map(c => el("tr", { id: "constraint-" + c.id, class: "kind-" + c.kind },
    el("td", {}, c.id), el("td", {}, c.kind), el("td", {}, c.resource), el("td", {}, c.node), el("td", {}, c.score))));
  fill("failed", s.failed_actions.map(f => el("tr", {},
    el("td", {}, f.node), el("td", {}, f.resource), el("td", {}, f.operation + (f.interval_ms ? " every " + f.interval_ms + " ms" : "")),
    el("td", {}, f.rc), el("td", {}, f.reason))));
  fill("failcounts", s.fail_counts.map(f => el("tr", {},
    el("td", {}, f.node), el("td", {}, f.resource), el("td", {}, f.operation), el("td", {}, f.count))));
  const fencing = s.fence_history.concat(s.fencing_pending.map(n => "pending: " + n));
  document.getElementById("fencing").replaceChildren(...(fencing.length ? fencing : ["none"]).map(l => el("li", {}, l)));
}

function enc(s) { return encodeURIComponent(s); }

async function loadHistory() {
  try {
    const h = await call("GET", "history");
    fill("history", h.transitions.map(t => el("tr", { id: "transition-" + t.id, class: "clickable", onclick: () => openTransition(t.id) },
      el("td", {}, t.id), el("td", {}, t.started), el("td", {}, t.duration_ms + " ms"), el("td", {}, t.action_count),
      el("td", {}, t.trigger), el("td", {}, t.result))));
  } catch (e) {
    message("history: " + e.message, true);
  }
}

async function openTransition(id) {
  try {
    const t = await call("GET", "history/" + id);
    document.getElementById("transition").hidden = false;
    document.getElementById("transition-title").textContent = "Transition " + t.id + " (" + t.source + ")";
    document.getElementById("transition-meta").textContent =
      "started " + t.started + ", " + t.duration_ms + " ms; trigger: " + t.trigger + "; result: " + t.result;
    document.getElementById("transition-actions").replaceChildren(...t.actions.map(a => el("li", {}, a)));
  } catch (e) {
    message("transition " + id + ": " + e.message, true);
  }
}

async function start() {
  let me;
  try {
    me = await call("GET", "whoami");
  } catch (e) {
    return; // the login form is showing
  }
  document.getElementById("login").hidden = true;
  document.getElementById("app").hidden = false;
  document.getElementById("logout").hidden = false;
  document.getElementById("who").textContent = me.user + " (until " + me.expires + ")";
  render(await call("GET", "status"));
  loadHistory();
  stream = new EventSource(api + "events");
  stream.addEventListener("status", ev => {
    setLive(true);
    const s = JSON.parse(ev.data);
    render(s);
    // A transition started or ended: the history has news.
    if (s.transition !== lastTransition) { lastTransition = s.transition; loadHistory(); }
  });
  stream.addEventListener("expired", () => showLogin("the token expired; get a new one with crm web token"));
  stream.onopen = () => setLive(true);
  stream.onerror = () => setLive(false); // EventSource reconnects by itself
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const token = document.getElementById("token").value.trim();
    try {
      await call("POST", "login", { token });
      document.getElementById("token").value = "";
      start();
    } catch (e) {
      document.getElementById("login-error").textContent = e.message === "not logged in"
        ? document.getElementById("login-error").textContent : e.message;
    }
  });
  document.getElementById("logout").addEventListener("click", async () => {
    await call("POST", "logout");
    showLogin("");
  });
  document.getElementById("history-refresh").addEventListener("click", loadHistory);
  start();
});
