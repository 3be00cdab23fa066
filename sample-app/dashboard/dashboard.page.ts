/**
 * The live dashboard: plain HTML, CSS and JavaScript, no build step. It polls
 * `GET /cache/stats` every second and draws one row per cached method with a
 * hit-rate bar, and `GET /cache/advice` for the sizing advisor's curves (inline
 * SVG: estimated hit rate against size, the size now and the advised one);
 * the "Try it" buttons send requests so a person can watch the figures move;
 * "Explain an entry" asks `GET /cache/explain/products/:id` why a product's
 * entry is what it is. (The script avoids backticks, `${` and backslashes: it
 * lives in a template literal.)
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>memokit · cache dashboard</title>
<style>
  :root {
    --bg: #f6f7f9; --panel: #ffffff; --ink: #1d2330; --muted: #667085; --line: #e4e7ec;
    --accent: #3559e0; --good: #12a150; --mid: #e0a800; --bad: #d92d20;
    font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--ink); }
  main { max-width: 1180px; margin: 0 auto; padding: 24px; }
  header { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; flex-wrap: wrap; }
  h1 { font-size: 22px; margin: 0; }
  h1 small { color: var(--muted); font-weight: 500; }
  h2 { font-size: 16px; margin: 0 0 12px; }
  #status { font-size: 13px; color: var(--muted); }
  #status .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--good); margin-right: 6px; }
  #status.down .dot { background: var(--bad); }
  .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 18px 0; }
  .card, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
  .card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
  .card .value { font-size: 28px; font-weight: 650; margin-top: 4px; font-variant-numeric: tabular-nums; }
  .card .sub { font-size: 12px; color: var(--muted); margin-top: 2px; min-height: 1em; }
  table { width: 100%; border-collapse: collapse; font-size: 14px; }
  th, td { padding: 9px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
  th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
  th:first-child, td:first-child, th.left, td.left { text-align: left; }
  td { font-variant-numeric: tabular-nums; }
  tbody tr:last-child td { border-bottom: none; }
  .method { font-weight: 600; }
  .method small { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
  .method small.scope { color: var(--accent); }
  td.shared small { display: block; color: var(--accent); font-size: 11px; }
  .badge { display: inline-block; padding: 1px 7px; border-radius: 999px; font-size: 11px; font-weight: 700; }
  .badge.lru { background: #e8edff; color: var(--accent); }
  .badge.ttl { background: #fff4d6; color: #8a6100; }
  .bar { display: inline-block; vertical-align: middle; width: 110px; height: 10px; border-radius: 5px; background: #edf0f4; overflow: hidden; }
  .fill { height: 100%; width: 0; background: var(--good); transition: width .4s ease; }
  .pct { display: inline-block; width: 52px; text-align: right; font-weight: 600; }
  .empty { color: var(--muted); text-align: center; padding: 24px; }
  .try { margin-top: 18px; display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  .buttons { display: flex; flex-wrap: wrap; gap: 8px; }
  button { font: inherit; font-size: 13px; padding: 7px 11px; border-radius: 8px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
  button:hover { border-color: var(--accent); color: var(--accent); }
  button.write { border-color: #f5c2bd; }
  #log { margin: 0; padding: 0; list-style: none; font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
  #log li { padding: 4px 0; border-bottom: 1px dashed var(--line); }
  #log li:last-child { border-bottom: none; }
  #log .q { color: var(--bad); }
  .explain form { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; font-size: 13px; }
  .explain input { font: inherit; width: 90px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 8px; }
  #explain-result th, #explain-result td { text-align: left; }
  #explain-result td { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; white-space: normal; }
  #log .q0 { color: var(--good); }
  .advice { margin-top: 18px; }
  .advice .note { margin: -6px 0 12px; font-size: 13px; color: var(--muted); }
  #advice-list { display: grid; grid-template-columns: repeat(2, 1fr); gap: 12px; }
  #advice-list > .empty { grid-column: 1 / -1; }
  .advice-card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; min-width: 0; }
  .advice-card h3 { font-size: 14px; margin: 0; }
  .advice-card h3 small { font-weight: 400; color: var(--muted); font-size: 12px; margin-left: 6px; }
  .advice-card .meta { font-size: 12px; color: var(--muted); margin: 2px 0 6px; }
  .advice-card svg { display: block; width: 100%; height: auto; font-size: 10px; font-family: inherit; }
  .advice-card svg .grid { stroke: var(--line); }
  .advice-card svg .axis-label { fill: var(--muted); }
  .advice-card svg .axis-label.now { fill: var(--ink); font-weight: 700; }
  .advice-card svg .curve { fill: none; stroke: var(--accent); stroke-width: 2; }
  .advice-card svg .point { fill: var(--accent); }
  .advice-card svg .current { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 4 3; }
  .advice-card svg .current-label { fill: var(--ink); font-weight: 600; }
  .advice-card svg .recommended { fill: none; stroke: var(--good); stroke-width: 2.5; }
  .advice-card svg .recommended-label { fill: var(--good); font-weight: 700; }
  .advice-card .recommendation { font-size: 13px; font-weight: 600; margin: 6px 0 0; }
  .advice-card .recommendation.none { color: var(--muted); font-weight: 400; }
  .advice-card .warnings ul { margin: 6px 0 0; padding-left: 18px; font-size: 12px; color: #8a6100; }
  .advice-card table.ttls { margin-top: 8px; font-size: 12px; }
  .advice-card table.ttls th, .advice-card table.ttls td { padding: 3px 6px; }
  .advice-card table.ttls .now { font-weight: 700; }
  footer { margin-top: 18px; font-size: 12px; color: var(--muted); }
  a { color: var(--accent); }
</style>
</head>
<body>
<main>
  <header>
    <h1>memokit <small>cache dashboard · sample catalog</small></h1>
    <div id="status"><span class="dot"></span><span id="status-text">connecting…</span></div>
  </header>

  <section class="cards">
    <div class="card"><div class="label">Database queries</div><div class="value" id="queries">–</div><div class="sub" id="queries-by-table"></div></div>
    <div class="card"><div class="label">Served from cache</div><div class="value" id="saved">–</div><div class="sub">hits + joined in-flight loads</div></div>
    <div class="card"><div class="label">Overall hit rate</div><div class="value" id="hit-rate">–</div><div class="sub" id="hits-misses"></div></div>
    <div class="card"><div class="label">Cache store</div><div class="value" id="store">–</div><div class="sub" id="database"></div></div>
  </section>

  <section class="panel">
    <h2>Cached methods</h2>
    <table id="methods">
      <thead>
        <tr>
          <th>Method</th><th class="left">Kind</th><th class="left">Store</th><th>Entries</th><th>Hits</th><th>Misses</th>
          <th>Loads</th><th>Joins</th><th>Bypassed</th><th>Avg load</th><th class="left">Hit rate</th>
        </tr>
      </thead>
      <tbody><tr><td class="empty" colspan="11">Waiting for /cache/stats…</td></tr></tbody>
    </table>
  </section>

  <section class="panel advice">
    <h2>Sizing advice</h2>
    <p class="note">The advisor's estimated hit rate of each cache at ¼× to 8× its maxSize (log scale), from a sample of its keys:
      dashed line, the size now; green ring, the advised size (the smallest within one point of the 8× estimate).</p>
    <div id="advice-list"><p class="empty">Waiting for /cache/advice…</p></div>
  </section>

  <section class="try">
    <div class="panel">
      <h2>Try it</h2>
      <div class="buttons" id="actions"></div>
    </div>
    <div class="panel">
      <h2>Requests</h2>
      <ol id="log"><li>Click a button: each line shows the status, the time taken and the database queries it caused.</li></ol>
    </div>
  </section>

  <section class="panel explain">
    <h2>Explain an entry</h2>
    <form id="explain-form">
      <label for="explain-id">ProductsService.getProduct, product id</label>
      <input id="explain-id" type="number" min="1" value="1">
      <button type="submit">Explain</button>
    </form>
    <table id="explain-result"><tbody><tr><td class="empty">Why does a product read what it reads? Ask for an id.</td></tr></tbody></table>
  </section>

  <footer>Refreshes every second from <a href="/cache/stats">/cache/stats</a> and <a href="/cache/advice">/cache/advice</a>.</footer>
</main>
<script>
(function () {
  'use strict';
  var lastStats = null;
  var coldId = 20;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function num(n) { return Number(n).toLocaleString('en-US'); }
  function pct(rate) { return (rate * 100).toFixed(1) + '%'; }
  function duration(ms) {
    if (ms === undefined || ms === null) return 'no expiry';
    if (ms % 3600000 === 0) return 'ttl ' + ms / 3600000 + 'h';
    if (ms % 60000 === 0) return 'ttl ' + ms / 60000 + 'm';
    if (ms % 1000 === 0) return 'ttl ' + ms / 1000 + 's';
    return 'ttl ' + ms + 'ms';
  }
  function rateColor(rate) { return rate >= 0.75 ? 'var(--good)' : rate >= 0.4 ? 'var(--mid)' : 'var(--bad)'; }

  function renderRow(m) {
    var s = m.stats;
    var tr = el('tr');
    tr.dataset.method = m.id;
    var name = el('td', 'method', m.id);
    name.appendChild(el('small', '', duration(m.ttl)));
    if (m.sharedScope) {
      // Entries and limit are the scope's bucket, the same on each of its rows: say so.
      var marker = el('small', 'scope', 'shared scope: ' + m.sharedScope.name + ' (total of ' + m.sharedScope.methods + ' methods)');
      marker.dataset.field = 'sharedScope';
      name.appendChild(marker);
    }
    tr.appendChild(name);
    var kind = el('td', 'left');
    kind.appendChild(el('span', 'badge ' + m.kind, m.kind.toUpperCase()));
    tr.appendChild(kind);
    tr.appendChild(el('td', 'left', m.store === undefined || m.store === null ? '(instance)' : m.store));
    var cells = [
      ['size', num(s.size) + ' / ' + num(m.maxSize)],
      ['hits', num(s.hits)],
      ['misses', num(s.misses)],
      ['loads', num(s.loads)],
      ['inflightJoins', num(s.inflightJoins)],
      ['bypassed', num(s.bypassed)],
      ['avgLoad', s.loads - s.loadErrors > 0 ? (s.loadTimeMs / (s.loads - s.loadErrors)).toFixed(1) + ' ms' : '–'],
    ];
    cells.forEach(function (cell) {
      var td = el('td', '', cell[1]);
      td.dataset.field = cell[0];
      if (cell[0] === 'size' && m.sharedScope) {
        td.className = 'shared';
        td.title = 'entries of the whole ' + m.sharedScope.name + ' scope, shared by ' + m.sharedScope.methods + ' methods';
        td.appendChild(el('small', '', 'scope total'));
      }
      tr.appendChild(td);
    });
    var rate = el('td', 'rate left');
    rate.dataset.field = 'hitRate';
    var bar = el('span', 'bar');
    var fill = el('div', 'fill');
    fill.style.width = (s.hitRate * 100).toFixed(1) + '%';
    fill.style.background = rateColor(s.hitRate);
    bar.appendChild(fill);
    rate.appendChild(bar);
    rate.appendChild(el('span', 'pct', pct(s.hitRate)));
    tr.appendChild(rate);
    return tr;
  }

  function render(data) {
    var tbody = document.querySelector('#methods tbody');
    var rows = data.methods.map(renderRow);
    if (rows.length === 0) {
      var empty = el('tr');
      var td = el('td', 'empty', 'No cached methods in this application.');
      td.colSpan = 11;
      empty.appendChild(td);
      rows.push(empty);
    }
    tbody.replaceChildren.apply(tbody, rows);
    var hits = 0, misses = 0, joins = 0;
    data.methods.forEach(function (m) { hits += m.stats.hits; misses += m.stats.misses; joins += m.stats.inflightJoins; });
    document.getElementById('queries').textContent = num(data.queries);
    document.getElementById('queries-by-table').textContent = Object.keys(data.queriesByTable)
      .map(function (t) { return t + ' ' + num(data.queriesByTable[t]); }).join(' · ');
    document.getElementById('saved').textContent = num(hits + joins);
    document.getElementById('hit-rate').textContent = hits + misses === 0 ? '–' : pct(hits / (hits + misses));
    document.getElementById('hits-misses').textContent = num(hits) + ' hits · ' + num(misses) + ' misses';
    document.getElementById('store').textContent = data.store.kind;
    document.getElementById('database').textContent =
      'database: ' + data.database.engine + (data.database.latencyMs > 0 ? ', +' + data.database.latencyMs + ' ms per query' : '');
  }

  // Sizing advice: one card per advised method (or shared scope), its size curve drawn as inline SVG.
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var CHART = { width: 380, height: 210, left: 42, right: 18, top: 24, bottom: 40 };

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function pct0(rate) { return Math.round(rate * 100) + '%'; }
  function compact(n) {
    if (n >= 1000000) return Number((n / 1000000).toFixed(2)) + 'M';
    if (n >= 1000) return Number((n / 1000).toFixed(2)) + 'k';
    return String(n);
  }
  function bytes(n) {
    if (n === null || n === undefined) return null;
    if (n < 1000) return Math.round(n) + ' B';
    if (n < 1000000) return (n / 1000).toFixed(1) + ' kB';
    if (n < 1000000000) return (n / 1000000).toFixed(1) + ' MB';
    return (n / 1000000000).toFixed(1) + ' GB';
  }
  function shortTime(ms) {
    if (ms % 3600000 === 0) return ms / 3600000 + 'h';
    if (ms % 60000 === 0) return ms / 60000 + 'm';
    if (ms >= 1000) return Number((ms / 1000).toFixed(2)) + 's';
    return ms + 'ms';
  }
  function loadsPerSecond(change) {
    var size = Math.abs(change);
    var shown = size >= 10 ? String(Math.round(size)) : size.toFixed(1);
    if (Number(shown) === 0) return '±0 loads/s';
    return (change < 0 ? '−' : '+') + shown + ' loads/s';
  }

  /** The sentence under a curve, e.g. "maxSize 500 → 2,000: hit rate 71% → 93%, −35 loads/s, ≈ 1.2 MB". */
  function recommendationText(a) {
    var r = a.recommendation;
    var now = a.sizes.filter(function (p) { return p.multiple === 1; })[0];
    if (r === null || now === undefined) return null;
    var memory = bytes(r.bytes);
    if (r.maxSize === a.maxSize) {
      return 'maxSize ' + num(a.maxSize) + ' is at the knee: hit rate ' + pct0(r.hitRate) + (memory ? ', ≈ ' + memory : '');
    }
    return 'maxSize ' + num(a.maxSize) + ' → ' + num(r.maxSize) + ': hit rate ' + pct0(now.hitRate) + ' → ' +
      pct0(r.hitRate) + ', ' + loadsPerSecond(r.loadsPerSecondChange) + (memory ? ', ≈ ' + memory : '');
  }

  /** Hit rate (0–100%) against size (log scale over the six sizes), the size now and the advised one marked. */
  function sizeChart(a) {
    var c = CHART;
    var plotW = c.width - c.left - c.right;
    var plotH = c.height - c.top - c.bottom;
    var sizes = a.sizes.map(function (p) { return p.size; });
    var low = Math.log(Math.min.apply(null, sizes));
    var high = Math.log(Math.max.apply(null, sizes));
    function x(size) { return high === low ? c.left + plotW / 2 : c.left + (Math.log(size) - low) / (high - low) * plotW; }
    function y(rate) { return c.top + (1 - rate) * plotH; }
    function fixed(n) { return Number(n.toFixed(2)); }
    var chart = svg('svg', {
      viewBox: '0 0 ' + c.width + ' ' + c.height, role: 'img',
      'aria-label': 'estimated hit rate of ' + a.method + ' by maxSize',
    });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (rate) {
      chart.appendChild(svg('line', { class: 'grid', x1: c.left, x2: c.left + plotW, y1: fixed(y(rate)), y2: fixed(y(rate)) }));
      chart.appendChild(svg('text', { class: 'axis-label', x: c.left - 6, y: fixed(y(rate)) + 3, 'text-anchor': 'end' }, pct0(rate)));
    });
    a.sizes.forEach(function (p) {
      var label = svg('text', { class: 'axis-label x-label' + (p.multiple === 1 ? ' now' : ''), x: fixed(x(p.size)), y: c.top + plotH + 14, 'text-anchor': 'middle' }, compact(p.size));
      label.dataset.size = String(p.size);
      chart.appendChild(label);
      chart.appendChild(svg('text', { class: 'axis-label', x: fixed(x(p.size)), y: c.top + plotH + 26, 'text-anchor': 'middle' }, p.multiple + '×'));
    });
    chart.appendChild(svg('text', { class: 'axis-label', x: c.left + plotW, y: c.height - 2, 'text-anchor': 'end' }, 'maxSize'));
    if (a.maxSize !== null) {
      var now = svg('line', { class: 'current', x1: fixed(x(a.maxSize)), x2: fixed(x(a.maxSize)), y1: c.top, y2: c.top + plotH });
      now.dataset.size = String(a.maxSize);
      chart.appendChild(now);
      chart.appendChild(svg('text', { class: 'current-label', x: fixed(x(a.maxSize)), y: c.top - 8, 'text-anchor': 'middle' }, 'now ' + num(a.maxSize)));
    }
    chart.appendChild(svg('polyline', {
      class: 'curve',
      points: a.sizes.map(function (p) { return fixed(x(p.size)) + ',' + fixed(y(p.hitRate)); }).join(' '),
    }));
    a.sizes.forEach(function (p) {
      var point = svg('circle', { class: 'point', cx: fixed(x(p.size)), cy: fixed(y(p.hitRate)), r: 3.5 });
      point.dataset.size = String(p.size);
      point.dataset.multiple = String(p.multiple);
      point.dataset.hitRate = String(p.hitRate);
      var memory = bytes(p.bytes);
      point.appendChild(svg('title', {}, num(p.size) + ' entries (' + p.multiple + '×): hit rate ' + pct(p.hitRate) + (memory ? ', ≈ ' + memory : '')));
      chart.appendChild(point);
    });
    var r = a.recommendation;
    if (r !== null) {
      var rx = x(r.maxSize);
      var ry = y(r.hitRate);
      var ring = svg('circle', { class: 'recommended', cx: fixed(rx), cy: fixed(ry), r: 7.5 });
      ring.dataset.size = String(r.maxSize);
      chart.appendChild(ring);
      // Below the ring when it is near the top (the "now" label is there), above it otherwise; at either end of
      // the axis, the label runs inwards (clear of the percentages on the left).
      var anchor = rx < c.left + 40 ? 'start' : rx > c.left + plotW - 40 ? 'end' : 'middle';
      chart.appendChild(svg('text', {
        class: 'recommended-label', x: fixed(anchor === 'start' ? rx - 8 : anchor === 'end' ? rx + 8 : rx),
        y: fixed(ry < c.top + 24 ? ry + 20 : ry - 12), 'text-anchor': anchor,
      }, 'advised ' + num(r.maxSize)));
    }
    return chart;
  }

  function ttlTable(a) {
    var table = el('table', 'ttls');
    var head = el('tr');
    var rates = el('tr');
    head.appendChild(el('th', '', 'TTL'));
    rates.appendChild(el('th', '', 'hit rate'));
    a.ttls.forEach(function (p) {
      head.appendChild(el('td', p.multiple === 1 ? 'now' : '', shortTime(p.ttl)));
      rates.appendChild(el('td', p.multiple === 1 ? 'now' : '', pct0(p.hitRate)));
    });
    table.appendChild(head);
    table.appendChild(rates);
    return table;
  }

  /** A card's parts, made once: re-renders replace only what changed, so a chart stays put between refreshes. */
  function adviceCard(method) {
    var card = el('div', 'advice-card');
    card.dataset.method = method;
    var title = el('h3', '', method);
    title.appendChild(el('small', 'members'));
    card.appendChild(title);
    ['meta', 'chart', 'recommendation', 'ttl', 'warnings'].forEach(function (part) {
      card.appendChild(el(part === 'recommendation' ? 'p' : 'div', part));
    });
    return card;
  }

  /** Replaces the children of a card's part when what they show changed. */
  function replacePart(card, part, signature, build) {
    var holder = card.querySelector('.' + part);
    if (holder.dataset.signature === signature) return;
    holder.dataset.signature = signature;
    holder.replaceChildren.apply(holder, build());
  }

  function updateAdviceCard(card, a) {
    var members = [];
    if (a.method.indexOf('scope:') === 0 && lastStats) {
      var scope = a.method.slice('scope:'.length);
      members = lastStats.methods.filter(function (m) { return m.sharedScope && m.sharedScope.name === scope; })
        .map(function (m) { return m.id; });
    }
    card.querySelector('.members').textContent = members.join(' + ');
    card.querySelector('.meta').textContent = [
      a.maxSize === null ? 'no maxSize' : 'maxSize ' + num(a.maxSize),
      a.ttl === null ? 'no expiry' : duration(a.ttl),
      num(a.calls) + ' calls (' + a.callsPerSecond.toFixed(1) + '/s)',
      num(a.sampledKeys) + ' keys sampled (rate ' + Number(a.rate.toPrecision(3)) + ') of ≈ ' + num(a.distinctKeys),
      'store ' + a.store,
    ].join(' · ');
    var r = a.recommendation;
    replacePart(card, 'chart', JSON.stringify([a.maxSize, a.sizes, r && [r.maxSize, r.hitRate]]), function () {
      return a.sizes.length > 0 ? [sizeChart(a)] : [];
    });
    var text = recommendationText(a);
    var recommendation = card.querySelector('.recommendation');
    recommendation.className = text === null ? 'recommendation none' : 'recommendation';
    recommendation.textContent =
      text !== null ? text : a.maxSize === null ? 'No size curve: the store has no maxSize.' : 'No size curve yet.';
    replacePart(card, 'ttl', JSON.stringify(a.ttls), function () { return a.ttls.length > 0 ? [ttlTable(a)] : []; });
    replacePart(card, 'warnings', JSON.stringify(a.warnings), function () {
      if (a.warnings.length === 0) return [];
      var list = el('ul', 'warnings-list');
      a.warnings.forEach(function (w) { list.appendChild(el('li', '', w)); });
      return [list];
    });
  }

  function renderAdvice(advice) {
    var list = document.getElementById('advice-list');
    if (advice.length === 0) {
      list.replaceChildren(el('p', 'empty', 'The sizing advisor is off for every cached method.'));
      return;
    }
    var shown = Array.prototype.map.call(list.children, function (c) { return c.dataset.method; });
    var same = shown.length === advice.length && advice.every(function (a, i) { return shown[i] === a.method; });
    if (!same) list.replaceChildren.apply(list, advice.map(function (a) { return adviceCard(a.method); }));
    advice.forEach(function (a, i) { updateAdviceCard(list.children[i], a); });
  }

  function refreshAdvice() {
    return fetch('/cache/advice', { cache: 'no-store' }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || 'HTTP ' + r.status);
        renderAdvice(body);
      });
    }).catch(function (error) {
      document.getElementById('advice-list').replaceChildren(el('p', 'empty', error.message));
    });
  }

  function setStatus(ok, text) {
    document.getElementById('status').className = ok ? '' : 'down';
    document.getElementById('status-text').textContent = text;
  }

  function fetchStats() {
    return fetch('/cache/stats', { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }

  function refresh() {
    return fetchStats().then(function (data) {
      lastStats = data;
      render(data);
      refreshAdvice(); // after the stats: a shared scope's card names its methods from them
      setStatus(true, 'live · updated ' + new Date().toLocaleTimeString('en-GB'));
      return data;
    }, function (error) {
      setStatus(false, 'disconnected (' + error.message + ')');
    });
  }

  function send(method, path, body) {
    return fetch(path, {
      method: method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (r) { return r.status; }, function () { return 'error'; });
  }

  function log(label, statuses, ms, queries) {
    var list = document.getElementById('log');
    if (list.dataset.used !== 'yes') { list.replaceChildren(); list.dataset.used = 'yes'; }
    var unique = statuses.filter(function (s, i) { return statuses.indexOf(s) === i; }).join('/');
    var li = el('li', '', label + ' → ' + unique + ' · ' + ms.toFixed(1) + ' ms · ');
    li.appendChild(el('span', queries === 0 ? 'q0' : 'q', (queries >= 0 ? '+' : '') + queries + (queries === 1 ? ' query' : ' queries')));
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 10) list.removeChild(list.lastChild);
  }

  var actions = [
    ['GET /products/1', function () { return [['GET', '/products/1']]; }],
    ['GET /products/1…8', function () { return [1, 2, 3, 4, 5, 6, 7, 8].map(function (i) { return ['GET', '/products/' + i]; }); }],
    ['100 × a cold product', function () {
      coldId = coldId >= 48 ? 20 : coldId + 1;
      var calls = [];
      for (var i = 0; i < 100; i++) calls.push(['GET', '/products/' + coldId]);
      return calls;
    }],
    ['GET /products?category=books', function () { return [['GET', '/products?category=books']]; }],
    ['300 × a random product (skewed)', function () {
      var calls = [];
      for (var i = 0; i < 300; i++) calls.push(['GET', '/products/' + (1 + Math.floor(Math.pow(Math.random(), 3) * 1000))]);
      return calls;
    }],
    ['PUT /products/1 (new price)', function () {
      return [['PUT', '/products/1', { priceCents: 100 * (5 + Math.floor(Math.random() * 90)) + 99 }]];
    }, 'write'],
    ['Admin fresh read /admin/products/1', function () { return [['GET', '/admin/products/1']]; }],
    ['GET /users/1 (+ preferences, orders)', function () {
      return [['GET', '/users/1'], ['GET', '/users/1/preferences'], ['GET', '/users/1/orders']];
    }],
    ['PUT /users/1 (rename)', function () { return [['PUT', '/users/1', { name: 'Ada ' + Math.floor(Math.random() * 1000) }]]; }, 'write'],
  ];

  var container = document.getElementById('actions');
  actions.forEach(function (action) {
    var button = el('button', action[2] || '', action[0]);
    button.addEventListener('click', function () {
      var calls = action[1]();
      var before;
      fetchStats().then(function (s) {
        before = s.queries;
        var started = performance.now();
        return Promise.all(calls.map(function (c) { return send(c[0], c[1], c[2]); })).then(function (statuses) {
          var ms = performance.now() - started;
          return refresh().then(function (after) {
            log(action[0], statuses, ms, after ? after.queries - before : NaN);
          });
        });
      });
    });
    container.appendChild(button);
  });

  function span(ms) {
    ms = Math.round(ms);
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    if (ms < 3600000) return Math.floor(ms / 60000) + ' min ' + Math.floor((ms % 60000) / 1000) + ' s';
    return Math.floor(ms / 3600000) + ' h ' + Math.floor((ms % 3600000) / 60000) + ' min';
  }
  function ago(at) {
    var ms = Date.now() - at;
    return ms < 1000 ? 'just now' : span(ms) + ' ago';
  }
  function left(ms, absent) {
    if (ms === null) return absent ? '–' : 'never expires';
    return ms > 0 ? span(ms) : 'expired ' + span(-ms) + ' ago';
  }

  function renderExplanation(why) {
    var body = document.querySelector('#explain-result tbody');
    body.replaceChildren();
    var last = why.lastInvalidation;
    var rows = [
      ['key', String(why.key)],
      ['store', why.store],
      ['tier', why.tier === null ? 'absent' : why.tier],
      ['window', why.window],
      ['age', why.ageMs === null ? '–' : span(why.ageMs)],
      ['ttl left', left(why.ttlLeftMs, why.tier === null)],
      ['tags', why.tags.length === 0 ? '–' : why.tags.join(', ')],
      ['last invalidation', last === null ? 'none known' :
        last.kind + ' · ' + ago(last.at) + ' · from ' + (last.from || 'another process (Redis log)') +
        (last.traceId ? ' · trace ' + last.traceId : '')],
    ];
    rows.forEach(function (row) {
      var tr = el('tr', '');
      tr.dataset.field = row[0];
      tr.appendChild(el('th', '', row[0]));
      tr.appendChild(el('td', '', row[1]));
      body.appendChild(tr);
    });
  }

  document.getElementById('explain-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var id = document.getElementById('explain-id').value;
    fetch('/cache/explain/products/' + encodeURIComponent(id), { cache: 'no-store' }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || 'HTTP ' + r.status);
        renderExplanation(body);
      });
    }).catch(function (error) {
      var body = document.querySelector('#explain-result tbody');
      body.replaceChildren();
      var tr = el('tr', '');
      tr.appendChild(el('td', 'empty', error.message));
      body.appendChild(tr);
    });
  });

  refresh();
  setInterval(refresh, 1000);
})();
</script>
</body>
</html>
`;
