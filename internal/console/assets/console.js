// dxlab console: reads the operator API (/_dxlab/v1/...) and draws the
// simulated world. It polls once a second: the topology (redrawn only when
// it changed), the clock and the events after the last one seen. Every
// operator action is one operator API request; its answer and the events it
// caused are shown. Text from the server is only ever set as text.
"use strict";

const API = "/_dxlab/v1";
const SVG = "http://www.w3.org/2000/svg";
const $ = (sel) => document.querySelector(sel);

const state = {
  account: "",
  region: "",
  topology: null,
  topologyKey: "",
  events: [],       // newest last, at most keepEvents
  lastSeq: 0,
  selected: "",
  token: sessionStorage.getItem("dxlab-token") || "",
  profile: "",
  guarded: false,
};
const keepEvents = 1000;

// ---- the operator API -------------------------------------------------

class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function call(method, path, body) {
  if (method !== "GET" && state.guarded && !state.token && !await askToken()) throw new APIError(401, "no operator token given");
  const headers = { "Accept": "application/json" };
  if (state.token) headers["Authorization"] = "Bearer " + state.token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const url = path.startsWith("/_dxlab/") ? path : API + path;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text }; }
  if (res.status === 401 && method !== "GET" && await askToken()) return call(method, path, body);
  if (!res.ok) throw new APIError(res.status, (data && data.error) || res.statusText);
  return data;
}

// askToken asks for the operator token once, however many requests wait
// for it.
let asking = null;
function askToken() {
  asking ||= promptToken().finally(() => { asking = null; });
  return asking;
}

function promptToken() {
  const dialog = $("#token-dialog");
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "ok" && $("#token").value) {
        state.token = $("#token").value;
        sessionStorage.setItem("dxlab-token", state.token);
        resolve(true);
      } else resolve(false);
    }, { once: true });
    dialog.showModal();
  });
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== undefined && v !== null) q.set(k, v);
  const s = q.toString();
  return s ? "?" + s : "";
}

// ---- small DOM helpers -------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function resourceLink(id, label) {
  return el("a", { href: "#/resource/" + encodeURIComponent(id) }, label || id);
}

