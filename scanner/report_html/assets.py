"""The report page's stylesheet and its one script, inline (the page must work offline, from a mail
attachment or a file share, and load nothing).

The script is the findings explorer: the findings are embedded once as compact columnar JSON (strings
that repeat — registers, entities, folders, paths — as indexes into lists), and only the rows in view are
drawn, so a page with 50,000 findings opens and filters at once. Filters and sort live in the address's
fragment (``#status=undeclared&entity=IP_ADDRESS``), so a view can be bookmarked or sent on. Without
scripts (or printed) the page shows a plain table of the undeclared findings instead.
"""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root{--red:#b74a4a;--deep:#8b1a1a;--green:#3d8b4f;--blue:#2f5f98;--grey:#666;--line:#ddd}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em auto;max-width:80em;padding:0 1.2em;
color:#222;line-height:1.4}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);
padding-bottom:.2em}h3{font-size:1.05em;margin:0 0 .3em}.glance h3{margin-top:1.1em}
.meta{color:#444;margin:.2em 0}.note{color:var(--grey);font-size:.9em}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11em,1fr));gap:.6em;margin:.6em 0}
.tile{border:1px solid var(--line);border-radius:6px;padding:.5em .8em;background:#fafafa}
.tile b{display:block;font-size:1.9em;line-height:1.1}.tile span{color:#444;font-size:.9em}
.tile.alert{border-color:var(--red);background:#fbeeee}.tile.alert b{color:var(--deep)}
.tile.good b{color:var(--green)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:1em}
.card{border:1px solid #ccc;border-radius:6px;padding:.7em 1em}.card p{margin:.35em 0}
.card.bad{border-left:6px solid var(--red)}.card.ok{border-left:6px solid var(--green)}
.status{font-weight:bold}.undeclared{color:#a00}
.contradicted{color:var(--deep);background:#fbeeee;border-radius:4px;padding:.3em .5em}
.contradicted q{font-style:italic}
.label{color:#555}
table{border-collapse:collapse;font-size:.88em;width:100%}
td,th{border:1px solid var(--line);padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.num,th.num{text-align:right}
.badge{display:inline-block;border-radius:3px;padding:0 .35em;font-size:.85em;margin-right:.2em;white-space:nowrap}
.badge.c{background:var(--deep);color:#fff}.badge.u{background:var(--red);color:#fff}
.badge.d{background:#e4efe6;color:#25582f}.badge.n{background:#dce8f6;color:var(--blue)}
figure{margin:.4em 0}figcaption{color:var(--grey);font-size:.85em}
svg{max-width:100%;height:auto}
.wrap{overflow-wrap:anywhere}
.explorer .controls{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:end;margin:.5em 0}
.explorer label{display:flex;flex-direction:column;font-size:.85em;color:#444}
.explorer select,.explorer input{font:inherit;font-size:.95em;padding:.2em;max-width:18em}
.explorer .count{margin-left:auto;font-weight:bold}
.x-scroll{height:34em;overflow:auto;border:1px solid var(--line);position:relative}
.x-table{table-layout:fixed;border-collapse:separate;border-spacing:0}
.x-table th{position:sticky;top:0;z-index:1;padding:0}
.x-table th button{all:unset;display:block;padding:.3em .5em;cursor:pointer;width:100%;box-sizing:border-box}
.x-table th button:focus-visible{outline:2px solid var(--blue)}
.x-table td{height:42px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-width:0 0 1px 0;
padding:0 .5em;vertical-align:middle}
.x-table td .two{white-space:normal;overflow-wrap:break-word;display:-webkit-box;-webkit-line-clamp:2;
-webkit-box-orient:vertical;overflow:hidden;line-height:1.25}
.x-table td.pad{padding:0;border:0}
.x-table tr:hover td{background:#f6f8fb}
.js .static-only{display:none}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9.5pt}
h2{break-after:avoid;page-break-after:avoid}h3{break-after:avoid}
.keep,.card,.tile,figure,tr,svg{break-inside:avoid;page-break-inside:avoid}
.explorer{display:none!important}.js .static-only,.static-only{display:block!important}
table{table-layout:fixed}td,th{overflow-wrap:anywhere;word-break:break-word}
thead{display:table-header-group}
.cards{grid-template-columns:1fr 1fr}
a{color:inherit;text-decoration:none}
}
"""

JS = r"""
(function () {
  "use strict";
  var source = document.getElementById("harava-findings");
  var root = document.getElementById("explorer");
  if (!source || !root) return;
  var D = JSON.parse(source.textContent);
  var n = D.v.length, ROW = 42, SPARE = 8;
  document.documentElement.classList.add("js");
  root.hidden = false;
  var $ = function (name) { return root.querySelector('[data-x="' + name + '"]'); };
  var ctl = {register: $("register"), entity: $("entity"), folder: $("folder"), status: $("status"), q: $("q")};
  var scroller = $("scroll"), body = $("rows"), count = $("count");
  var STATUS = [["", "all"], ["contradicted", "contradicted"], ["undeclared", "undeclared (with contradicted)"],
                ["declared", "declared"], ["new", "new since the last run"]];
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function breaks(s) {  // a long path or entity name may wrap after its separators, not inside a word
    return esc(s).replace(/([\/_.,])/g, "$1<wbr>");
  }
  function tally(column, size) {
    var t = new Uint32Array(size);
    for (var i = 0; i < n; i++) t[column[i]]++;
    return t;
  }
  function options(select, labels, counts, sort) {
    var html = '<option value="">all</option>', order = labels.map(function (_, i) { return i; });
    if (sort) order.sort(function (a, b) { return labels[a] < labels[b] ? -1 : 1; });
    order.forEach(function (i) {
      html += '<option value="' + esc(labels[i]) + '">' + esc(labels[i]) +
        (counts ? " (" + counts[i].toLocaleString("en") + ")" : "") + "</option>";
    });
    select.innerHTML = html;
  }
  options(ctl.register, D.registers, tally(D.r, D.registers.length));
  options(ctl.entity, D.entities, tally(D.e, D.entities.length), true);
  options(ctl.folder, D.folder_options.map(function (o) { return o[0]; }),
          D.folder_options.map(function (o) { return o[1]; }));
  ctl.status.innerHTML = STATUS.map(function (s) {
    return '<option value="' + s[0] + '">' + s[1] + "</option>";
  }).join("");

  function ranks(labels) {
    var idx = labels.map(function (_, i) { return i; });
    idx.sort(function (a, b) { return labels[a] < labels[b] ? -1 : labels[a] > labels[b] ? 1 : 0; });
    var rank = new Uint32Array(labels.length);
    idx.forEach(function (d, r) { rank[d] = r; });
    return rank;
  }
  var rank = {register: ranks(D.registers), entity: ranks(D.entities), folder: ranks(D.folders)};
  function statusRank(i) { var s = D.s[i]; return s & 2 ? 0 : s & 1 ? 1 : 2; }
  var KEYS = {
    status: function (i) { return statusRank(i) * 2 + (D.s[i] & 4 ? 0 : 1); },
    register: function (i) { return rank.register[D.r[i]]; },
    entity: function (i) { return rank.entity[D.e[i]]; },
    folder: function (i) { return rank.folder[D.f[i]]; },
    where: function (i) { return D.w[i]; },
    value: function (i) { return D.v[i] || ""; }
  };
  var sortBy = "status", direction = 1, sorted = null, shown = new Uint32Array(0), shownCount = 0, hay = null;

  function sortAll() {
    var key = KEYS[sortBy], keys = new Array(n), idx = new Uint32Array(n);
    for (var i = 0; i < n; i++) { keys[i] = key(i); idx[i] = i; }
    var list = Array.prototype.slice.call(idx);
    list.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      return x < y ? -direction : x > y ? direction : a - b;
    });
    sorted = Uint32Array.from(list);
  }
  function folderMask(label) {
    var mask = new Uint8Array(D.folders.length);
    for (var i = 0; i < D.folders.length; i++) {
      var f = D.folders[i];
      mask[i] = !label || f === label || f.indexOf(label + "/") === 0 ? 1 : 0;
    }
    return mask;
  }
  function apply() {
    var reg = D.registers.indexOf(ctl.register.value), ent = D.entities.indexOf(ctl.entity.value);
    var folders = folderMask(ctl.folder.value), status = ctl.status.value;
    var q = ctl.q.value.trim().toLowerCase();
    if (q && !hay) {
      hay = new Array(n);
      for (var h = 0; h < n; h++) hay[h] = (D.w[h] + " " + D.paths[D.p[h]] + " " + (D.v[h] || "")).toLowerCase();
    }
    if (shown.length !== n) shown = new Uint32Array(n);
    var k = 0;
    for (var j = 0; j < n; j++) {
      var i = sorted[j], s = D.s[i];
      if (reg >= 0 && D.r[i] !== reg) continue;
      if (ent >= 0 && D.e[i] !== ent) continue;
      if (!folders[D.f[i]]) continue;
      if (status === "contradicted" && !(s & 2)) continue;
      if (status === "undeclared" && !(s & 1)) continue;
      if (status === "declared" && (s & 1)) continue;
      if (status === "new" && !(s & 4)) continue;
      if (q && hay[i].indexOf(q) < 0) continue;
      shown[k++] = i;
    }
    shownCount = k;
    count.textContent = "Showing " + k.toLocaleString("en") + " of " + n.toLocaleString("en") +
      (n === 1 ? " finding" : " findings");
    scroller.scrollTop = 0;
    draw();
    remember();
  }
  function badges(s) {
    return (s & 2 ? '<span class="badge c">contradicted</span>' : s & 1 ? '<span class="badge u">undeclared</span>'
      : '<span class="badge d">declared</span>') + (s & 4 ? '<span class="badge n">new</span>' : "");
  }
  function draw() {
    var height = scroller.clientHeight || 600;
    var first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - SPARE);
    var last = Math.min(shownCount, first + Math.ceil(height / ROW) + 2 * SPARE);
    var html = '<tr aria-hidden="true"><td class="pad" colspan="6" style="height:' + first * ROW + 'px"></td></tr>';
    for (var j = first; j < last; j++) {
      var i = shown[j], path = D.paths[D.p[i]];
      html += "<tr><td>" + badges(D.s[i]) + '</td><td><div class="two">' + esc(D.registers[D.r[i]]) +
        '</div></td><td><div class="two">' + breaks(D.entities[D.e[i]]) + '</div></td><td title="' + esc(path) +
        '"><div class="two">' + breaks(D.w[i]) + '</div></td><td title="' + esc(D.folders[D.f[i]]) +
        '"><div class="two">' + breaks(D.folders[D.f[i]]) + '</div></td><td><div class="two">' +
        esc(D.v[i] || "") + "</div></td></tr>";
    }
    html += '<tr aria-hidden="true"><td class="pad" colspan="6" style="height:' + (shownCount - last) * ROW +
      'px"></td></tr>';
    body.innerHTML = html;
    root.setAttribute("data-drawn", String(last - first));
  }
  function remember() {
    var params = new URLSearchParams();
    ["register", "entity", "folder", "status", "q"].forEach(function (name) {
      if (ctl[name].value) params.set(name, ctl[name].value);
    });
    if (sortBy !== "status" || direction !== 1) params.set("sort", (direction < 0 ? "-" : "") + sortBy);
    var hash = params.toString();
    try { history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search); } catch (e) {}
  }
  function recall() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    ["register", "entity", "folder", "status", "q"].forEach(function (name) {
      ctl[name].value = params.get(name) || "";
    });
    var sort = params.get("sort") || "status";
    sortBy = KEYS[sort.replace(/^-/, "")] ? sort.replace(/^-/, "") : "status";
    direction = sort[0] === "-" ? -1 : 1;
  }
  function marks() {
    root.querySelectorAll("th button").forEach(function (b) {
      var on = b.getAttribute("data-sort") === sortBy;
      b.parentNode.setAttribute("aria-sort", on ? (direction > 0 ? "ascending" : "descending") : "none");
      b.setAttribute("data-mark", on ? (direction > 0 ? " ▲" : " ▼") : "");
      b.textContent = b.getAttribute("data-label") + b.getAttribute("data-mark");
    });
  }
  root.querySelectorAll("th button").forEach(function (b) {
    b.addEventListener("click", function () {
      var key = b.getAttribute("data-sort");
      direction = key === sortBy ? -direction : 1;
      sortBy = key;
      marks(); sortAll(); apply();
    });
  });
  ["register", "entity", "folder", "status"].forEach(function (name) { ctl[name].addEventListener("change", apply); });
  var timer = null;
  ctl.q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  var pending = false;
  scroller.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  });
  window.addEventListener("hashchange", function () { recall(); marks(); sortAll(); apply(); });
  recall(); marks(); sortAll(); apply();
  root.setAttribute("data-ready", "true");
})();
"""


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script (and nothing else)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
