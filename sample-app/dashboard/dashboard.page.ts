/**
 * The live dashboard: plain HTML, CSS and JavaScript, no build step. It polls
 * `GET /cache/stats` every second and draws one row per cached method with a
 * hit-rate bar; the "Try it" buttons send requests so a person can watch the
 * figures move; "Explain an entry" asks `GET /cache/explain/products/:id`
 * why a product's entry is what it is. (The script avoids backticks and `${`: it lives in a template literal.)
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

  <footer>Refreshes every second from <a href="/cache/stats">/cache/stats</a>.</footer>
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