function fmtTime(t) {
  if (!t) return "";
  const d = new Date(t);
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

function setStatus(text, error) {
  const s = $("#status");
  s.textContent = text;
  s.classList.toggle("error", !!error);
}

// ---- what a resource is ------------------------------------------------

// tone is the colour a state gets.
function tone(stateName) {
  const s = (stateName || "").toLowerCase();
  if (["deleted", "deleting", "disassociated", "disassociating", "rejected", "detached", "deleted-by-aws"].includes(s)) return "gone";
  if (["down", "failed", "unknown", "failing"].includes(s)) return "down";
  if (["available", "up", "attached", "associated", "accepted", "completed", "active"].includes(s)) return "ok";
  return "pending";
}

function isHostedOrMember(r) {
  return r.kind === "dx.connection" && r.parent;
}

function kindLabel(r) {
  switch (r.kind) {
    case "dx.connection":
      if (!r.parent) return "connection";
      return r.port ? "LAG member" : "hosted connection";
    case "dx.interconnect": return "interconnect";
    case "dx.lag": return "LAG";
    case "dx.vif": {
      const t = r.view && r.view.virtualInterfaceType;
      return t ? t + " VIF" : "virtual interface";
    }
    case "dx.gateway": return "DX gateway";
    case "dx.gateway-association": return "association";
    case "dx.gateway-association-proposal": return "proposal";
    case "ec2.vgw": return "virtual private gateway";
    case "ec2.tgw": return "transit gateway";
    case "ic.connection": return "Interconnect connection";
    case "ic.proposal": return "Interconnect proposal";
    default: return r.kind;
  }
}

// column puts a resource in the graph's column: the physical world on the
// left, the gateways on the right.
function column(r) {
  switch (r.kind) {
    case "dx.interconnect": return r.parent ? 3 : 2;
    case "dx.lag": return 2;
    case "dx.connection": return isHostedOrMember(r) ? 3 : 2;
    case "dx.vif": return 4;
    case "dx.gateway": return 5;
    case "dx.gateway-association": case "dx.gateway-association-proposal": return 6;
    case "ec2.vgw": case "ec2.tgw": return 7;
    default:
      if (r.kind.endsWith("connection")) return 2; // AWS Interconnect
      return -1; // not drawn (virtual interface tests, proposals of Interconnect)
  }
}
const columnTitles = ["locations", "devices", "on a port of their own", "hosted connections, LAG members", "virtual interfaces", "Direct Connect gateways", "associations, proposals", "VGWs, TGWs"];

// speed is a port speed of the catalog for a bandwidth: 10Gbps -> 10G.
function speed(bw) { return (bw || "").replace(/bps$/, ""); }

function mbps(bw) {
  const m = /^(\d+(?:\.\d+)?)(M|G)bps$/.exec(bw || "");
  if (!m) return 0;
  return parseFloat(m[1]) * (m[2] === "G" ? 1000 : 1);
}

function fmtMbps(n) { return n >= 1000 ? (n / 1000) + "Gbps" : n + "Mbps"; }

// ---- the graph ---------------------------------------------------------

const nodeW = 196, nodeH = 58, colGap = 34, rowGap = 14, pad = 24;

function buildGraph(topo) {
  const nodes = new Map();
  const edges = [];
  const add = (n) => { nodes.set(n.id, n); return n; };
  const live = (r) => tone(r.state) !== "gone";
  for (const r of topo.resources) {
    const col = column(r);
    if (col < 0) continue;
    add({ id: r.id, col, r, title: kindLabel(r), sub: r.name || "", state: r.state, account: r.account });
  }
  const devices = new Map(topo.devices.map((d) => [d.id, d]));
  const place = (r) => {
    if (!r.location) return null;
    if (!nodes.has("loc:" + r.location)) add({ id: "loc:" + r.location, col: 0, place: true, title: "location", sub: r.location, label: r.location });
    if (!r.device) return "loc:" + r.location;
    const dev = devices.get(r.device);
    if (!nodes.has("dev:" + r.device)) {
      add({ id: "dev:" + r.device, col: 1, place: true, title: "device", sub: r.device, label: r.device, device: r.device,
        state: dev && dev.down ? "down" : "up" });
      edges.push({ from: "dev:" + r.device, to: "loc:" + r.location });
    }
    return "dev:" + r.device;
  };
  for (const n of [...nodes.values()]) {
    const r = n.r;
    if (!r) continue;
    const onPort = !r.parent && (r.kind === "dx.connection" || r.kind === "dx.interconnect" || r.kind === "dx.lag" || column(r) === 2);
    if (onPort && live(r)) {
      const p = place(r);
      if (p) edges.push({ from: r.id, to: p });
    }
    if (r.parent && nodes.has(r.parent)) edges.push({ from: r.id, to: r.parent });
    for (const l of r.links || []) if (nodes.has(l.id)) edges.push({ from: r.id, to: l.id, rel: l.rel });
  }
  for (const e of edges) {
    const a = nodes.get(e.from), b = nodes.get(e.to);
    e.cross = !!(a.account && b.account && a.account !== b.account);
  }
  layout(nodes, edges);
  return { nodes, edges };
}

// layout orders each column by where its neighbours sit in the columns
// already placed (a barycentre sweep), then stacks it.
function layout(nodes, edges) {
  const neighbours = new Map();
  for (const e of edges) {
    for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) {
      if (!neighbours.has(a)) neighbours.set(a, []);
      neighbours.get(a).push(b);
    }
  }
  // Columns with nothing in them take no room.
  const used = [...new Set([...nodes.values()].map((n) => n.col))].sort((a, b) => a - b);
  const cols = used.map(() => []);
  for (const n of nodes.values()) cols[used.indexOf(n.col)].push(n);
  const rank = new Map();
  cols.forEach((col, c) => {
    const key = (n) => {
      const placed = (neighbours.get(n.id) || []).filter((id) => rank.has(id)).map((id) => rank.get(id));
      return placed.length ? placed.reduce((a, b) => a + b, 0) / placed.length : Number.MAX_SAFE_INTEGER;
    };
    col.sort((a, b) => key(a) - key(b) || a.id.localeCompare(b.id));
    col.forEach((n, i) => { rank.set(n.id, i); n.x = pad + c * (nodeW + colGap); n.y = pad + 18 + i * (nodeH + rowGap); });
  });
  nodes.titles = used.map((c) => columnTitles[c]);
  nodes.rows = Math.max(0, ...cols.map((c) => c.length));
}

