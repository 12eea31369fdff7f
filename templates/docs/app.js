/*
 * streamt docs: the lineage graph and the node table filter. Plain browser JavaScript, no
 * dependency, no network: the graph data is read from the page's
 * <script type="application/json" id="streamt-graph">; positions and edge routes come from
 * assets/layout.js (the engine of src/docs/layout.ts), for the whole graph or for what a filter
 * or a focus leaves. User text only ever reaches the DOM through textContent or setAttribute,
 * never as HTML.
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
  /** Corner radius of edge routes: under half the narrowest lane (12 px between rows). */
  var CORNER = 5;
  /** Labels come back this long after the last wheel, drag or zoom-button event. */
  var SETTLE_MS = 150;
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
    var engine = window.streamtLayout;
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
    // Column-level lineage reversed: for each node, the model columns derived from its columns.
    var derived = nodes.map(function () { return []; });
    nodes.forEach(function (n, c) {
      (n.columns || []).forEach(function (col) {
        (col[1] || []).forEach(function (input) { derived[input[0]].push([c, col[0], input[1]]); });
      });
    });

    var viewport = svgEl('g', { id: 'viewport' });
    var bandLayer = svgEl('g', { class: 'bands' });
    var edgeLayer = svgEl('g', { class: 'edges' });
    var nodeLayer = svgEl('g', { class: 'nodes' });
    viewport.appendChild(bandLayer);
    viewport.appendChild(edgeLayer);
    viewport.appendChild(nodeLayer);
    svg.appendChild(viewport);

    // Elements are made once; a layout only moves them, shows or hides them and sets edge paths.
    var edgeEls = edges.map(function (e) {
      var path = svgEl('path', { class: 'edge filtered-out', 'data-edge': nodes[e[0]].id + '>' + nodes[e[1]].id });
      edgeLayer.appendChild(path);
      return path;
    });

    var subEls = [];
    function subText(n) {
      return [n.kind, n.materialized || n.type || n.status || ''].filter(Boolean).join(' · ');
    }
    var nodeEls = nodes.map(function (n, i) {
      var classes = ['node', 'filtered-out', 'kind-' + n.kind];
      if (n.status) classes.push('status-' + n.status);
      if (n.classification) classes.push('cls-' + n.classification);
      var g = svgEl('g', { class: classes.join(' '), 'data-id': n.id, tabindex: '0', role: 'button' });
      var title = svgEl('title', {});
      title.textContent = n.name + (n.description ? ' — ' + n.description : '');
      g.appendChild(title);
      g.appendChild(svgEl('rect', { width: NODE_W, height: NODE_H, rx: 6, ry: 6 }));
      if (n.classification) g.appendChild(svgEl('rect', { class: 'cls-mark', x: NODE_W - 8, y: 0, width: 8, height: NODE_H, rx: 3 }));
      var label = svgEl('text', { x: 8, y: 13, class: 'label' });
      label.textContent = truncate(n.name, 28);
      g.appendChild(label);
      var sub = svgEl('text', { x: 8, y: 25, class: 'sub' });
      sub.textContent = subText(n);
      g.appendChild(sub);
      subEls.push(sub);
      g.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          select(i);
        }
      });
      nodeLayer.appendChild(g);
      return g;
    });

    /** An orthogonal route with rounded corners (radius under half the narrowest lane, so a corner stays in its lane). */
    function pathOf(points) {
      var d = 'M' + points[0][0] + ',' + points[0][1];
      for (var k = 1; k < points.length - 1; k++) {
        var p = points[k - 1];
        var c = points[k];
        var q = points[k + 1];
        var r = Math.min(CORNER, Math.abs(c[0] - p[0] + c[1] - p[1]) / 2, Math.abs(q[0] - c[0] + q[1] - c[1]) / 2);
        var ax = c[0] - Math.sign(c[0] - p[0]) * r;
        var ay = c[1] - Math.sign(c[1] - p[1]) * r;
        var bx = c[0] + Math.sign(q[0] - c[0]) * r;
        var by = c[1] + Math.sign(q[1] - c[1]) * r;
        d += ' L' + ax + ',' + ay + ' Q' + c[0] + ',' + c[1] + ' ' + bx + ',' + by;
      }
      var last = points[points.length - 1];
      return d + ' L' + last[0] + ',' + last[1];
    }

    // ---- layout: the shown nodes only, laid out by the same engine as `streamt docs generate` ----
    var edgeObjects = edges.map(function (e) { return { from: nodes[e[0]].id, to: nodes[e[1]].id }; });
    var current = null;
    var cache = {};
    var cacheKeys = [];
    function computeLayout(shown) {
      var key = shown.map(function (s) { return s ? '1' : '0'; }).join('');
      if (cache[key]) return cache[key];
      var ids = [];
      nodes.forEach(function (n, i) { if (shown[i]) ids.push(n.id); });
      var kept = [];
      var used = [];
      edges.forEach(function (e, k) {
        if (shown[e[0]] && shown[e[1]] && e[0] !== e[1]) {
          kept.push(edgeObjects[k]);
          used.push(k);
        }
      });
      var t0 = performance.now();
      var layout = engine.layoutDag(ids, kept);
      var result = { shown: shown, layout: layout, boxes: {}, edgePaths: {}, edgeBoxes: {}, count: ids.length, ms: performance.now() - t0 };
      layout.nodes.forEach(function (p, id) { result.boxes[byId[id]] = p; });
      layout.routes.forEach(function (route, r) {
        var k = used[r];
        var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        route.points.forEach(function (pt) {
          x0 = Math.min(x0, pt[0]); y0 = Math.min(y0, pt[1]);
          x1 = Math.max(x1, pt[0]); y1 = Math.max(y1, pt[1]);
        });
        result.edgePaths[k] = pathOf(route.points);
        result.edgeBoxes[k] = [x0, y0, x1, y1];
      });
      cache[key] = result;
      cacheKeys.push(key);
      if (cacheKeys.length > 8) delete cache[cacheKeys.shift()];
      return result;
    }
    function showLayout(shown) {
      current = computeLayout(shown);
      var layout = current.layout;
      bandLayer.textContent = '';
      layout.bands.forEach(function (b) {
        bandLayer.appendChild(svgEl('rect', { class: 'band', x: b.x - 12, y: -12, width: b.width + 24, height: layout.height + 24, rx: 10 }));
      });
      nodeEls.forEach(function (g, i) {
        var p = current.boxes[i];
        g.classList.toggle('filtered-out', !p);
        g.classList.remove('culled');
        if (p) g.setAttribute('transform', 'translate(' + p.x + ',' + p.y + ')');
      });
      edgeEls.forEach(function (path, k) {
        var d = current.edgePaths[k];
        path.classList.toggle('filtered-out', !d);
        path.classList.remove('culled');
        if (d) path.setAttribute('d', d);
      });
      svg.setAttribute('data-layout', current.count + ' ' + layout.width + ' ' + layout.height);
      updateStatus();
    }

    // ---- pan and zoom ----
    // One transform on the viewport group per change. What is off screen (beyond a margin) is not
    // drawn; while the view moves (wheel, drag, buttons) labels are not drawn either, because
    // Chromium lays SVG text out again at every change of scale: they come back when it settles.
    var view = { x: 0, y: 0, k: 1 };
    var drawn = null;
    var culledNodes = 0;
    var moving = false;
    var settleTimer = 0;
    function apply() {
      viewport.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')');
      svg.classList.toggle('labels-hidden', view.k < LABEL_SCALE);
      // While moving, cull again only when the view leaves what is drawn (each cull costs a layout).
      if (!moving || !covers(drawn, viewRect(0))) cull();
    }
    function interacting() {
      if (!moving) {
        moving = true;
        svg.classList.add('moving');
      }
      clearTimeout(settleTimer);
      settleTimer = setTimeout(settle, SETTLE_MS);
    }
    function settle() {
      moving = false;
      svg.classList.remove('moving');
      cull();
    }
    /** The part of the layout on screen, in layout coordinates, grown by `margin` screens on each side. */
    function viewRect(margin) {
      var s = size();
      var mx = (s.w / view.k) * margin;
      var my = (s.h / view.k) * margin;
      return [-view.x / view.k - mx, -view.y / view.k - my, (s.w - view.x) / view.k + mx, (s.h - view.y) / view.k + my];
    }
    function covers(outer, inner) {
      return !!outer && outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
    }
    function cull() {
      if (!current) return;
      // A margin of a quarter screen on each side: a short pan or a small zoom out shows nothing
      // missing, and few nodes more than those on screen are drawn.
      var r = viewRect(0.25);
      drawn = r;
      var hidden = 0;
      nodeEls.forEach(function (g, i) {
        var p = current.boxes[i];
        if (!p) return;
        var off = p.x > r[2] || p.x + NODE_W < r[0] || p.y > r[3] || p.y + NODE_H < r[1];
        if (off) hidden++;
        if (off !== g.classList.contains('culled')) g.classList.toggle('culled', off);
      });
      edgeEls.forEach(function (path, k) {
        var b = current.edgeBoxes[k];
        if (!b) return;
        var off = b[0] > r[2] || b[2] < r[0] || b[1] > r[3] || b[3] < r[1];
        if (off !== path.classList.contains('culled')) path.classList.toggle('culled', off);
      });
      culledNodes = hidden;
    }
    // The graph area's size, read again only after it changes (window resized, toolbar wrapped):
    // reading it in every wheel or drag event would force the browser to lay the SVG out again.
    var area = null;
    if (window.ResizeObserver) new ResizeObserver(function () { area = null; }).observe(svg);
    function size() {
      if (!area) {
        var r = svg.getBoundingClientRect();
        area = { w: r.width || 800, h: r.height || 600, left: r.left, top: r.top };
      }
      return area;
    }
    /** The part of the graph area the details panel does not cover. */
    var panelWidth = 0;
    function visibleWidth() {
      var s = size();
      if (panel.hidden) return s.w;
      if (!panelWidth) panelWidth = panel.getBoundingClientRect().width;
      return s.w - Math.min(panelWidth, s.w / 2);
    }
    /** Fits what is laid out (all nodes, or what a filter or focus leaves) into the visible area. */
    function fit() {
      area = null;
      panelWidth = 0;
      var s = size();
      var w = visibleWidth();
      var margin = 40;
      var lw = current ? current.layout.width : 0;
      var lh = current ? current.layout.height : 0;
      view.k = Math.max(MIN_SCALE, Math.min(1.2, (w - margin * 2) / (lw || NODE_W), (s.h - margin * 2) / (lh || NODE_H)));
      view.x = (w - lw * view.k) / 2;
      view.y = (s.h - lh * view.k) / 2;
      apply();
    }
    function zoomAt(factor, cx, cy) {
      var k = Math.max(MIN_SCALE, Math.min(MAX_SCALE, view.k * factor));
      view.x = cx - ((cx - view.x) * k) / view.k;
      view.y = cy - ((cy - view.y) * k) / view.k;
      view.k = k;
      apply();
    }

    svg.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var r = size();
      interacting();
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
      interacting();
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
      interacting();
      zoomAt(1.3, visibleWidth() / 2, size().h / 2);
    });
    document.getElementById('zoom-out').addEventListener('click', function () {
      interacting();
      zoomAt(1 / 1.3, visibleWidth() / 2, size().h / 2);
    });
    document.getElementById('zoom-fit').addEventListener('click', fit);

    // ---- filters ----
    function fillSelect(id, values, label) {
      var dropdown = document.getElementById(id);
      values.forEach(function (v) {
        var value = typeof v === 'string' ? v : v[0];
        dropdown.appendChild(el('option', { value: value }, label ? label(v) : value));
      });
      dropdown.addEventListener('change', refresh);
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

    /** Nodes the filters let through (the focus then narrows them down further). */
    var passes = nodes.map(function () { return true; });
    function applyFilters() {
      var kind = kindSelect.value;
      var tag = tagSelect.value;
      var owner = ownerSelect.value;
      var mat = matSelect.value;
      var cls = clsSelect.value;
      nodes.forEach(function (n, i) {
        var ok = (!kind || n.kind === kind) && (!tag || (n.tags || []).indexOf(tag) >= 0) && (!owner || n.owner === owner) && (!mat || n.materialized === mat);
        if (ok && cls) {
          var parts = cls.split(':');
          ok = parts[0] === 'holds' ? n.classification === parts[1] : rankOf(n.upstreamClassification) >= rankOf(parts[1]);
        }
        passes[i] = ok;
      });
    }
    /** Filters and focus changed: lay out what is left, fit it, search in it again. */
    function refresh() {
      applyFilters();
      var family = focused >= 0 ? familyOf(focused) : null;
      showLayout(nodes.map(function (n, i) { return i === focused || (passes[i] && (!family || family[i])); }));
      fit();
      runSearch();
    }

    // ---- search ----
    var matches = [];
    function runSearch() {
      var q = search.value.trim().toLowerCase();
      matches = [];
      nodes.forEach(function (n, i) {
        // Every node the filters let through, also outside the focus: Enter then focuses it.
        var hit = q !== '' && passes[i] && (n.name.toLowerCase().indexOf(q) >= 0 || (n.description || '').toLowerCase().indexOf(q) >= 0 || (n.owner || '').toLowerCase().indexOf(q) >= 0);
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

    function updateStatus() {
      var parts = [];
      parts.push((current ? current.count : nodes.length) + ' of ' + nodes.length + ' nodes');
      if (focused >= 0) parts.push('around ' + nodes[focused].name);
      if (path) parts.push('column ' + path.column + ': ' + path.nodes.length + ' node' + (path.nodes.length === 1 ? '' : 's') + ' on its path');
      if (search.value.trim()) parts.push(matches.length + ' match' + (matches.length === 1 ? '' : 'es'));
      status.textContent = parts.join(' · ');
    }

    // ---- focus: a node with its upstream and downstream, laid out and fitted on their own ----
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
    function familyOf(i) {
      var up = reach(i, parents);
      var down = reach(i, children);
      var family = {};
      family[i] = true;
      for (var u in up) family[u] = true;
      for (var d in down) family[d] = true;
      return family;
    }
    // ---- a column's path: its input columns up to the sources, the columns derived from it down ----
    /** Does `input` (a column the lineage names) stand for `target`? A nested field is part of its column (as in `streamt lineage --column`). */
    function covers(input, target) {
      return input === target || input.indexOf(target + '.') === 0 || target.indexOf(input + '.') === 0;
    }
    function hasColumn(i, column) {
      return (nodes[i].columns || []).some(function (c) { return c[0] === column || c[0] === column.split('.')[0]; });
    }
    /**
     * The nodes, columns and edges on a column's path: up, the columns it derives from, to the
     * sources; down, the model columns derived from it, to the sinks, and the exposures reading a
     * node that carries one of them. Returns { column, nodes, columns: {node: [col]}, edges: {k: true}, up, down }.
     */
    function columnPath(i, column) {
      var cols = {};
      var on = {};
      var pathEdges = {};
      var up = {};
      var down = {};
      function add(j, c) {
        cols[j] = cols[j] || [];
        if (cols[j].indexOf(c) < 0) cols[j].push(c);
      }
      function link(a, b) { on[a + '>' + b] = true; }
      add(i, column);
      var stack = [[i, column]];
      var seen = {};
      while (stack.length) {
        var r = stack.pop();
        if (seen[r[0] + ':' + r[1]]) continue;
        seen[r[0] + ':' + r[1]] = true;
        var l = null;
        (nodes[r[0]].columns || []).forEach(function (c) { if (!l && c[1] && (c[0] === r[1] || covers(c[0], r[1]))) l = c; });
        if (!l) continue;
        l[1].forEach(function (input) {
          add(input[0], input[1]);
          up[input[0]] = true;
          link(input[0], r[0]);
          stack.push([input[0], input[1]]);
        });
      }
      stack = [[i, column]];
      seen = {};
      while (stack.length) {
        r = stack.pop();
        if (seen[r[0] + ':' + r[1]]) continue;
        seen[r[0] + ':' + r[1]] = true;
        derived[r[0]].forEach(function (d) {
          if (!covers(d[2], r[1])) return;
          add(d[0], d[1]);
          down[d[0]] = true;
          link(r[0], d[0]);
          stack.push([d[0], d[1]]);
        });
        children[r[0]].forEach(function (c) {
          if (nodes[c].kind !== 'exposure') return;
          add(c, 'reads ' + nodes[r[0]].name + '.' + r[1]);
          down[c] = true;
          link(r[0], c);
        });
      }
      edges.forEach(function (e, k) { if (on[e[0] + '>' + e[1]]) pathEdges[k] = true; });
      return { column: column, nodes: Object.keys(cols).map(Number), columns: cols, edges: pathEdges, up: up, down: down };
    }
    var path = null;
    function showPath(i, column) {
      path = column && hasColumn(i, column) ? columnPath(i, column) : null;
      svg.classList.toggle('column-mode', !!path);
      nodeEls.forEach(function (g, j) {
        var cols = path && path.columns[j];
        g.classList.toggle('on-path', !!cols);
        subEls[j].textContent = cols ? truncate(cols.join(', '), 34) : subText(nodes[j]);
        if (cols) g.setAttribute('data-path-columns', cols.join(','));
        else g.removeAttribute('data-path-columns');
      });
      edgeEls.forEach(function (p, k) { p.classList.toggle('on-path', !!(path && path.edges[k])); });
    }

    var focused = -1;
    var focusedColumn = '';
    function focus(i, column) {
      focused = i;
      focusedColumn = i >= 0 ? column || '' : '';
      nodeEls.forEach(function (g) { g.classList.remove('in-focus', 'selected', 'upstream', 'downstream'); });
      edgeEls.forEach(function (p) { p.classList.remove('in-focus'); });
      showPath(i, focusedColumn);
      if (i < 0) {
        svg.classList.remove('focus-mode');
        panel.hidden = true;
        refresh();
        return;
      }
      var up = reach(i, parents);
      var down = reach(i, children);
      nodeEls.forEach(function (g, j) {
        if (j === i || up[j] || down[j]) g.classList.add('in-focus');
        if (up[j]) g.classList.add('upstream');
        if (down[j]) g.classList.add('downstream');
      });
      nodeEls[i].classList.add('selected');
      edges.forEach(function (e, k) {
        if ((e[1] === i || up[e[1]]) && (e[0] === i || up[e[0]])) edgeEls[k].classList.add('in-focus');
        if ((e[0] === i || down[e[0]]) && (e[1] === i || down[e[1]])) edgeEls[k].classList.add('in-focus');
      });
      svg.classList.add('focus-mode');
      // The panel first: the fit leaves out the part of the graph it covers.
      showPanel(i, Object.keys(up).length, Object.keys(down).length);
      refresh();
    }
    function select(i, column) {
      if (i === undefined || i < 0) return;
      setHash(nodes[i].id, column);
    }
    /** The URL carries the focus, and the selected column after a slash: `#model.payments_clean/card_last4`. */
    function setHash(id, column) {
      if (id) location.hash = encodeURIComponent(id) + (column ? '/' + encodeURIComponent(column) : '');
      else if (history.replaceState) {
        history.replaceState(null, '', location.pathname + location.search);
        onHash();
      } else location.hash = '';
    }
    function onHash() {
      var raw = location.hash.replace(/^#/, '');
      var slash = raw.indexOf('/');
      var id = decodeURIComponent(slash < 0 ? raw : raw.slice(0, slash));
      var column = slash < 0 ? '' : decodeURIComponent(raw.slice(slash + 1));
      var i = id && Object.prototype.hasOwnProperty.call(byId, id) ? byId[id] : -1;
      if (i !== focused || (i >= 0 && column !== focusedColumn)) focus(i, column);
    }
    window.addEventListener('hashchange', onHash);
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && focused >= 0 && ev.target !== search) setHash('');
    });

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
    /** The node's columns: choosing one highlights its path; choosing it again clears it. */
    function columnSection(i) {
      var wrap = el('section', { class: 'panel-columns' });
      wrap.appendChild(el('h3', {}, 'Columns (' + nodes[i].columns.length + '): choose one to see its path'));
      var box = el('div', { class: 'chips' });
      nodes[i].columns.forEach(function (c) {
        var chosen = path && c[0] === path.column;
        var b = el('button', { type: 'button', class: 'column-chip', 'aria-pressed': chosen ? 'true' : 'false', 'data-column': c[0] }, c[0]);
        b.addEventListener('click', function () { select(i, chosen ? '' : c[0]); });
        box.appendChild(b);
      });
      wrap.appendChild(box);
      return wrap;
    }
    /** Every node on the selected column's path, upstream first, with its columns on the path. */
    function pathSection() {
      var wrap = el('section', { class: 'column-path' });
      wrap.appendChild(el('h3', {}, 'Path of ' + nodes[focused].name + '.' + path.column));
      var clear = el('button', { type: 'button', class: 'clear-column' }, 'Clear column');
      clear.addEventListener('click', function () { select(focused, ''); });
      wrap.appendChild(clear);
      var rank = function (j) { return path.up[j] ? 0 : j === focused ? 1 : 2; };
      var list = el('ul', { class: 'path-list' });
      path.nodes.slice().sort(function (a, b) { return rank(a) - rank(b) || (nodes[a].name < nodes[b].name ? -1 : nodes[a].name > nodes[b].name ? 1 : 0); }).forEach(function (j) {
        var li = el('li', { 'data-id': nodes[j].id });
        li.appendChild(el('span', { class: 'muted' }, path.up[j] ? '▲ ' : j === focused ? '● ' : '▼ '));
        li.appendChild(nodeButton(j));
        li.appendChild(el('span', { class: 'path-columns' }, ' ' + path.columns[j].join(', ')));
        list.appendChild(li);
      });
      wrap.appendChild(list);
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
      if (n.columns && n.columns.length) panel.appendChild(columnSection(i));
      if (path) panel.appendChild(pathSection());
      panel.appendChild(listSection('Direct upstream', parents[i]));
      panel.appendChild(listSection('Direct downstream', children[i]));
      if (n.kind !== 'test') panel.appendChild(listSection('Impacted exposures', n.impacted || []));
      panel.hidden = false;
    }

    onHash();
    if (focused < 0) refresh();
    window.addEventListener('resize', function () {
      area = null;
      panelWidth = 0;
      fit();
    });
    // For the browser tests' timing output: how long the last layout took, what is culled.
    svg.streamtStats = function () {
      return { layoutMs: current ? current.ms : 0, shown: current ? current.count : 0, culled: culledNodes, scale: view.k, moving: moving };
    };
    svg.setAttribute('data-ready', 'true');
  }
})();
