#include "control/ui/ui_page.h"

namespace faultline {

namespace {

// Kept in one raw literal so the binary carries the page; no library is copied in.
constexpr std::string_view kPage = R"FAULTLINE_UI(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Faultline</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#111;color:#ddd}
header{padding:8px 16px;background:#222;display:flex;gap:16px;align-items:center}
h1{font-size:18px;margin:0}h2{font-size:15px;margin:16px 0 6px}
main{padding:0 16px 16px}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #333;padding:3px 6px;text-align:left;font-family:monospace}
button{background:#333;color:#eee;border:1px solid #555;padding:2px 8px;cursor:pointer}
input,select{background:#222;color:#eee;border:1px solid #555;padding:2px 4px}
#error{color:#f66}#events{height:180px;overflow:auto;font-family:monospace;background:#181818;padding:4px}
svg{background:#181818;width:100%;height:120px}.off{color:#f66}.on{color:#6f6}
fieldset{border:1px solid #333;margin:6px 0}.warn{color:#fc6}.held{color:#888}
</style></head><body>
<header><h1>Faultline</h1><span id="status">connecting…</span><span id="error"></span></header>
<main>
<h2>Proxies</h2><table id="proxies"><thead><tr><th>name</th><th>listen</th><th>upstream</th><th>enabled</th>
<th>connections</th><th>bytes/s</th><th></th></tr></thead><tbody></tbody></table>
<h2>Traffic, last minutes (bytes/s, all proxies)</h2><svg id="chart" viewBox="0 0 600 120" preserveAspectRatio="none"></svg>
<h2>Toxics</h2><div id="toxics"></div>
<fieldset><legend>Add a toxic</legend>
<label>proxy <select id="tx-proxy"></select></label>
<label>type <select id="tx-type"></select></label>
<label>name <input id="tx-name" placeholder="TYPE_STREAM"></label>
<label>stream <select id="tx-stream"><option>downstream</option><option>upstream</option></select></label>
<label>toxicity <input id="tx-toxicity" value="1" size="4"></label>
<span id="tx-attrs"></span> <button id="tx-add">add</button></fieldset>
<h2>Connections</h2><table id="conns"><thead><tr><th>proxy</th><th>id</th><th>client</th><th>state</th>
<th>up</th><th>down</th><th>toxics</th><th></th></tr></thead><tbody></tbody></table>
<h2>Events</h2><div id="events"></div>
</main>
<script>
"use strict";
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const auth = {Authorization: "Bearer " + token};
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
let types = [], history = [], lastSent = null, lastAt = 0, refreshSoon = null;
async function api(method, path, body) {
  const r = await fetch(path, {method, headers: Object.assign({"Content-Type": "application/json"}, auth),
                                 body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await r.text();
  if (!r.ok) { $("error").textContent = method + " " + path + ": " + r.status + " " + text; throw new Error(text); }
  $("error").textContent = "";
  return text ? (path === "/metrics" ? text : JSON.parse(text)) : null;
}
function sentByProxy(metrics) {
  const out = {};
  for (const line of metrics.split("\n")) {
    const m = /^toxiproxy_proxy_sent_bytes_total\{[^}]*proxy="([^"]*)"[^}]*\} (\d+)/.exec(line);
    if (m) out[m[1]] = (out[m[1]] || 0) + Number(m[2]);
  }
  return out;
}
// faultline_toxic_held_bytes: what each toxic holds now, both directions added ("proxy/toxic").
function heldByToxic(metrics) {
  const out = {};
  for (const line of metrics.split("\n")) {
    const m = /^faultline_toxic_held_bytes\{proxy="([^"]*)",toxic="([^"]*)"[^}]*\} (\d+)/.exec(line);
    if (m) out[m[1] + "/" + m[2]] = (out[m[1] + "/" + m[2]] || 0) + Number(m[3]);
  }
  return out;
}
function drawChart() {
  const max = Math.max(1, ...history);
  const pts = history.map((v, i) => (i * 600 / 179).toFixed(1) + "," + (118 - v * 110 / max).toFixed(1)).join(" ");
  $("chart").innerHTML = '<polyline fill="none" stroke="#6cf" stroke-width="2" points="' + pts + '"/>' +
    '<text x="4" y="12" fill="#888" font-size="10">max ' + Math.round(max) + ' B/s</text>';
}
function attrInputs() {
  const t = types.find((x) => x.name === $("tx-type").value);
  $("tx-attrs").innerHTML = t ? t.attributes.map((a) => '<label>' + esc(a.name) + ' <input data-attr="' + esc(a.name) +
    '" data-kind="' + esc(a.kind) + '" value="' + esc(a.default) + '" size="6"></label>').join(" ") : "";
}
// Replaces a part of the page only when its content changed and the user is not in it: an edit
// being typed (or a button being clicked) is never wiped by the once-a-second refresh.
function render(el, html) {
  const active = document.activeElement;
  const typing = active && (active.tagName === "INPUT" || active.tagName === "SELECT") && el.contains(active);
  if (el.dataset.html === html || typing) return false;
  el.innerHTML = html;
  el.dataset.html = html;
  return true;
}
async function refresh() {
  const proxies = await api("GET", "/proxies");
  const metrics = await api("GET", "/metrics");
  const sent = sentByProxy(metrics), held = heldByToxic(metrics);
  const now = Date.now();
  const dt = lastSent ? (now - lastAt) / 1000 : 0;
  let total = 0, rows = "", conns = "", toxics = "";
  const names = Object.keys(proxies).sort();
  const sel = $("tx-proxy"), keep = sel.value;
  if (render(sel, names.map((n) => "<option>" + esc(n) + "</option>").join("")) && keep) sel.value = keep;
  for (const name of names) {
    const p = proxies[name];
    const list = await api("GET", "/proxies/" + encodeURIComponent(name) + "/connections");
    const rate = lastSent && dt > 0 ? Math.max(0, ((sent[name] || 0) - (lastSent[name] || 0)) / dt) : 0;
    total += rate;
    rows += "<tr><td>" + esc(name) + "</td><td>" + esc(p.listen) + "</td><td>" + esc(p.upstream) + '</td><td class="' +
      (p.enabled ? "on" : "off") + '">' + p.enabled + "</td><td>" + list.length + "</td><td>" + Math.round(rate) +
      '</td><td><button data-toggle="' + esc(name) + '" data-enabled="' + p.enabled + '">' +
      (p.enabled ? "disable" : "enable") + "</button></td></tr>";
    for (const t of p.toxics || []) {
      toxics += "<div>" + esc(name) + " / <b>" + esc(t.name) + "</b> " + esc(t.type) + " " + esc(t.stream) +
        ' toxicity <input size="4" data-tox="' + esc(name) + "/" + esc(t.name) + '" value="' + t.toxicity + '"> ' +
        Object.entries(t.attributes || {}).map(([k, v]) => esc(k) + ' <input size="6" data-tattr="' + esc(name) + "/" +
        esc(t.name) + "/" + esc(k) + '" value="' + esc(v) + '">').join(" ") +
        ' <span class="held">held ' + (held[name + "/" + t.name] || 0) + ' B</span>' +
        ' <button data-save="' + esc(name) + "/" + esc(t.name) + '">save</button> <button data-remove="' + esc(name) + "/" +
        esc(t.name) + '">remove</button></div>';
    }
    for (const c of list) {
      conns += "<tr><td>" + esc(name) + "</td><td>" + c.id + "</td><td>" + esc(c.client) + "</td><td>" + esc(c.state) +
        "</td><td>" + c.bytes.upstream + "</td><td>" + c.bytes.downstream + "</td><td>" +
        esc(c.toxics.map((d) => d.name + (d.applied ? "" : "(skipped)")).join(",")) + '</td><td><button data-kill="' +
        esc(name) + "/" + c.id + '">kill</button> <button data-reset="' + esc(name) + "/" + c.id + '">reset</button></td></tr>';
    }
  }
  render($("proxies").tBodies[0], rows);
  render($("conns").tBodies[0], conns);
  render($("toxics"), toxics || "(none)");
  if (lastSent) { history.push(total); if (history.length > 180) history.shift(); drawChart(); }
  lastSent = sent; lastAt = now;
  $("status").textContent = "live, " + names.length + " proxies";
}
document.addEventListener("click", async (e) => {
  const d = e.target.dataset || {};
  try {
    if (d.kill || d.reset) {
      const [p, id] = (d.kill || d.reset).split("/");
      await api("DELETE", "/proxies/" + encodeURIComponent(p) + "/connections/" + id + "?mode=" + (d.reset ? "reset" : "close"));
    } else if (d.toggle) {
      await api("POST", "/proxies/" + encodeURIComponent(d.toggle), {enabled: d.enabled !== "true"});
    } else if (d.remove) {
      const [p, t] = d.remove.split("/");
      await api("DELETE", "/proxies/" + encodeURIComponent(p) + "/toxics/" + encodeURIComponent(t));
    } else if (d.save) {
      const [p, t] = d.save.split("/");
      const attributes = {};
      for (const el of document.querySelectorAll("[data-tattr]")) {
        const [pp, tt, k] = el.dataset.tattr.split("/");
        if (pp === p && tt === t) attributes[k] = isNaN(Number(el.value)) ? el.value : Number(el.value);
      }
      const tox = document.querySelector('[data-tox="' + d.save + '"]');
      await api("POST", "/proxies/" + encodeURIComponent(p) + "/toxics/" + encodeURIComponent(t),
                {toxicity: Number(tox.value), attributes});
    } else if (e.target.id === "tx-add") {
      const attributes = {};
      for (const el of document.querySelectorAll("[data-attr]")) {
        if (el.value === "") continue;
        attributes[el.dataset.attr] = el.dataset.kind === "integer" ? Number(el.value) : el.value;
      }
      const body = {type: $("tx-type").value, stream: $("tx-stream").value, toxicity: Number($("tx-toxicity").value), attributes};
      if ($("tx-name").value) body.name = $("tx-name").value;
      await api("POST", "/proxies/" + encodeURIComponent($("tx-proxy").value) + "/toxics", body);
    } else {
      return;
    }
    await refresh();
  } catch (err) { /* shown in #error */ }
});
// One line per event: its type, its proxy, then the fields that say what happened.
function describe(ev) {
  const kv = (k, v) => (v === undefined || v === null || v === "" ? "" : " " + k + "=" + v);
  let line = ev.type + (ev.proxy ? " " + ev.proxy : "");
  const t = ev.toxic || {};
  switch (ev.type) {
    case "proxy_created": case "proxy_updated":
      line += kv("listen", (ev.proxy_config || {}).listen) + kv("upstream", (ev.proxy_config || {}).upstream) +
        kv("enabled", (ev.proxy_config || {}).enabled); break;
    case "toxic_added": case "toxic_updated":
      line += kv("name", t.name) + kv("type", t.type) + kv("stream", t.stream) + kv("toxicity", t.toxicity); break;
    case "toxic_removed": line += kv("name", ev.name) + kv("reason", ev.reason); break;
    case "connection_opened": line += kv("conn", ev.conn) + kv("client", ev.client); break;
    case "connection_closed":
      line += kv("conn", ev.conn) + kv("reason", ev.reason) + kv("detail", ev.detail) +
        (ev.bytes ? " bytes=" + ev.bytes.upstream + "/" + ev.bytes.downstream : ""); break;
    case "rules_reloaded":
      line += (ev.ok ? " ok" : " FAILED") + kv("via", ev.via) + kv("changed", ev.changed) + kv("error", ev.error); break;
    case "limit_hit": line += kv("limit", ev.limit) + kv("value", ev.value); break;
    case "fault_injected":
      if (ev.kind === "schedule") {
        line += " schedule " + kv("toxic", ev.toxic).trim() + (ev.active ? " on" : " off") +
          kv("next_change_ms", ev.next_change_ms === null ? "never" : ev.next_change_ms);
      } else {
        line += " http" + kv("toxic", ev.toxic) + kv("conn", ev.conn) + " " + ev.method + " " + ev.path + " ->" +
          kv("action", ev.action) + kv("status", ev.status);
      }
      break;
    default: line += " " + JSON.stringify(ev);
  }
  return line;
}
async function events() {
  // EventSource cannot send headers; fetch() streams the same text/event-stream with the token.
  const r = await fetch("/events", {headers: auth});
  if (!r.ok) { $("error").textContent = "GET /events: " + r.status; return; }
  const reader = r.body.getReader(), dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buf += dec.decode(value, {stream: true});
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const frame = buf.slice(0, i); buf = buf.slice(i + 2);
      const data = frame.split("\n").find((l) => l.startsWith("data: "));
      if (!data) continue;
      const ev = JSON.parse(data.slice(6));
      const div = document.createElement("div");
      div.className = "event";
      div.textContent = new Date(ev.time_ms).toISOString().slice(11, 23) + " " + ev.seq + " " + describe(ev);
      if (ev.type === "fault_injected" || ev.type === "limit_hit" || (ev.type === "rules_reloaded" && !ev.ok)) {
        div.className += " warn";
      }
      $("events").prepend(div);
      // A change shows in the tables at once, not at the next poll (at most 4 refreshes a second).
      if (!refreshSoon && /^(proxy|toxic|connection)_/.test(ev.type)) {
        refreshSoon = setTimeout(() => { refreshSoon = null; refresh().catch(() => {}); }, 250);
      }
      while ($("events").children.length > 200) $("events").lastChild.remove();
    }
  }
  setTimeout(events, 1000);  // cut off or the server restarted: subscribe again
}
(async () => {
  try {
    types = await api("GET", "/toxic-types");
    $("tx-type").innerHTML = types.map((t) => "<option>" + esc(t.name) + "</option>").join("");
    $("tx-type").addEventListener("change", attrInputs);
    attrInputs();
    await refresh();
  } catch (err) { $("status").textContent = "no access (open the URL faultline serve printed)"; }
  setInterval(() => refresh().catch(() => {}), 1000);
  events();
})();
</script></body></html>
)FAULTLINE_UI";

}  // namespace

std::string_view uiPage() { return kPage; }

}  // namespace faultline