function drawTopology(topo) {
  const g = buildGraph(topo);
  const root = $("#topology");
  root.replaceChildren();
  $("#topology-empty").hidden = g.nodes.size > 0;
  const width = pad * 2 + Math.max(1, g.nodes.titles.length) * (nodeW + colGap);
  const height = pad * 2 + 18 + Math.max(1, g.nodes.rows) * (nodeH + rowGap);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  g.nodes.titles.forEach((title, c) => {
    root.append(svg("text", { x: pad + c * (nodeW + colGap), y: pad, class: "column-title", "font-size": "11", fill: "#57606a" }, title));
  });
  for (const e of g.edges) {
    const a = g.nodes.get(e.from), b = g.nodes.get(e.to);
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    const x1 = l.x + nodeW, y1 = l.y + nodeH / 2, x2 = r.x, y2 = r.y + nodeH / 2;
    const mx = (x1 + x2) / 2;
    const path = svg("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: "edge" + (e.cross ? " cross" : ""),
      "data-from": e.from, "data-to": e.to });
    if (e.cross) {
      path.setAttribute("data-cross", "true");
      path.append(svg("title", {}, `${a.account} → ${b.account}: another account's resource`));
    }
    root.append(path);
  }
  for (const n of g.nodes.values()) root.append(drawNode(n));
}

function drawNode(n) {
  const t = n.place ? (n.state === "down" ? "down" : "place") : tone(n.state);
  const label = n.place
    ? `${n.title} ${n.sub}${n.state === "down" ? ", down" : ""}`
    : `${n.title} ${n.id}${n.sub ? " (" + n.sub + ")" : ""}, ${n.state}, account ${n.account}`;
  const g = svg("g", { class: "node " + t + (n.id === state.selected ? " selected" : ""), tabindex: "0", role: "link",
    "aria-label": label, "data-id": n.id, "data-kind": n.r ? n.r.kind : n.title, "data-state": n.state || "",
    transform: `translate(${n.x},${n.y})` });
  g.append(svg("title", {}, label));
  g.append(svg("rect", { width: nodeW, height: nodeH, rx: 6 }));
  if (n.place) {
    g.append(svg("text", { x: 8, y: 17, class: "kind" }, n.title));
    g.append(svg("text", { x: 8, y: 33 }, n.sub));
    if (n.state === "down") g.append(svg("text", { x: 8, y: 49, class: "state" }, "down"));
  } else {
    g.append(svg("text", { x: 8, y: 15, class: "kind" }, n.title));
    g.append(svg("text", { x: 8, y: 29 }, clip(n.id, 30)));
    g.append(svg("text", { x: 8, y: 43 }, clip((n.sub ? n.sub + " · " : "") + "acct " + n.account, 32)));
    g.append(svg("text", { x: 8, y: 55, class: "state" }, n.state || ""));
  }
  const open = () => {
    if (n.r) location.hash = "#/resource/" + encodeURIComponent(n.id);
    else if (n.device) showDevice(n.device);
  };
  g.addEventListener("click", open);
  g.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(); } });
  return g;
}

function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }

// ---- capacity ------------------------------------------------------------

