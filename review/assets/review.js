// review.js - the review page (rakiza review). Reads the queue from
// GET /items and posts each label choice to POST /label with the session's
// CSRF token. Everything taken from the data is put into the page as text
// (textContent, text nodes, Option text, dataset values): no markup is ever
// built from strings, and the Content-Security-Policy's Trusted Types rule
// makes any attempt to do so fail.
'use strict';
(() => {
  const csrf = document.querySelector('meta[name="rk-csrf"]').getAttribute('content');
  const queue = document.getElementById('queue');
  const statusLine = document.getElementById('status');
  const summary = document.getElementById('summary');
  const stats = document.getElementById('stats');
  const filters = {
    doc: document.getElementById('f-doc'),
    label: document.getElementById('f-label'),
    lang: document.getElementById('f-lang'),
  };
  let labels = [];  // the label set, in button and key order
  let items = [];   // [{it, el}] in queue order
  let current = 0;  // the highlighted item
  let total = 0;    // unlabelled paragraphs passing the filters
  let busy = false;
  let info = {};    // the rest of the last /items answer

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function say(msg, bad) {
    statusLine.textContent = msg;
    statusLine.className = bad ? 'bad' : 'ok';
  }

  const fmt = (p) => Number(p).toFixed(3);

  // The filters as query parameters: doc, label or abstained, lang.
  function params() {
    const p = new URLSearchParams();
    if (filters.doc.value) p.set('doc', filters.doc.value);
    const l = filters.label.value;
    if (l === 'abstained') p.set('abstained', '1');
    else if (l.startsWith('label:')) p.set('label', l.slice(6));
    if (filters.lang.value) p.set('lang', filters.lang.value);
    return p;
  }

  // Sets the filters from the page's own URL (kept there across reloads).
  function paramsFromUrl() {
    const p = new URLSearchParams(location.search);
    const want = {
      doc: p.get('doc') || '',
      label: p.get('abstained') === '1' ? 'abstained' : p.get('label') !== null ? 'label:' + p.get('label') : '',
      lang: p.get('lang') || '',
    };
    return want;
  }

  function fillSelect(select, options, anyText, want) {
    select.replaceChildren(new Option(anyText, ''));
    for (const o of options) select.add(new Option(o.text, o.value));
    if (want && !options.some((o) => o.value === want)) {
      select.add(new Option(want.replace(/^label:/, '') + ' (none now)', want));
    }
    select.value = want || '';
  }

  async function load() {
    const want = { doc: filters.doc.value, label: filters.label.value, lang: filters.lang.value };
    const p = params();
    history.replaceState(null, '', p.toString() ? '?' + p.toString() : location.pathname);
    let r;
    try {
      r = await fetch('/items?' + p.toString(), { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    } catch (e) {
      say('Cannot reach rakiza review: ' + e, true);
      return;
    }
    if (!r.ok) {
      say('The queue could not be read (' + r.status + '): ' + (await r.text()), true);
      return;
    }
    render(await r.json(), want);
  }

  function render(d, want) {
    labels = d.labels;
    total = d.total;
    info = d;
    fillSelect(filters.doc, d.documents.map((x) => ({ value: x.id, text: x.id + ' (' + x.waiting + ' of ' + x.kept + ' waiting)' })), 'all documents', want.doc);
    fillSelect(filters.label, [{ value: 'abstained', text: 'abstained' }].concat(d.labels.map((l) => ({ value: 'label:' + l, text: l }))), 'any label', want.label);
    fillSelect(filters.lang, d.langs.map((l) => ({ value: l, text: l })), 'any language', want.lang);
    document.getElementById('kmax').textContent = String(Math.min(labels.length, 9));
    queue.replaceChildren();
    items = [];
    for (const it of d.items) {
      const node = card(it);
      queue.append(node);
      items.push({ it, el: node });
    }
    if (!items.length) queue.append(el('p', 'empty', 'Nothing left to label with these filters.'));
    renderSummary();
    renderStats(d.labelled);
    select(0);
  }

  function renderSummary() {
    summary.textContent = total + ' paragraphs waiting for a label here (showing ' + items.length +
      '), least certain first · ' + info.kept + ' kept of at most ' + info.max_paragraphs +
      (info.dropped ? ' (' + info.dropped + ' older ones dropped)' : '') +
      ' · labelling as ' + (info.annotator || '(no name)');
  }

  function countTable(title, counts, cls) {
    const box = el('div', cls);
    box.append(el('h3', '', title));
    const t = el('table');
    const names = Object.keys(counts).sort((a, b) => counts[b] - counts[a] || (a < b ? -1 : 1));
    for (const n of names) {
      const tr = el('tr');
      tr.append(el('td', 'name', n === '' ? '(not named)' : n), el('td', 'n', counts[n]));
      t.append(tr);
    }
    if (!names.length) box.append(el('p', 'meta', 'none yet'));
    else box.append(t);
    return box;
  }

  function renderStats(l) {
    stats.replaceChildren(el('h2', '', 'Labelled'),
      el('p', 'total', l.total + ' paragraph' + (l.total === 1 ? '' : 's') + ' labelled (the labels topic)'),
      countTable('By annotator', l.by_annotator, 'by-annotator'),
      countTable('By label', l.by_label, 'by-label'));
  }

  function context(n, which) {
    const box = el('div', 'context ' + which);
    box.append(el('div', 'ctx-head', (which === 'prev' ? 'previous' : 'next') + ' ¶ ' + n.index + ' · ' + (n.label === null ? 'abstained' : n.label)));
    const t = el('p', 'ctx-text', n.text === null ? '(no text in the record)' : n.text);
    t.lang = n.lang;
    t.dir = n.dir;
    box.append(t);
    return box;
  }

  function head(it) {
    const h = el('div', 'head');
    h.append(el('span', 'doc', it.doc_id), ' ¶ ', el('span', 'idx', it.index));
    if (it.count !== undefined) h.append(' of ' + it.count);
    h.append(' · ', el('span', 'kind', it.kind || 'paragraph'), ' · ', el('span', 'lang', it.lang), ' · predicted ');
    const pred = el('span', 'pred');
    if (it.label === null) {
      pred.classList.add('abstained');
      pred.textContent = 'abstained' + (it.scores.length ? ' (best: ' + it.scores[0].label + ' ' + fmt(it.scores[0].p) + ')' : '');
    } else {
      pred.textContent = it.label + ' ' + fmt(it.top);
    }
    h.append(pred);
    if (it.model) h.append(' · model ', el('span', 'model', it.model));
    return h;
  }

  function scores(it) {
    const box = el('div', 'scores');
    for (const s of it.scores) {
      const row = el('span', 'score');
      row.dataset.label = s.label;
      const bar = el('span', 'bar');
      bar.style.width = Math.round(s.p * 100) + '%';  // CSSOM, not markup
      const track = el('span', 'track');
      track.append(bar);
      row.append(el('span', 'name', s.label), track, el('span', 'p', fmt(s.p)));
      box.append(row);
    }
    return box;
  }

  function text(it) {
    const p = el('p', 'text');
    p.lang = it.lang;
    p.dir = it.dir;
    if (it.text === null) {
      p.classList.add('missing');
      p.textContent = '(no text in the record)';
      return p;
    }
    for (const [piece, marked] of it.text) p.append(marked ? el('mark', 'term', piece) : document.createTextNode(piece));
    return p;
  }

  function buttons(it, node) {
    const box = el('div', 'buttons');
    if (it.text === null) {
      box.append(el('p', 'why', 'Cannot be labelled: ' + it.why + '.'));
      return box;
    }
    labels.forEach((l, i) => {
      const b = el('button', 'choose');
      b.type = 'button';
      b.dataset.label = l;
      if (i < 9) b.append(el('kbd', '', i + 1), ' ');
      b.append(l);
      if (l === it.label) b.classList.add('predicted');
      b.disabled = !it.scores.some((s) => s.label === l);
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        select(items.findIndex((x) => x.el === node));
        choose(l);
      });
      box.append(b);
    });
    return box;
  }

  function card(it) {
    const node = el('article', 'item');
    node.dataset.key = it.key;
    node.dataset.label = it.label === null ? '' : it.label;
    node.dataset.top = String(it.top);
    node.tabIndex = -1;
    node.append(head(it), scores(it));
    if (it.prev) node.append(context(it.prev, 'prev'));
    node.append(text(it));
    if (it.next) node.append(context(it.next, 'next'));
    if (it.terms.length) {
      const t = el('div', 'terms', 'terms: ');
      it.terms.forEach((x, i) => {
        const s = el('span', 'term', x.term);
        s.dir = 'auto';
        t.append(s, ' (' + fmt(x.weight) + ')' + (i + 1 < it.terms.length ? ', ' : ''));
      });
      node.append(t);
    }
    node.append(buttons(it, node));
    node.addEventListener('click', () => select(items.findIndex((x) => x.el === node)));
    return node;
  }

  function select(i) {
    if (!items.length) return;
    current = Math.max(0, Math.min(i, items.length - 1));
    for (const x of items) x.el.classList.remove('current');
    const node = items[current].el;
    node.classList.add('current');
    node.focus({ preventScroll: true });
    node.scrollIntoView({ block: 'nearest' });
  }

  async function choose(label) {
    if (busy || !items.length) return;
    const { it, el: node } = items[current];
    if (it.text === null) {
      say('This paragraph cannot be labelled: ' + it.why + '.', true);
      return;
    }
    if (!it.scores.some((s) => s.label === label)) return;
    busy = true;
    node.classList.add('sending');
    try {
      const r = await fetch('/label', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ doc_id: it.doc_id, index: it.index, label }),
      });
      if (!r.ok) {
        say('Not labelled (' + r.status + '): ' + (await r.text()), true);
        node.classList.remove('sending');
        if (r.status !== 409) return;
        // labelled meanwhile (another analyst, another tab): move on
      } else {
        const d = await r.json();
        say(it.doc_id + ' ¶ ' + it.index + ' labelled ' + label + '.');
        renderStats(d.labelled);
      }
      node.remove();
      items.splice(items.findIndex((x) => x.el === node), 1);
      total -= 1;
      renderSummary();
      if (items.length) select(current);
      else await load();
    } catch (e) {
      say('Not labelled: ' + e, true);
      node.classList.remove('sending');
    } finally {
      busy = false;
    }
  }

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.tagName === 'SELECT' || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) return;
    if (/^[1-9]$/.test(e.key)) {
      const i = Number(e.key) - 1;
      if (i < labels.length) {
        e.preventDefault();
        choose(labels[i]);
      }
    } else if (e.key === 'j' || e.key === 'ArrowDown') {
      e.preventDefault();
      select(current + 1);
    } else if (e.key === 'k' || e.key === 'ArrowUp') {
      e.preventDefault();
      select(current - 1);
    } else if (e.key === 'r') {
      load();
    }
  });
  for (const s of Object.values(filters)) s.addEventListener('change', () => load());
  document.getElementById('reload').addEventListener('click', () => load());

  const want = paramsFromUrl();
  // Until the first answer fills the selects, the wanted values are options.
  for (const k of Object.keys(filters)) if (want[k]) filters[k].add(new Option(want[k], want[k]));
  for (const k of Object.keys(filters)) filters[k].value = want[k];
  load();
})();
