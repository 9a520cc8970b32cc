/* statguard HTML report: sortable, filterable, paged tables rendered from the JSON
   embedded in the page (#sg-data). No libraries, no network. Only one page of rows
   is in the DOM at a time, so large reports stay responsive.
   The page also holds every table as plain HTML (.sg-doc): shown without JavaScript
   and when printed; with JavaScript the screen shows the live tables instead (html.js).
   A table too large to be written twice gets its printed form built before printing. */
(function () {
  "use strict";
  document.documentElement.className += " js";
  var data = JSON.parse(document.getElementById("sg-data").textContent);
  var ui = data.ui;
  var anchors = data.anchors || {};
  var SEV_RANK = { error: 0, warning: 1, info: 2 };
  var PAGE_SIZES = [25, 50, 100, 500];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  function compare(type) {
    return function (a, b) {
      var an = a === null || a === undefined || a === "", bn = b === null || b === undefined || b === "";
      if (an || bn) return an === bn ? 0 : (an ? 1 : -1);
      if (type === "sev") return (SEV_RANK[a] || 9) - (SEV_RANK[b] || 9);
      if (type === "num" && typeof a === "number" && typeof b === "number") return a - b;
      a = String(a); b = String(b);
      return a < b ? -1 : (a > b ? 1 : 0);
    };
  }

  function Table(root, spec) {
    this.root = root;
    this.spec = spec;
    this.rows = spec.rows;
    this.cols = spec.columns;
    this.pageSize = spec.pageSize || 50;
    this.page = 0;
    this.text = "";
    this.exact = {};
    this.sortKey = spec.sort ? spec.sort.key : null;
    this.sortDesc = spec.sort ? spec.sort.desc : false;
    this.haystack = null;
    this.shown = spec.shown || {};
    this.build();
    this.apply();
  }

  Table.prototype.colIndex = function (key) {
    for (var i = 0; i < this.cols.length; i++) if (this.cols[i].key === key) return i;
    return -1;
  };

  Table.prototype.cellText = function (i, c) {
    var col = this.cols[c], shown = this.shown[col.key], v = this.rows[i][c];
    if (shown) return shown[i];
    return v === null || v === undefined ? "" : String(v);
  };

  Table.prototype.build = function () {
    var self = this;
    var old = this.root.querySelector(".sg-live");
    if (old) this.root.removeChild(old);
    this.live = el("div", { "class": "sg-live" });
    this.root.appendChild(this.live);
    var bar = el("div", { "class": "toolbar" });
    this.search = el("input", { type: "search", placeholder: ui.filter, "aria-label": ui.filter });
    var timer = null;
    this.search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.text = self.search.value.trim().toLowerCase(); self.page = 0; self.apply(); }, 150);
    });
    bar.appendChild(this.search);
    this.cols.forEach(function (col) {
      if (col.type === "sev") bar.appendChild(self.select(col.key, ui.all_severities,
        ["error", "warning", "info"].map(function (s) { return [s, ui.severity[s]]; })));
    });
    if (this.colIndex("rule_id") >= 0 && this.rows.length > this.pageSize) {
      var seen = {}, rules = [], ri = this.colIndex("rule_id");
      this.rows.forEach(function (r) { if (!seen[r[ri]]) { seen[r[ri]] = 1; rules.push([r[ri], r[ri]]); } });
      bar.appendChild(this.select("rule_id", ui.all_rules, rules));
    }
    this.chips = el("span", { "class": "chips" });
    bar.appendChild(this.chips);
    bar.appendChild(el("span", { "class": "hint" }, ui.sort_hint));
    this.live.appendChild(bar);
    var scroll = el("div", { "class": "scroll" });
    var table = el("table");
    var head = el("tr");
    this.ths = this.cols.map(function (col) {
      var th = el("th", { "class": col.type === "num" ? "num" : "", "data-key": col.key }, col.label);
      th.addEventListener("click", function () { self.sortBy(col.key); });
      head.appendChild(th);
      return th;
    });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    this.tbody = el("tbody");
    table.appendChild(this.tbody);
    scroll.appendChild(table);
    this.live.appendChild(scroll);
    var pager = el("div", { "class": "pager" });
    this.prev = el("button", { type: "button", "class": "prev" }, ui.prev);
    this.next = el("button", { type: "button", "class": "next" }, ui.next);
    this.info = el("span", { "class": "info" });
    this.prev.addEventListener("click", function () { self.go(self.page - 1); });
    this.next.addEventListener("click", function () { self.go(self.page + 1); });
    var size = el("select", { "aria-label": ui.per_page });
    PAGE_SIZES.concat([this.pageSize]).filter(function (v, i, a) { return a.indexOf(v) === i; })
      .sort(function (a, b) { return a - b; }).forEach(function (n) {
        var opt = el("option", { value: n }, n + " / " + ui.per_page);
        if (n === self.pageSize) opt.selected = true;
        size.appendChild(opt);
      });
    size.addEventListener("change", function () { self.pageSize = +size.value; self.page = 0; self.render(); });
    [this.prev, this.info, this.next, size].forEach(function (n) { pager.appendChild(n); });
    this.live.appendChild(pager);
  };

  Table.prototype.select = function (key, allLabel, options) {
    var self = this;
    var sel = el("select", { "data-filter": key, "aria-label": allLabel });
    sel.appendChild(el("option", { value: "" }, allLabel));
    options.forEach(function (o) { sel.appendChild(el("option", { value: o[0] }, o[1])); });
    sel.addEventListener("change", function () { self.setExact(key, sel.value); });
    return sel;
  };

  Table.prototype.setExact = function (key, value) {
    if (value === "" || value === null || value === undefined) delete this.exact[key];
    else this.exact[key] = value;
    var sel = this.root.querySelector('select[data-filter="' + key + '"]');
    if (sel) sel.value = value || "";
    this.page = 0;
    this.apply();
  };

  Table.prototype.text_of = function (i) {
    if (!this.haystack) this.haystack = new Array(this.rows.length);
    var h = this.haystack[i];
    if (h === undefined) {
      var self = this;
      h = this.rows[i].map(function (v, c) { return self.cellText(i, c); }).join("\u0001").toLowerCase();
      this.haystack[i] = h;
    }
    return h;
  };

  Table.prototype.apply = function () {
    var self = this, out = [], n = this.rows.length;
    var exact = Object.keys(this.exact).map(function (k) { return [self.colIndex(k), String(self.exact[k])]; });
    for (var i = 0; i < n; i++) {
      var row = this.rows[i], keep = true;
      for (var j = 0; j < exact.length && keep; j++) keep = String(row[exact[j][0]]) === exact[j][1];
      if (keep && this.text) keep = this.text_of(i).indexOf(this.text) >= 0;
      if (keep) out.push(i);
    }
    this.view = out;
    this.sortView();
    this.renderChips();
    this.render();
  };

  Table.prototype.sortView = function () {
    if (!this.sortKey) return;
    var idx = this.colIndex(this.sortKey), cmp = compare(this.cols[idx].type), rows = this.rows;
    var sign = this.sortDesc ? -1 : 1;
    this.view.sort(function (a, b) { return sign * cmp(rows[a][idx], rows[b][idx]) || a - b; });
    this.ths.forEach(function (th, i) {
      th.className = (th.className.replace(/\s*sorted-(asc|desc)/g, "")) +
        (i === idx ? (sign > 0 ? " sorted-asc" : " sorted-desc") : "");
    });
  };

  Table.prototype.sortBy = function (key) {
    this.sortDesc = this.sortKey === key ? !this.sortDesc : this.cols[this.colIndex(key)].type === "num";
    this.sortKey = key;
    this.sortView();
    this.page = 0;
    this.render();
  };

  Table.prototype.renderChips = function () {
    var self = this;
    this.chips.textContent = "";
    Array.prototype.forEach.call(this.root.querySelectorAll("select[data-filter]"), function (sel) {
      sel.value = self.exact[sel.getAttribute("data-filter")] || "";
    });
    Object.keys(this.exact).forEach(function (k) {
      if (self.root.querySelector('select[data-filter="' + k + '"]')) return;
      var chip = el("button", { type: "button", "class": "chip" }, self.exact[k] + " ×");
      chip.addEventListener("click", function () { self.setExact(k, ""); });
      self.chips.appendChild(chip);
    });
  };

  Table.prototype.go = function (page) {
    var last = Math.max(0, Math.ceil(this.view.length / this.pageSize) - 1);
    this.page = Math.min(Math.max(0, page), last);
    this.render();
  };

  Table.prototype.render = function () {
    var self = this, start = this.page * this.pageSize, rows = this.view.slice(start, start + this.pageSize);
    var frag = document.createDocumentFragment();
    var keyAt = this.colIndex("rule_id");
    rows.forEach(function (i) {
      var tr = el("tr");
      if (keyAt >= 0) tr.setAttribute("data-rule", String(self.rows[i][keyAt]));
      self.cols.forEach(function (col, c) {
        var v = self.rows[i][c], td = el("td", { "class": col.type === "num" ? "num" : (col.link ? "text rule" : "text") });
        var target = col.link && anchors[col.link] && v !== null ? anchors[col.link][v] : undefined;
        if (col.type === "sev" && v) td.appendChild(el("span", { "class": "sev sev-" + v }, ui.severity[v] || v));
        else if (target !== undefined) td.appendChild(el("a", { href: "#" + col.link + target }, self.cellText(i, c)));
        else td.textContent = self.cellText(i, c);
        tr.appendChild(td);
      });
      if (self.onRow) { tr.className = "clickable"; tr.addEventListener("click", function () { self.onRow(self.rows[i]); }); }
      frag.appendChild(tr);
    });
    this.tbody.textContent = "";
    this.tbody.appendChild(frag);
    var n = this.view.length;
    this.info.textContent = n ? fill(ui.page, { from: start + 1, to: start + rows.length, n: n }) : ui.none;
    this.prev.disabled = this.page === 0;
    this.next.disabled = start + this.pageSize >= n;
    this.root.setAttribute("data-shown", String(rows.length));
    this.root.setAttribute("data-matching", String(n));
    this.root.setAttribute("data-total", String(this.rows.length));
  };

  var tables = {};
  Array.prototype.forEach.call(document.querySelectorAll(".sg-table"), function (root) {
    var spec = data.tables[root.getAttribute("data-table")];
    if (spec) tables[root.getAttribute("data-table")] = new Table(root, spec);
  });

  function showViolations(filters) {
    var v = tables.violations;
    if (!v) return;
    v.exact = {};
    Object.keys(filters).forEach(function (k) { if (v.colIndex(k) >= 0) v.exact[k] = filters[k]; });
    v.page = 0;
    v.apply();
    v.root.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  /* the printed form of a table that has none in the page: all its rows, in the page's order */
  Table.prototype.doc = function () {
    var own = this.root.getAttribute("data-doc");
    if (this.root.querySelector(".sg-doc") || (own && document.getElementById(own))) return;
    var self = this, wrap = el("div", { "class": "sg-doc" }), table = el("table", { "class": "doc" });
    var head = el("tr"), body = el("tbody"), thead = el("thead");
    this.cols.forEach(function (col) { head.appendChild(el("th", { "class": col.type === "sev" ? "sev-cell" : col.type }, col.label)); });
    thead.appendChild(head);
    table.appendChild(thead);
    for (var i = 0; i < this.rows.length; i++) {
      var tr = el("tr");
      for (var c = 0; c < this.cols.length; c++) {
        var col = this.cols[c], v = this.rows[i][c], td = el("td", { "class": col.type === "sev" ? "sev-cell" : col.type });
        if (col.type === "sev" && v) td.appendChild(el("span", { "class": "sev sev-" + v }, ui.severity[v] || v));
        else td.textContent = self.cellText(i, c);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    table.appendChild(body);
    wrap.appendChild(table);
    this.root.appendChild(wrap);
  };

  function beforePrint() { Object.keys(tables).forEach(function (k) { tables[k].doc(); }); }
  window.addEventListener("beforeprint", beforePrint);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    var onChange = function (m) { if (m.matches) beforePrint(); };
    if (printing.addEventListener) printing.addEventListener("change", onChange);
    else if (printing.addListener) printing.addListener(onChange);
  }

  /* #v-<rule> shows the rule's violations, #r-<rule> its row in the rules table */
  var bySlug = {};
  Object.keys(anchors).forEach(function (prefix) {
    Object.keys(anchors[prefix]).forEach(function (rule) { bySlug[prefix + anchors[prefix][rule]] = rule; });
  });

  function showRule(rule) {
    var r = tables.rules;
    if (!r) return;
    var at = r.colIndex("rule_id"), pos = -1;
    for (var i = 0; i < r.view.length; i++) if (String(r.rows[r.view[i]][at]) === rule) { pos = i; break; }
    if (pos < 0 && (Object.keys(r.exact).length || r.text)) {
      r.exact = {}; r.text = ""; r.search.value = ""; r.apply(); return showRule(rule);
    }
    if (pos < 0) return;
    r.go(Math.floor(pos / r.pageSize));
    Array.prototype.forEach.call(r.tbody.querySelectorAll("tr"), function (tr) {
      tr.className = tr.getAttribute("data-rule") === rule ? "flash" : "";
      if (tr.className) tr.scrollIntoView({ block: "center" });
    });
  }

  function follow(hash) {
    var rule = bySlug[hash];
    if (rule === undefined) return false;
    if (hash.charAt(0) === "v") showViolations({ rule_id: rule });
    else showRule(rule);
    return true;
  }

  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[href^='#']") : null;
    if (a && follow(decodeURIComponent(a.getAttribute("href").slice(1)))) e.preventDefault();
  });
  if (location.hash) follow(decodeURIComponent(location.hash.slice(1)));

  if (tables.units) tables.units.onRow = function (row) { showViolations({ unit: row[0] }); };
  if (tables.units) tables.units.render();
  Array.prototype.forEach.call(document.querySelectorAll("#chart-heatmap .cell"), function (cell) {
    cell.addEventListener("click", function () {
      showViolations({ unit: cell.getAttribute("data-unit"), rule_id: cell.getAttribute("data-rule") });
    });
  });
  window.statguard = { tables: tables };
  document.documentElement.setAttribute("data-ready", "1");
})();