function drawCapacity(topo) {
  const live = topo.resources.filter((r) => tone(r.state) !== "gone");
  const used = new Map(); // device -> speed -> n
  for (const r of live) {
    if (!r.device || !r.port) continue;
    const m = used.get(r.device) || new Map();
    m.set(speed(r.bandwidth), (m.get(speed(r.bandwidth)) || 0) + 1);
    used.set(r.device, m);
  }
  const inUse = new Set(topo.resources.filter((r) => r.device).map((r) => r.device));
  const tbody = $("#devices tbody");
  tbody.replaceChildren();
  for (const d of topo.devices) {
    if (!inUse.has(d.id) && !d.down) continue;
    const m = used.get(d.id) || new Map();
    const ports = Object.keys(d.ports).sort((a, b) => mbps(a + "bps") - mbps(b + "bps"))
      .map((s) => `${s}: ${m.get(s) || 0}/${d.ports[s]}`).join(", ");
    const toggle = el("button", { type: "button", "data-action": d.down ? "device-up" : "device-down", "data-device": d.id,
      onclick: () => act(d.down ? "Device up" : "Device down", "POST", `/devices/${encodeURIComponent(d.id)}/${d.down ? "up" : "down"}`) },
      d.down ? "Device up" : "Device down");
    tbody.append(el("tr", { "data-device": d.id }, el("td", {}, d.id), el("td", {}, d.location),
      el("td", {}, d.down ? "down" : "up"), el("td", {}, ports), el("td", {}, toggle)));
  }
  if (!tbody.children.length) tbody.append(el("tr", {}, el("td", { colspan: "5" }, "No device carries anything yet.")));

  const hosting = $("#hosting tbody");
  hosting.replaceChildren();
  for (const p of live.filter((r) => r.kind === "dx.interconnect" || r.kind === "dx.lag")) {
    const children = live.filter((r) => r.parent === p.id);
    const members = children.filter((r) => r.port);
    const hosted = children.filter((r) => !r.port && r.vlan);
    const capacity = p.kind === "dx.lag" ? mbps(p.bandwidth) * members.length : mbps(p.bandwidth);
    const allocated = hosted.reduce((a, r) => a + mbps(r.bandwidth), 0);
    const share = capacity ? Math.min(100, Math.round(100 * allocated / capacity)) : 0;
    hosting.append(el("tr", { "data-resource": p.id },
      el("td", {}, resourceLink(p.id, `${kindLabel(p)} ${p.id}`)),
      el("td", { class: "num" }, fmtMbps(capacity) + (p.kind === "dx.lag" ? ` (${members.length} × ${p.bandwidth})` : "")),
      el("td", { class: "num" }, bar(share, "allocated"), fmtMbps(allocated) + ` in ${hosted.length}`),
      el("td", { class: "num" }, fmtMbps(Math.max(0, capacity - allocated))),
      el("td", {}, hosted.map((r) => r.vlan).sort((a, b) => a - b).join(", ") || "none")));
  }
  if (!hosting.children.length) hosting.append(el("tr", {}, el("td", { colspan: "5" }, "No interconnect or LAG.")));
}

// bar draws a share taken of a whole (0 to 100), for the eye and, as its
// label, for a screen reader.
function bar(share, what) {
  const b = el("span", { class: "bar", role: "img", "aria-label": `${share}% ${what}` }, el("span"));
  b.firstChild.style.width = share + "%"; // through CSSOM: the policy allows no inline style
  return b;
}

async function drawQuotas() {
  const table = $("#quotas"), hint = $("#quotas-hint");
  if (!state.account || !state.region) { table.hidden = true; hint.hidden = false; return; }
  const q = await call("GET", "/quotas" + query({ account: state.account, region: state.region }));
  const tbody = table.querySelector("tbody");
  tbody.replaceChildren(...q.quotas.map((u) => {
    const share = u.limit ? Math.min(100, Math.round(100 * u.used / u.limit)) : 100;
    const where = !u.where ? "" : /^(dx|vgw-|tgw-)|^[0-9a-f]{8}-/.test(u.where) ? resourceLink(u.where) : u.where;
    return el("tr", { "data-quota": u.name, class: u.used >= u.limit ? "full" : "" },
      el("td", {}, u.description, el("br"), el("small", {}, `${u.service}: ${u.name}`)),
      el("td", { class: "num" }, bar(share, "used"), `${u.used} / ${u.limit}`), el("td", {}, where));
  }));
  table.hidden = false;
  hint.hidden = true;
}

