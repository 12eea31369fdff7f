/*
 * streamt docs: the lineage graph and the node table filter. Plain browser JavaScript, no
 * dependency, no network: the graph data is read from the page's
 * <script type="application/json" id="streamt-graph">, positions are precomputed by
 * `streamt docs generate`. User text only ever reaches the DOM through textContent or
 * setAttribute, never as HTML.
 */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var NODE_W = 200;
  var NODE_H = 30;
  var MIN_SCALE = 0.02;
  var MAX_SCALE = 3;
  /** Below this scale labels are hidden: they would be unreadable and slow to draw. */
  var LABEL_SCALE = 0.4;
  var CLASSIFICATIONS = ['public', 'internal', 'confidential', 'sensitive', 'highly_sensitive'];

  initTableFilters();
  var dataElement = document.getElementById('streamt-graph');
  if (dataElement) initGraph(JSON.parse(dataElement.textContent || '{}'));

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    return e;
  }

  function initTableFilters() {
    var inputs = document.querySelectorAll('input[data-filter-for]');
    Array.prototype.forEach.call(inputs, function (input) {
      var table = document.getElementById(input.getAttribute('data-filter-for'));
      if (!table) return;
      var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
      input.addEventListener('input', function () {
        var q = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(rows, function (row) {
          row.hidden = q !== '' && row.textContent.toLowerCase().indexOf(q) < 0;
        });
      });
    });
  }

  function truncate(text, max) {
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  function rankOf(c) {
    return c ? CLASSIFICATIONS.indexOf(c) : -1;
  }

  function initGraph(data) {
    var nodes = data.nodes || [];
    var edges = data.edges || [];
    var svg = document.getElementById('graph');
    var panel = document.getElementById('panel');
    var status = document.getElementById('status');
    var search = document.getElementById('search');
    var parents = nodes.map(function () { return []; });
    var children = nodes.map(function () { return []; });
    var byId = {};
    nodes.forEach(function (n, i) { byId[n.id] = i; });
    edges.forEach(function (e) {
      children[e[0]].push(e[1]);
      parents[e[1]].push(e[0]);
    });

    var viewport = svgEl('g', { id: 'viewport' });
    var bandLayer = svgEl('g', { class: 'bands' });
    (data.bands || []).forEach(function (b) {
      bandLayer.appendChild(svgEl('rect', { class: 'band', x: b[0] - 12, y: -12, width: b[1] + 24, height: (data.height || 0) + 24, rx: 10 }));
    });
    viewport.appendChild(bandLayer);
    var edgeLayer = svgEl('g', { class: 'edges' });
    var nodeLayer = svgEl('g', { class: 'nodes' });
    viewport.appendChild(edgeLayer);
    viewport.appendChild(nodeLayer);
    svg.appendChild(viewport);

    var edgeEls = edges.map(function (e) {
      var a = nodes[e[0]];
      var b = nodes[e[1]];
      var x1 = a.x + NODE_W;
      var y1 = a.y + NODE_H / 2;
      var x2 = b.x;
      var y2 = b.y + NODE_H / 2;
      var dx = Math.max(40, (x2 - x1) / 2);
      var path = svgEl('path', { class: 'edge', d: 'M' + x1 + ',' + y1 + ' C' + (x1 + dx) + ',' + y1 + ' ' + (x2 - dx) + ',' + y2 + ' ' + x2 + ',' + y2 });
      edgeLayer.appendChild(path);
      return path;
    });

    var nodeEls = nodes.map(function (n, i) {
      var classes = ['node', 'kind-' + n.kind];
      if (n.status) classes.push('status-' + n.status);
      if (n.classification) classes.push('cls-' + n.classification);
      var g = svgEl('g', { class: classes.join(' '), transform: 'translate(' + n.x + ',' + n.y + ')', 'data-id': n.id, tabindex: '0', role: 'button' });
      var title = svgEl('title', {});
      title.textContent = n.name + (n.description ? ' — ' + n.description : '');
      g.appendChild(title);
      g.appendChild(svgEl('rect', { width: NODE_W, height: NODE_H, rx: 6, ry: 6 }));
      if (n.classification) g.appendChild(svgEl('rect', { class: 'cls-mark', x: NODE_W - 8, y: 0, width: 8, height: NODE_H, rx: 3 }));
      var label = svgEl('text', { x: 8, y: 13, class: 'label' });
      label.textContent = truncate(n.name, 28);
      g.appendChild(label);
      var sub = svgEl('text', { x: 8, y: 25, class: 'sub' });
      sub.textContent = [n.kind, n.materialized || n.type || n.status || ''].filter(Boolean).join(' · ');
      g.appendChild(sub);
      g.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          select(i);
        }
      });
      nodeLayer.appendChild(g);
      return g;
    });

    // ---- pan and zoom ----
    var view = { x: 0, y: 0, k: 1 };
    function apply() {
      viewport.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')');
      svg.classList.toggle('labels-hidden', view.k < LABEL_SCALE);
    }
    function size() {
      var r = svg.getBoundingClientRect();
      return { w: r.width || 800, h: r.height || 600 };
    }
    function fit() {
      var s = size();
      var margin = 40;
      var w = (data.width || NODE_W) + margin * 2;
      var h = (data.height || NODE_H) + margin * 2;
      view.k = Math.max(MIN_SCALE, Math.min(1.2, s.w / w, s.h / h));
      view.x = (s.w - (data.width || 0) * view.k) / 2;
      view.y = (s.h - (data.height || 0) * view.k) / 2;
      apply();
    }
    function zoomAt(factor, cx, cy) {
      var k = Math.max(MIN_SCALE, Math.min(MAX_SCALE, view.k * factor));
      view.x = cx - ((cx - view.x) * k) / view.k;
      view.y = cy - ((cy - view.y) * k) / view.k;
      view.k = k;
      apply();
    }
    function centerOn(i, minScale) {
      var s = size();
      // The details panel covers the right of the graph: centre in what stays visible.
      var covered = panel.hidden ? 0 : Math.min(panel.getBoundingClientRect().width, s.w / 2);
      if (minScale && view.k < minScale) view.k = minScale;
      view.x = (s.w - covered) / 2 - (nodes[i].x + NODE_W / 2) * view.k;
      view.y = s.h / 2 - (nodes[i].y + NODE_H / 2) * view.k;
      apply();
    }

    svg.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var r = svg.getBoundingClientRect();
      zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });

    var drag = null;
    svg.addEventListener('pointerdown', function (ev) {
      if (ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false, target: ev.target };
    });
    window.addEventListener('pointermove', function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x;
      var dy = ev.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!drag.moved) svg.classList.add('dragging');
      drag.moved = true;
      view.x = drag.vx + dx;
      view.y = drag.vy + dy;
      apply();
    });
    window.addEventListener('pointerup', function () {
      if (!drag) return;
      var d = drag;
      drag = null;
      svg.classList.remove('dragging');
      if (d.moved) return;
      // A click without movement: a node selects it, the background clears the focus.
      var g = d.target && d.target.closest ? d.target.closest('g.node') : null;
      if (g) select(byId[g.getAttribute('data-id')]);
      else if (location.hash) setHash('');
    });

    document.getElementById('zoom-in').addEventListener('click', function () {
      var s = size();
      zoomAt(1.3, s.w / 2, s.h / 2);
    });
    document.getElementById('zoom-out').addEventListener('click', function () {
      var s = size();
      zoomAt(1 / 1.3, s.w / 2, s.h / 2);
    });
    document.getElementById('zoom-fit').addEventListener('click', fit);

    // ---- filters ----
    function fillSelect(id, values, label) {
      var dropdown = document.getElementById(id);
      values.forEach(function (v) {
        var value = typeof v === 'string' ? v : v[0];
        dropdown.appendChild(el('option', { value: value }, label ? label(v) : value));
      });
      dropdown.addEventListener('change', applyFilters);
      return dropdown;
    }
    function unique(get) {
      var seen = {};
      nodes.forEach(function (n) {
        [].concat(get(n) || []).forEach(function (v) { seen[v] = true; });
      });
      return Object.keys(seen).sort();
    }
    var kindSelect = fillSelect('filter-kind', ['source', 'model', 'test', 'exposure']);
    var tagSelect = fillSelect('filter-tag', unique(function (n) { return n.tags; }));
    var ownerSelect = fillSelect('filter-owner', unique(function (n) { return n.owner; }));
    var matSelect = fillSelect('filter-materialized', unique(function (n) { return n.materialized; }));
    var present = CLASSIFICATIONS.filter(function (c) {
      return nodes.some(function (n) { return n.upstreamClassification && rankOf(n.upstreamClassification) >= rankOf(c); });
    });
    var clsOptions = [];
    present.slice().reverse().forEach(function (c) { clsOptions.push(['holds:' + c, 'holds ' + c]); });
    present.slice().reverse().forEach(function (c) { clsOptions.push(['reaches:' + c, 'upstream ≥ ' + c]); });
    var clsSelect = fillSelect('filter-classification', clsOptions, function (v) { return v[1]; });

    var visible = nodes.map(function () { return true; });
    function applyFilters() {
      var kind = kindSelect.value;
      var tag = tagSelect.value;
      var owner = ownerSelect.value;
      var mat = matSelect.value;
      var cls = clsSelect.value;
      var shown = 0;
      nodes.forEach(function (n, i) {
        var ok = (!kind || n.kind === kind) && (!tag || (n.tags || []).indexOf(tag) >= 0) && (!owner || n.owner === owner) && (!mat || n.materialized === mat);
        if (ok && cls) {
          var parts = cls.split(':');
          ok = parts[0] === 'holds' ? n.classification === parts[1] : rankOf(n.upstreamClassification) >= rankOf(parts[1]);
        }
        visible[i] = ok;
        if (ok) shown++;
        nodeEls[i].classList.toggle('filtered-out', !ok);
      });
      edges.forEach(function (e, k) {
        edgeEls[k].classList.toggle('filtered-out', !visible[e[0]] || !visible[e[1]]);
      });
      updateStatus(shown);
    }

    // ---- search ----
    var matches = [];
    function runSearch() {
      var q = search.value.trim().toLowerCase();
      matches = [];
      nodes.forEach(function (n, i) {
        var hit = q !== '' && visible[i] && (n.name.toLowerCase().indexOf(q) >= 0 || (n.description || '').toLowerCase().indexOf(q) >= 0 || (n.owner || '').toLowerCase().indexOf(q) >= 0);
        nodeEls[i].classList.toggle('match', hit);
        if (hit) matches.push(i);
      });
      svg.classList.toggle('searching', q !== '');
      updateStatus();
    }
    search.addEventListener('input', runSearch);
    search.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter' && matches.length) {
        ev.preventDefault();
        // Prefer an exact name match, then the first match in layout order.
        var q = search.value.trim().toLowerCase();
        var exact = matches.filter(function (i) { return nodes[i].name.toLowerCase() === q; });
        select(exact.length ? exact[0] : matches[0]);
      } else if (ev.key === 'Escape') {
        search.value = '';
        runSearch();
      }
    });

    function updateStatus(shown) {
      var parts = [];
      var count = shown === undefined ? visible.filter(Boolean).length : shown;
      parts.push(count + ' of ' + nodes.length + ' nodes');
      if (search.value.trim()) parts.push(matches.length + ' match' + (matches.length === 1 ? '' : 'es'));
      status.textContent = parts.join(' · ');
    }

    // ---- focus: a node with its upstream and downstream, the rest dimmed ----
    function reach(start, next) {
      var seen = {};
      var stack = [start];
      while (stack.length) {
        var i = stack.pop();
        next[i].forEach(function (j) {
          if (!seen[j]) {
            seen[j] = true;
            stack.push(j);
          }
        });
      }
      return seen;
    }
    var focused = -1;
    function focus(i, recenter) {
      focused = i;
      nodeEls.forEach(function (g) { g.classList.remove('in-focus', 'selected', 'upstream', 'downstream'); });
      edgeEls.forEach(function (p) { p.classList.remove('in-focus'); });
      if (i < 0) {
        svg.classList.remove('focus-mode');
        panel.hidden = true;
        return;
      }
      var up = reach(i, parents);
      var down = reach(i, children);
      var inSet = function (j) { return j === i || up[j] || down[j]; };
      nodeEls.forEach(function (g, j) {
        if (inSet(j)) g.classList.add('in-focus');
        if (up[j]) g.classList.add('upstream');
        if (down[j]) g.classList.add('downstream');
      });
      nodeEls[i].classList.add('selected');
      edges.forEach(function (e, k) {
        if ((e[1] === i || up[e[1]]) && (e[0] === i || up[e[0]])) edgeEls[k].classList.add('in-focus');
        if ((e[0] === i || down[e[0]]) && (e[1] === i || down[e[1]])) edgeEls[k].classList.add('in-focus');
      });
      svg.classList.add('focus-mode');
      showPanel(i, Object.keys(up).length, Object.keys(down).length);
      if (recenter) centerOn(i, 0.7);
    }
    function select(i) {
      if (i === undefined || i < 0) return;
      setHash(nodes[i].id);
    }
    function setHash(id) {
      if (id) location.hash = encodeURIComponent(id);
      else if (history.replaceState) {
        history.replaceState(null, '', location.pathname + location.search);
        onHash();
      } else location.hash = '';
    }
    function onHash() {
      var id = decodeURIComponent(location.hash.replace(/^#/, ''));
      var i = id && Object.prototype.hasOwnProperty.call(byId, id) ? byId[id] : -1;
      focus(i, i >= 0);
    }
    window.addEventListener('hashchange', onHash);

    function nodeButton(j) {
      var b = el('button', { type: 'button', class: 'node-chip kind-' + nodes[j].kind }, nodes[j].name);
      b.addEventListener('click', function () { select(j); });
      return b;
    }
    function listSection(title, ids) {
      var wrap = el('section', {});
      wrap.appendChild(el('h3', {}, title + ' (' + ids.length + ')'));
      var box = el('div', { class: 'chips' });
      ids.forEach(function (j) { box.appendChild(nodeButton(j)); });
      if (!ids.length) box.appendChild(el('span', { class: 'muted' }, 'none'));
      wrap.appendChild(box);
      return wrap;
    }
    function showPanel(i, upCount, downCount) {
      var n = nodes[i];
      panel.textContent = '';
      var close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, '×');
      close.addEventListener('click', function () { setHash(''); });
      panel.appendChild(close);
      var badges = el('p', { class: 'crumbs' });
      badges.appendChild(el('span', { class: 'badge kind-' + n.kind }, n.kind));
      if (n.materialized || n.type) badges.appendChild(el('span', { class: 'badge mat' }, n.materialized || n.type));
      if (n.classification) badges.appendChild(el('span', { class: 'badge cls cls-' + n.classification }, n.classification));
      if (n.status) badges.appendChild(el('span', { class: 'badge status status-' + n.status }, n.status));
      panel.appendChild(badges);
      panel.appendChild(el('h2', { id: 'panel-title' }, n.name));
      panel.appendChild(el('p', { class: 'description' + (n.description ? '' : ' muted') }, n.description || 'No description.'));
      var dl = el('dl', { class: 'facts' });
      var fact = function (k, v) {
        if (!v) return;
        dl.appendChild(el('dt', {}, k));
        dl.appendChild(el('dd', {}, v));
      };
      fact('owner', n.owner);
      fact('tags', (n.tags || []).join(', '));
      if (n.upstreamClassification && n.upstreamClassification !== n.classification) fact('upstream data up to', n.upstreamClassification);
      fact('upstream', upCount + ' node' + (upCount === 1 ? '' : 's'));
      fact('downstream', downCount + ' node' + (downCount === 1 ? '' : 's'));
      panel.appendChild(dl);
      var open = el('a', { class: 'button', href: n.page }, 'Open the page');
      panel.appendChild(open);
      panel.appendChild(listSection('Direct upstream', parents[i]));
      panel.appendChild(listSection('Direct downstream', children[i]));
      if (n.kind !== 'test') panel.appendChild(listSection('Impacted exposures', n.impacted || []));
      panel.hidden = false;
    }

    fit();
    applyFilters();
    onHash();
    window.addEventListener('resize', function () {
      if (focused < 0) fit();
    });
    svg.setAttribute('data-ready', 'true');
  }
})();