// ---- events ----------------------------------------------------------------

function eventItem(e) {
  const cause = e.cause || {};
  const why = cause.type === "api" ? `${cause.operation || "API"} by ${cause.account || "?"}`
    : cause.type === "step" ? `step ${cause.step}` : cause.type === "operator" ? `operator${cause.step ? ": " + cause.step : ""}` : cause.type;
  const change = e.action === "update" ? `${e.from} → ${e.to}` : e.action === "create" ? `created ${e.to || ""}` : `deleted${e.from ? " (was " + e.from + ")" : ""}`;
  return el("li", { "data-seq": String(e.seq), "data-resource": e.resourceId, "data-to": e.to || "" },
    el("time", { datetime: e.at }, fmtTime(e.at)),
    resourceLink(e.resourceId), " ", change, " ", el("span", { class: "cause" }, `(${why}; account ${e.account})`));
}

function drawEvents() {
  const res = $("#filter-resource").value.trim();
  const acct = $("#filter-account").value.trim();
  const list = $("#events");
  const shown = state.events.filter((e) => (!res || e.resourceId === res) && (!acct || e.account === acct || (e.viewers || []).includes(acct)));
  list.replaceChildren(...shown.slice(-300).reverse().map(eventItem));
  if (!shown.length) list.append(el("li", {}, "No events yet."));
}

// pollEvents reads the events after the last one seen; polls run one after
// another, so that none is read twice.
let polls = Promise.resolve(false);
function pollEvents() {
  polls = polls.catch(() => false).then(readEvents);
  return polls;
}

async function readEvents() {
  if (!state.lastSeq && !state.events.length) {
    // The first read starts from the tail of the timeline, however long.
    const tail = await call("GET", "/events" + query({ last: 500 }));
    state.events = tail.events;
    if (!tail.events.length) return false;
    state.lastSeq = tail.events[tail.events.length - 1].seq;
    drawEvents();
    return true;
  }
  let after = state.lastSeq;
  for (let page = 0; page < 10; page++) {
    const got = await call("GET", "/events" + query({ after, limit: 1000 }));
    if (!got.events.length) break;
    state.events.push(...got.events);
    after = got.events[got.events.length - 1].seq;
    if (got.events.length < 1000) break;
  }
  if (after !== state.lastSeq) {
    state.lastSeq = after;
    if (state.events.length > keepEvents) state.events.splice(0, state.events.length - keepEvents);
    drawEvents();
    return true;
  }
  return false;
}

// ---- the resource page ------------------------------------------------------

async function showResource(id) {
  state.selected = id;
  const panel = $("#resource");
  panel.hidden = false;
  let d;
  try {
    d = await call("GET", "/resources/" + encodeURIComponent(id));
  } catch (err) {
    $("#resource-title").textContent = id;
    $("#resource-facts").replaceChildren(el("dt", {}, "error"), el("dd", {}, err.message));
    $("#resource-actions").replaceChildren();
    return;
  }
  $("#resource-title").textContent = `${kindLabel(d)} ${d.id}`;
  const facts = [["state", d.state], ["name", d.name], ["owner", d.account], ["seen also by", (d.viewers || []).join(", ")],
    ["region", d.region], ["parent", d.parent], ["location", d.location], ["device", d.device], ["port", d.port || ""],
    ["bandwidth", d.bandwidth], ["VLAN", d.vlan || ""]];
  const dl = $("#resource-facts");
  dl.replaceChildren();
  for (const [k, v] of facts) {
    if (v === "" || v === undefined || v === null) continue;
    dl.append(el("dt", {}, k), el("dd", { "data-fact": k }, k === "parent" ? resourceLink(v) : String(v)));
  }
  for (const l of d.links || []) dl.append(el("dt", {}, l.rel), el("dd", {}, resourceLink(l.id)));
  $("#resource-view").textContent = JSON.stringify(d.view, null, 2);
  drawActions(d);
  const steps = await call("GET", "/transitions" + query({ resource: id, limit: 100 }));
  const tbody = $("#resource-steps tbody");
  tbody.replaceChildren(...steps.transitions.map((t) => el("tr", { "data-step": t.step },
    el("td", {}, t.step, el("br"), el("small", {}, t.note || "")),
    el("td", {}, t.dueAt ? fmtTime(t.dueAt) : "waits for an operator"),
    el("td", {}, el("button", { type: "button", "data-action": "fire", "data-transition": t.id,
      onclick: () => act(`Fire ${t.step}`, "POST", `/transitions/${encodeURIComponent(t.id)}/fire`) }, "Fire now")))));
  if (!steps.transitions.length) tbody.append(el("tr", {}, el("td", { colspan: "3" }, "None.")));
  const evs = await call("GET", "/events" + query({ resource: id, limit: 1000 }));
  $("#resource-events").replaceChildren(...evs.events.slice().reverse().map(eventItem));
  if (state.topology) drawTopology(state.topology);
}

function drawActions(d) {
  const box = $("#resource-actions");
  box.replaceChildren();
  const button = (action, label, method, path, body) =>
    box.append(el("button", { type: "button", "data-action": action, onclick: () => act(label, method, path, body) }, label));
  const id = encodeURIComponent(d.id);
  if ((d.kind === "dx.connection" || d.kind === "dx.interconnect") && d.port) {
    button("port-down", "Port down", "POST", `/ports/${id}/down`);
    button("port-up", "Port up", "POST", `/ports/${id}/up`);
    if (["requested", "pending", "ordering"].includes(d.state)) button("cross-connect", "Cross-connect done", "POST", `/resources/${id}/cross-connect`);
  }
  if (d.device) {
    button("device-down", "Device down", "POST", `/devices/${encodeURIComponent(d.device)}/down`);
    button("device-up", "Device up", "POST", `/devices/${encodeURIComponent(d.device)}/up`);
  }
  if (d.kind === "dx.vif" && d.view && d.view.bgpPeers) {
    for (const p of d.view.bgpPeers) {
      const peer = encodeURIComponent(p.bgpPeerId);
      button("bgp-down", `BGP down (${p.addressFamily} ${p.bgpPeerId})`, "POST", `/bgp-peers/${peer}/down`);
      button("bgp-up", `BGP up (${p.addressFamily} ${p.bgpPeerId})`, "POST", `/bgp-peers/${peer}/up`);
    }
  }
  if (d.view && d.view.activationKey && ["requested", "pending"].includes(d.state)) {
    button("activate", "Activate at the partner portal", "POST", "/interconnect/portal/activate", { activationKey: d.view.activationKey });
  }
  if (!box.children.length) box.append(el("p", {}, "No operator action applies to this resource; its pending steps can be fired below."));
}

function showDevice(device) {
  const row = document.querySelector(`#devices tr[data-device="${CSS.escape(device)}"]`);
  if (row) { row.scrollIntoView({ block: "center" }); const b = row.querySelector("button"); if (b) b.focus(); }
}

// act does one operator action and shows its answer and the events it
// caused.
async function act(label, method, path, body) {
  const before = state.lastSeq;
  const out = $("#action-result");
  $("#result-panel").hidden = false;
  out.classList.remove("error");
  out.replaceChildren(el("p", {}, `${label}…`));
  try {
    const answer = await call(method, path, body);
    await refresh();
    const caused = state.events.filter((e) => e.seq > before);
    out.replaceChildren(el("p", { "data-result": "ok" }, `${label}: done.`), el("pre", {}, JSON.stringify(answer, null, 2)),
      el("p", {}, caused.length ? `It caused ${caused.length} event${caused.length > 1 ? "s" : ""}:` : "It caused no event."),
      el("ol", { class: "events" }, ...caused.map(eventItem)));
  } catch (err) {
    out.classList.add("error");
    out.replaceChildren(el("p", { "data-result": "error" }, `${label}: ${err.message}`));
  }
  if (state.selected) showResource(state.selected);
}

// ---- the loop ------------------------------------------------------------

async function refresh() {
  const [topo, clock] = await Promise.all([
    call("GET", "/topology" + query({ account: state.account, region: state.region })),
    call("GET", "/clock"),
  ]);
  $("#clock").textContent = fmtTime(clock.now);
  $("#clock").setAttribute("datetime", clock.now);
  $("#profile").textContent = (state.profile ? `profile ${state.profile}` : "") +
    (clock.offsetSeconds ? `, ${Math.round(clock.offsetSeconds)} s ahead of the system clock` : "");
  const key = JSON.stringify(topo);
  if (key !== state.topologyKey) {
    state.topologyKey = key;
    state.topology = topo;
    drawTopology(topo);
    drawCapacity(topo);
    fillAccounts(topo);
    await drawQuotas();
  }
  const moved = await pollEvents();
  if (moved && state.selected && !$("#resource").hidden) showResource(state.selected);
  setStatus(topo.truncated ? `Showing the first ${topo.resources.length} resources: pick an account to see fewer.` : `${topo.resources.length} resources. Updated ${new Date().toLocaleTimeString()}.`);
}

function fillAccounts(topo) {
  const sel = $("#account");
  const have = new Set([...sel.options].map((o) => o.value));
  for (const r of topo.resources) {
    for (const a of [r.account, ...(r.viewers || [])]) {
      if (a && !have.has(a)) { sel.append(el("option", { value: a }, a)); have.add(a); }
    }
  }
}

// loadHealth reads, once, what does not change while dxlab runs: its
// provisioning profile and whether changes need the operator token.
async function loadHealth() {
  const h = await call("GET", "/_dxlab/health");
  state.profile = h.provisioning;
  state.guarded = h.operatorToken;
}

async function loadRegions() {
  const topo = await call("GET", "/topology" + query({ limit: 1 }));
  const regions = [...new Set(topo.devices.map((d) => d.region))].sort();
  const sel = $("#region");
  sel.replaceChildren(el("option", { value: "" }, "every region"), ...regions.map((r) => el("option", { value: r }, r)));
  const wanted = new URLSearchParams(location.search).get("region") || "";
  sel.value = regions.includes(wanted) ? wanted : "";
  state.region = sel.value;
}

function route() {
  const m = /^#\/resource\/(.+)$/.exec(location.hash);
  if (m) showResource(decodeURIComponent(m[1]));
  else { state.selected = ""; $("#resource").hidden = true; if (state.topology) drawTopology(state.topology); }
}

async function loop() {
  try {
    await refresh();
  } catch (err) {
    setStatus(`Cannot reach dxlab's operator API: ${err.message}`, true);
  }
  setTimeout(loop, 1000);
}

function wire() {
  $("#account").addEventListener("change", () => { state.account = $("#account").value; state.topologyKey = ""; refresh(); });
  $("#region").addEventListener("change", () => { state.region = $("#region").value; state.topologyKey = ""; refresh(); });
  $("#advance-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const by = $("#advance-by").value.trim();
    act(`Advance the clock by ${by}`, "POST", "/clock/advance" + query({ by }));
  });
  $("#propose-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act("Partner proposal", "POST", "/interconnect/proposals", { environmentId: $("#propose-env").value.trim(), bandwidth: $("#propose-bw").value.trim(),
      account: $("#propose-account").value.trim(), region: $("#propose-region").value.trim() });
  });
  $("#activate-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act("Activate at the portal", "POST", "/interconnect/portal/activate", { activationKey: $("#activate-key").value.trim() });
  });
  $("#event-filter").addEventListener("input", drawEvents);
  $("#event-filter").addEventListener("submit", (ev) => ev.preventDefault());
  $("#resource-close").addEventListener("click", () => { location.hash = "#/"; });
  window.addEventListener("hashchange", route);
}

wire();
Promise.allSettled([loadHealth(), loadRegions()]).then(() => { route(); loop(); });
